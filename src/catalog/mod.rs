//! The catalogue of figures, below every stage that makes or reads them: which metrics exist
//! and what each means ([`defs`]), how a row is grouped ([`group`]), a metric row and its key,
//! and the metrics CSV those rows are written to and read back from ([`csv`], with its
//! CSV-injection guard). It reads no config and no data.

pub(crate) mod csv;
pub mod defs;
pub mod group;

pub use defs::MetricId;
pub use group::Group;

/// A row's identity within a period: (metric, branch, product, group).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetricKey {
    /// The metric.
    pub metric: MetricId,
    /// Branch; empty = all branches.
    pub branch: String,
    /// Product; empty = all products.
    pub product: String,
    /// Group.
    pub group: Group,
}

impl MetricKey {
    /// A key.
    pub fn new(metric: MetricId, branch: &str, product: &str, group: Group) -> MetricKey {
        MetricKey { metric, branch: branch.to_string(), product: product.to_string(), group }
    }

    /// The total row of a metric (all branches, all products, no group).
    pub fn total(metric: MetricId) -> MetricKey {
        MetricKey::new(metric, "", "", Group::None)
    }
}

/// One metric value, as in `metrics-YYYY-MM.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricRow {
    /// The metric.
    pub metric: MetricId,
    /// Branch; empty = all branches.
    pub branch: String,
    /// Product; empty = all products.
    pub product: String,
    /// Group, e.g. a channel or an input sheet.
    pub group: Group,
    /// Numerator (counts: the count).
    pub numerator: Option<f64>,
    /// Denominator (rates only).
    pub denominator: Option<f64>,
    /// The value.
    pub value: Option<f64>,
    /// Wilson interval low.
    pub ci_low: Option<f64>,
    /// Wilson interval high.
    pub ci_high: Option<f64>,
    /// Denominator below the small-sample size.
    pub small_sample: Option<bool>,
    /// Target value.
    pub target: Option<f64>,
    /// Target met.
    pub met: Option<bool>,
    /// Last month's value from history.
    pub prev_value: Option<f64>,
    /// Early-warning text.
    pub warning: String,
}

impl MetricRow {
    /// A row of `metric` with nothing else set (total, no value).
    pub fn new(metric: MetricId) -> MetricRow {
        MetricRow {
            metric,
            branch: String::new(),
            product: String::new(),
            group: Group::None,
            numerator: None,
            denominator: None,
            value: None,
            ci_low: None,
            ci_high: None,
            small_sample: None,
            target: None,
            met: None,
            prev_value: None,
            warning: String::new(),
        }
    }

    /// The row's identity within a month: (metric, branch, product, group).
    pub fn key(&self) -> MetricKey {
        MetricKey::new(self.metric, &self.branch, &self.product, self.group.clone())
    }

    /// A test row: `n` over `d` (a count when `d` is `None`) at `branch` and `group`.
    #[cfg(test)]
    pub(crate) fn of(metric: MetricId, branch: &str, group: Group, n: f64, d: Option<f64>) -> MetricRow {
        MetricRow {
            branch: branch.into(),
            group,
            numerator: Some(n),
            denominator: d,
            value: Some(d.map_or(n, |d| n / d)),
            ..MetricRow::new(metric)
        }
    }

    /// A count row.
    pub fn count(metric: MetricId, group: Group, n: u64) -> MetricRow {
        MetricRow { group, numerator: Some(n as f64), value: Some(n as f64), ..MetricRow::new(metric) }
    }
}

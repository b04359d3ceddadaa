//! Metrics: rows of (metric, branch, product, group, numerator, denominator, value, ...).
//!
//! This module holds the row type shared by every section and the data-quality rows
//! (`dq.*`, SPEC §4.1). The service metrics of SPEC §3 are added section by section.

use crate::model::{Ledger, SheetLedger};

/// One metric value, as in `metrics-YYYY-MM.csv`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetricRow {
    /// Metric id, e.g. `install.ontime_rate`.
    pub metric: String,
    /// Branch; empty = all branches.
    pub branch: String,
    /// Product; empty = all products.
    pub product: String,
    /// Group, e.g. `channel=工信部` or `file=a.xlsx;sheet=Sheet1`.
    pub group: String,
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
    /// A count row.
    pub fn count(metric: &str, group: String, n: u64) -> MetricRow {
        MetricRow {
            metric: metric.to_string(),
            group,
            numerator: Some(n as f64),
            value: Some(n as f64),
            ..Default::default()
        }
    }
}

/// The `dq.*` rows: in total and per input sheet.
pub fn dq_rows(ledger: &Ledger) -> Vec<MetricRow> {
    let mut rows = Vec::new();
    let mut push = |s: &SheetLedger, group: String| {
        for (metric, n) in [
            ("dq.rows_read", s.rows_read),
            ("dq.rows_used", s.used),
            ("dq.out_of_period", s.out_of_period),
            ("dq.duplicates", s.duplicates),
            ("dq.rejected", s.rejected),
            ("dq.conflicts", s.conflicts),
        ] {
            rows.push(MetricRow::count(metric, group.clone(), n));
        }
    };
    push(&ledger.total(), String::new());
    for s in &ledger.sheets {
        push(s, format!("file={};sheet={}", s.file, s.sheet));
    }
    rows
}

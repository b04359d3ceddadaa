//! 故障: fault reports, repeat faults, restoration, phenomena and causes.

use chrono::Duration;
use polars::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use super::agg::{aggregate, count, f64_col, flag, mean, quantile, rate, str_col, value_counts, BY_BRANCH_PRODUCT};
use super::orders::{hours_to_complete, OrderFlags};
use super::{Ctx, Group, MetricId, MetricRow};
use crate::config::{Config, RepeatWindow};
use crate::model::{OrderType, WorkOrder};

/// fault.* metrics, per branch and product.
pub(crate) fn compute(orders: &[&WorkOrder], earlier: &[WorkOrder], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let faults: Vec<&WorkOrder> = orders.iter().copied().filter(|o| o.order_type == OrderType::Fault).collect();
    let flags: Vec<OrderFlags> = faults.iter().map(|o| OrderFlags::of(o, ctx.config, ctx.period.end())).collect();
    let rows: Vec<(&WorkOrder, &OrderFlags)> = faults.iter().copied().zip(&flags).collect();
    let unknown = &ctx.config.faults.unknown_causes;
    let df = DataFrame::new(
        rows.len(),
        vec![
            str_col("branch", &rows, |r| &r.0.branch),
            str_col("product", &rows, |r| &r.0.product),
            flag("reports", &rows, |_| true),
            flag("ontime", &rows, |r| r.1.ontime),
            flag("ontime_den", &rows, |r| r.1.ontime_den),
            flag("pending", &rows, |r| r.1.pending),
            f64_col("hours", &rows, |r| hours_to_complete(r.0)),
            flag("pre_num", &rows, |r| r.0.preprocessed == Some(true)),
            flag("pre_den", &rows, |r| r.0.preprocessed.is_some()),
            flag("unknown", &rows, |r| r.0.cause.as_ref().is_some_and(|c| unknown.contains(c))),
            Column::new("phenomenon".into(), rows.iter().map(|r| r.0.phenomenon.clone()).collect::<Vec<_>>()),
            Column::new("cause".into(), rows.iter().map(|r| r.0.cause.clone()).collect::<Vec<_>>()),
        ],
    )?;
    let mut out = aggregate(
        &df,
        &[
            count(MetricId::FaultReports, "reports"),
            rate(MetricId::FaultRestoreOntimeRate, "ontime", "ontime_den"),
            count(MetricId::FaultPending, "pending"),
            mean(MetricId::FaultMeanRestoreHours, "hours"),
            quantile(MetricId::FaultRestoreHoursP50, "hours", 0.5),
            quantile(MetricId::FaultRestoreHoursP90, "hours", 0.9),
            rate(MetricId::FaultPreprocessRate, "pre_num", "pre_den"),
            rate(MetricId::FaultUnknownCauseRate, "unknown", "reports"),
        ],
        BY_BRANCH_PRODUCT,
        ctx.small_sample(),
    )?;
    out.extend(repeat_customers(&faults, earlier, ctx)?);
    // Reports per product, the denominators of the top-N shares.
    let mut reports: FxHashMap<String, f64> = FxHashMap::default();
    for o in &faults {
        *reports.entry(o.product.clone()).or_default() += 1.0;
        *reports.entry(String::new()).or_default() += 1.0;
    }
    for (metric, key) in [(MetricId::FaultTopPhenomena, "phenomenon"), (MetricId::FaultTopCauses, "cause")] {
        let mut rank: FxHashMap<String, usize> = FxHashMap::default();
        for (product, value, n) in value_counts(&df, key, true)? {
            let r = rank.entry(product.clone()).or_default();
            *r += 1;
            if *r > ctx.config.faults.top_n {
                continue;
            }
            let den = reports.get(&product).copied().unwrap_or(0.0);
            let mut row = MetricRow {
                product,
                group: Group::Rank { rank: *r as u32, value },
                numerator: Some(n),
                denominator: Some(den),
                value: Some(n / den),
                ..MetricRow::new(metric)
            };
            row.set_interval(ctx.small_sample());
            out.push(row);
        }
    }
    Ok(out)
}

/// A customer of a product in the month: the branch of its first report and whether it repeats.
pub(crate) struct CustomerUnit<'a> {
    /// (customer id, product).
    pub key: (&'a str, &'a str),
    /// Branch of the first report of the month.
    pub branch: &'a str,
    /// A repeat customer under the configured window.
    pub repeat: bool,
}

/// Every customer unit of the month's fault reports (sorted by key).
pub(crate) fn units<'a>(
    faults: impl Iterator<Item = &'a WorkOrder>,
    earlier: &'a [WorkOrder],
    config: &Config,
) -> Vec<CustomerUnit<'a>> {
    let mut reports: FxHashMap<(&str, &str), Vec<&WorkOrder>> = FxHashMap::default();
    for o in faults.filter(|o| o.order_type == OrderType::Fault) {
        if let Some(c) = o.customer_id.as_deref() {
            reports.entry((c, o.product.as_str())).or_default().push(o);
        }
    }
    let mut before: FxHashMap<(&str, &str), Vec<chrono::NaiveDateTime>> = FxHashMap::default();
    if config.faults.repeat_window == RepeatWindow::Rolling {
        for o in earlier.iter().filter(|o| o.order_type == OrderType::Fault) {
            if let Some(c) = o.customer_id.as_deref() {
                before.entry((c, o.product.as_str())).or_default().push(o.created_at);
            }
        }
    }
    let days = Duration::days(i64::from(config.faults.rolling_days));
    let mut units: Vec<CustomerUnit> = reports
        .into_iter()
        .map(|(key, mut v)| {
            v.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.order_id.cmp(&b.order_id)));
            let repeat = match config.faults.repeat_window {
                RepeatWindow::CalendarMonth => v.len() >= 2,
                RepeatWindow::Rolling => {
                    let mut times: Vec<_> = v.iter().map(|o| o.created_at).collect();
                    times.extend(before.get(&key).into_iter().flatten().copied());
                    v.iter().any(|o| times.iter().any(|t| *t < o.created_at && *t >= o.created_at - days))
                }
            };
            CustomerUnit { key, branch: v[0].branch.as_str(), repeat }
        })
        .collect();
    units.sort_by(|a, b| a.key.cmp(&b.key));
    units
}

/// The (customer, product) keys of the month's repeat customers.
pub(crate) fn repeat_keys<'a>(
    orders: &'a [WorkOrder],
    earlier: &'a [WorkOrder],
    config: &Config,
) -> FxHashSet<(&'a str, &'a str)> {
    units(orders.iter(), earlier, config).into_iter().filter(|u| u.repeat).map(|u| u.key).collect()
}

/// fault.customers, fault.repeat_customers, fault.repeat_rate. The unit is a customer of a
/// product; it belongs to the branch of its first report of the month.
fn repeat_customers(faults: &[&WorkOrder], earlier: &[WorkOrder], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let customers = units(faults.iter().copied(), earlier, ctx.config);
    let df = DataFrame::new(
        customers.len(),
        vec![
            str_col("branch", &customers, |c| c.branch),
            str_col("product", &customers, |c| c.key.1),
            flag("customers", &customers, |_| true),
            flag("repeat", &customers, |c| c.repeat),
        ],
    )?;
    aggregate(
        &df,
        &[
            count(MetricId::FaultCustomers, "customers"),
            count(MetricId::FaultRepeatCustomers, "repeat"),
            rate(MetricId::FaultRepeatRate, "repeat", "customers"),
        ],
        BY_BRANCH_PRODUCT,
        ctx.small_sample(),
    )
}

//! 故障: fault reports, repeat faults, restoration, phenomena and causes.

use polars::prelude::*;
use rustc_hash::FxHashMap;

use super::agg::{
    aggregate, code_col, count, decode_labels, dict_col, f64_col, flag, mean, quantile, rate, value_counts,
    BY_BRANCH_PRODUCT,
};
use super::orders::{hours_to_complete, Due, OrderFlags};
use super::{Ctx, Group, MetricId, MetricRow};
use crate::config::{Config, RepeatWindow};
use crate::model::{OrderType, Orders};

/// fault.* metrics, per branch and product; with the month's customer units (the repeat
/// detail lists them too).
pub(crate) fn compute<'a>(
    t: &'a Orders,
    idx: &[usize],
    earlier: &'a Orders,
    ctx: &Ctx,
) -> PolarsResult<(Vec<MetricRow>, Units<'a>)> {
    let faults: Vec<usize> = idx.iter().copied().filter(|&i| t.order_type[i] == OrderType::Fault).collect();
    // The reports' figures and the customer units' are two independent jobs (either core
    // takes either).
    let (aggregated, found) = rayon::join(
        || {
            let df = frame(t, &faults, ctx)?;
            // The figures and the top values: two more jobs.
            let (out, top) = rayon::join(
                || {
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
                    decode_labels(&mut out, t.branch.values(), t.product.values());
                    PolarsResult::Ok(out)
                },
                || top_values(t, &faults, &df, ctx),
            );
            let (out, top) = (out?, top?);
            PolarsResult::Ok((out, top))
        },
        || {
            let found = units(t, faults.iter().copied(), earlier, ctx.config);
            PolarsResult::Ok((repeat_customers(t, &found, ctx)?, found))
        },
    );
    let (mut out, top) = aggregated?;
    let (repeat, found) = found?;
    out.extend(repeat);
    out.extend(top);
    Ok((out, found))
}

/// fault.top_phenomena and fault.top_causes per product (and the whole month), and every
/// phenomenon's and cause's reports (the segments of fault.reports' change, SPEC §8.2).
fn top_values(t: &Orders, faults: &[usize], df: &DataFrame, ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let mut out = Vec::new();
    // Reports per product, the denominators of the top-N shares.
    let mut reports: FxHashMap<&str, f64> = FxHashMap::default();
    for &i in faults {
        *reports.entry(t.product.get(i)).or_default() += 1.0;
    }
    reports.insert("", faults.len() as f64);
    for (metric, key, values) in [
        (MetricId::FaultTopPhenomena, "phenomenon", t.phenomenon.values()),
        (MetricId::FaultTopCauses, "cause", t.cause.values()),
    ] {
        let mut rank: FxHashMap<String, usize> = FxHashMap::default();
        for (product, value, n) in value_counts(df, key, true, Some((t.product.values(), values)))? {
            // Every value's reports (the segments of fault.reports' change, SPEC §8.2).
            if product.is_empty() {
                let group = if key == "cause" { Group::Cause(value.clone()) } else { Group::Phenomenon(value.clone()) };
                out.push(MetricRow::count(MetricId::FaultReports, group, n as u64));
            }
            let r = rank.entry(product.clone()).or_default();
            *r += 1;
            if *r > ctx.config.faults.top_n {
                continue;
            }
            let den = reports.get(product.as_str()).copied().unwrap_or(0.0);
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

/// The fault reports `faults` of `t` as a frame: branch, product, the flags and hours the
/// metrics aggregate, phenomenon and cause — the texts as their dictionary codes (grouped on
/// as 4-byte integers; the rows get their names back afterwards).
fn frame(t: &Orders, faults: &[usize], ctx: &Ctx) -> PolarsResult<DataFrame> {
    let rows: Vec<(usize, OrderFlags)> =
        faults.iter().map(|&i| (i, OrderFlags::of(Due::at(t, i), ctx.config, ctx.period.end()))).collect();
    let unknown = &ctx.config.faults.unknown_causes;
    DataFrame::new(
        rows.len(),
        vec![
            code_col("branch", &rows, |r| t.branch.code(r.0)),
            code_col("product", &rows, |r| t.product.code(r.0)),
            flag("reports", &rows, |_| true),
            flag("ontime", &rows, |r| r.1.ontime),
            flag("ontime_den", &rows, |r| r.1.ontime_den),
            flag("pending", &rows, |r| r.1.pending),
            f64_col("hours", &rows, |r| hours_to_complete(Due::at(t, r.0))),
            flag("pre_num", &rows, |r| t.preprocessed[r.0] == Some(true)),
            flag("pre_den", &rows, |r| t.preprocessed[r.0].is_some()),
            flag("unknown", &rows, |r| t.cause.get(r.0).is_some_and(|c| unknown.iter().any(|u| u.as_str() == c))),
            dict_col("phenomenon", &rows, |r| t.phenomenon.code(r.0)),
            dict_col("cause", &rows, |r| t.cause.code(r.0)),
        ],
    )
}

/// A customer of a product in the month and whether it repeats (its branch is its first
/// report's).
pub(crate) struct CustomerUnit<'a> {
    /// (customer id, product).
    pub key: (&'a str, &'a str),
    /// A repeat customer under the configured window.
    pub repeat: bool,
    /// Its reports: a range of [`Units::rows`].
    pub reports: std::ops::Range<usize>,
}

/// The customer units of a month's fault reports, and their reports.
#[derive(Default)]
pub(crate) struct Units<'a> {
    /// The units, in (customer id, product) order.
    pub units: Vec<CustomerUnit<'a>>,
    /// The reports' rows, unit by unit, each unit's in (time, order id) order.
    pub rows: Vec<usize>,
}

/// Every customer unit of the month's fault reports among rows `idx` of `t` (sorted by key).
pub(crate) fn units<'a>(
    t: &'a Orders,
    idx: impl Iterator<Item = usize>,
    earlier: &'a Orders,
    config: &Config,
) -> Units<'a> {
    // One sort of (customer, product, time, order id) puts each unit's reports together, in
    // time order. Each report is sorted as numbers whose order never contradicts that one —
    // the customer id's [`key15`](super::key15), the product's rank by name, the time — and
    // the texts are read only when the first are equal and the id is longer than fifteen
    // bytes (an id that short is whole in its key): a group's month has millions of reports,
    // and reading a customer's id at random was most of this sort and of finding the runs.
    let rank = super::text_ranks(&t.product.values().iter().map(|v| &**v).collect::<Vec<&str>>());
    let mut keyed: Vec<(u128, u32, i64, u32)> = idx
        .filter(|&i| t.order_type[i] == OrderType::Fault)
        .filter_map(|i| {
            let customer = t.customer_id.get(i)?;
            Some((super::key15(customer), rank[t.product.code(i) as usize], t.created_at.0[i], i as u32))
        })
        .collect();
    let customer = |k: &(u128, u32, i64, u32)| t.customer_id.get(k.3 as usize).unwrap_or_default();
    let order_id = |k: &(u128, u32, i64, u32)| t.order_id.get(k.3 as usize);
    {
        use rayon::slice::ParallelSliceMut as _;
        keyed.par_sort_unstable_by(|a, b| {
            a.0.cmp(&b.0)
                .then_with(
                    || if super::is_whole(a.0) { std::cmp::Ordering::Equal } else { customer(a).cmp(customer(b)) },
                )
                .then(a.1.cmp(&b.1))
                .then(a.2.cmp(&b.2))
                .then_with(|| order_id(a).cmp(order_id(b)))
                .then(a.3.cmp(&b.3))
        });
    }
    let mut before: FxHashMap<(&str, &str), Vec<i64>> = FxHashMap::default();
    if config.faults.repeat_window == RepeatWindow::Rolling {
        for i in (0..earlier.len()).filter(|&i| earlier.order_type[i] == OrderType::Fault) {
            if let Some(c) = earlier.customer_id.get(i) {
                before.entry((c, earlier.product.get(i))).or_default().push(earlier.created_at.0[i]);
            }
        }
    }
    let days = i64::from(config.faults.rolling_days) * 86_400 * 1_000_000_000;
    // A unit is a run of one customer's reports of one product (equal ranks, equal products).
    let same = |a: &(u128, u32, i64, u32), b: &(u128, u32, i64, u32)| {
        a.0 == b.0 && a.1 == b.1 && (super::is_whole(a.0) || customer(a) == customer(b))
    };
    let mut units = Vec::new();
    let mut k = 0;
    for run in keyed.chunk_by(same) {
        let key = (customer(&run[0]), t.product.get(run[0].3 as usize));
        let repeat = match config.faults.repeat_window {
            RepeatWindow::CalendarMonth => run.len() >= 2,
            RepeatWindow::Rolling => {
                let mut times: Vec<i64> = run.iter().map(|r| r.2).collect();
                times.extend(before.get(&key).into_iter().flatten().copied());
                run.iter().any(|r| times.iter().any(|&x| x < r.2 && x >= r.2 - days))
            }
        };
        units.push(CustomerUnit { key, repeat, reports: k..k + run.len() });
        k += run.len();
    }
    Units { units, rows: keyed.iter().map(|r| r.3 as usize).collect() }
}

/// fault.customers, fault.repeat_customers, fault.repeat_rate. The unit is a customer of a
/// product; it belongs to the branch of its first report of the month (grouped on codes, as
/// in [`frame`]).
fn repeat_customers(t: &Orders, found: &Units, ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let first = |c: &CustomerUnit| found.rows[c.reports.start];
    let customers = &found.units;
    let df = DataFrame::new(
        customers.len(),
        vec![
            code_col("branch", customers, |c| t.branch.code(first(c))),
            code_col("product", customers, |c| t.product.code(first(c))),
            flag("customers", customers, |_| true),
            flag("repeat", customers, |c| c.repeat),
        ],
    )?;
    let mut rows = aggregate(
        &df,
        &[
            count(MetricId::FaultCustomers, "customers"),
            count(MetricId::FaultRepeatCustomers, "repeat"),
            rate(MetricId::FaultRepeatRate, "repeat", "customers"),
        ],
        BY_BRANCH_PRODUCT,
        ctx.small_sample(),
    )?;
    decode_labels(&mut rows, t.branch.values(), t.product.values());
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WorkOrder;

    /// A fault report: customer, product, hour of the month, order id.
    fn report(customer: Option<&str>, product: &str, hour: i64, id: String, ty: OrderType) -> WorkOrder<'static> {
        let blank = WorkOrder::blank(ty);
        WorkOrder {
            order_id: id.into(),
            product: product.to_string().into(),
            customer_id: customer.map(|c| c.to_string().into()),
            created_at: blank.created_at + chrono::Duration::hours(hour),
            ..blank
        }
    }

    proptest::proptest! {
        #[test]
        fn units_are_the_reports_sorted_by_customer_product_time_and_id(
            rows in proptest::collection::vec(
                (proptest::option::of("(zy|zyadsl012345678|zyadsl0123456789)[ab]{0,3}"), 0usize..4, 0i64..3, proptest::bool::weighted(0.9)),
                0..80,
            ),
        ) {
            // Customer ids that share their first sixteen bytes or differ in them, either side
            // of fifteen bytes (whole in their key or not), products
            // whose codes are not in name order, few times, ids not in row order, and
            // reports that are not faults or have no customer (left out).
            let products = ["宽带", "E9", "ADSL", "E8"];
            let orders: Orders = rows
                .iter()
                .enumerate()
                .map(|(i, (c, p, h, fault))| {
                    let ty = if *fault { OrderType::Fault } else { OrderType::Install };
                    report(c.as_deref(), products[*p], *h, format!("GZ{}", (i * 7919) % 1009), ty)
                })
                .collect();
            let mut config = Config::default();
            config.faults.repeat_window = RepeatWindow::CalendarMonth;
            let earlier = Orders::default();
            let got = units(&orders, 0..orders.len(), &earlier, &config);
            let mut want: Vec<(&str, &str, i64, &str, usize)> = (0..orders.len())
                .filter(|&i| orders.order_type[i] == OrderType::Fault)
                .filter_map(|i| {
                    Some((orders.customer_id.get(i)?, orders.product.get(i), orders.created_at.0[i], orders.order_id.get(i), i))
                })
                .collect();
            want.sort();
            proptest::prop_assert_eq!(&got.rows, &want.iter().map(|w| w.4).collect::<Vec<_>>());
            let mut at = 0;
            for unit in &got.units {
                let run = &want[unit.reports.clone()];
                proptest::prop_assert_eq!(unit.reports.start, at);
                proptest::prop_assert!(run.iter().all(|w| (w.0, w.1) == unit.key));
                proptest::prop_assert_eq!(unit.repeat, run.len() >= 2);
                at = unit.reports.end;
            }
            proptest::prop_assert_eq!(at, want.len());
            let keys: Vec<_> = got.units.iter().map(|u| u.key).collect();
            proptest::prop_assert!(keys.windows(2).all(|w| w[0] < w[1]), "one unit per key, in key order");
        }
    }
}

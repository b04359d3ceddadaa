//! 装机履约: installation orders.

use polars::prelude::*;

use super::agg::{aggregate, code_col, count, decode_labels, flag, rate, BY_BRANCH_PRODUCT};
use super::orders::{Due, OrderFlags};
use super::{Ctx, MetricId, MetricRow};
use crate::model::{OrderType, Orders};

/// install.* metrics, per branch and product (grouped on the labels' codes).
pub(super) fn compute(t: &Orders, idx: &[usize], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let o: Vec<usize> = idx.iter().copied().filter(|&i| t.order_type[i] == OrderType::Install).collect();
    let rows: Vec<(usize, OrderFlags)> =
        o.iter().map(|&i| (i, OrderFlags::of(Due::at(t, i), ctx.config, ctx.period.end()))).collect();
    let df = DataFrame::new(
        rows.len(),
        vec![
            code_col("branch", &rows, |r| t.branch.code(r.0)),
            code_col("product", &rows, |r| t.product.code(r.0)),
            flag("orders", &rows, |_| true),
            flag("appointed", &rows, |r| super::orders::deadline(Due::at(t, r.0), ctx.config).is_some()),
            flag("ontime", &rows, |r| r.1.ontime),
            flag("ontime_den", &rows, |r| r.1.ontime_den),
            flag("pending", &rows, |r| r.1.pending),
            flag("late", &rows, |r| r.1.late),
        ],
    )?;
    let mut out = aggregate(
        &df,
        &[
            count(MetricId::InstallOrders, "orders"),
            rate(MetricId::InstallAppointmentRate, "appointed", "orders"),
            rate(MetricId::InstallOntimeRate, "ontime", "ontime_den"),
            count(MetricId::InstallPending, "pending"),
            count(MetricId::InstallLate, "late"),
        ],
        BY_BRANCH_PRODUCT,
        ctx.small_sample(),
    )?;
    decode_labels(&mut out, t.branch.values(), t.product.values());
    Ok(out)
}

//! 装机履约: installation orders.

use polars::prelude::*;

use super::agg::{aggregate, count, flag, rate, str_col, BY_BRANCH_PRODUCT};
use super::orders::OrderFlags;
use super::{Ctx, MetricId, MetricRow};
use crate::model::{OrderType, WorkOrder};

/// install.* metrics, per branch and product.
pub(super) fn compute(orders: &[&WorkOrder], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let o: Vec<&WorkOrder> = orders.iter().copied().filter(|o| o.order_type == OrderType::Install).collect();
    let flags: Vec<OrderFlags> = o.iter().map(|o| OrderFlags::of(o, ctx.config, ctx.period.end())).collect();
    let rows: Vec<(&WorkOrder, &OrderFlags)> = o.iter().copied().zip(&flags).collect();
    let df = DataFrame::new(
        rows.len(),
        vec![
            str_col("branch", &rows, |r| &r.0.branch),
            str_col("product", &rows, |r| &r.0.product),
            flag("orders", &rows, |_| true),
            flag("appointed", &rows, |r| super::orders::deadline(r.0, ctx.config).is_some()),
            flag("ontime", &rows, |r| r.1.ontime),
            flag("ontime_den", &rows, |r| r.1.ontime_den),
            flag("pending", &rows, |r| r.1.pending),
            flag("late", &rows, |r| r.1.late),
        ],
    )?;
    aggregate(
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
    )
}

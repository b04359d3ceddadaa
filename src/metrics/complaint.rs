//! 投诉: complaints, channels, categories, escalations, overdue per department.

use polars::prelude::*;

use super::agg::{aggregate, count, f64_col, flag, mean, rate, str_col, value_counts, BY_BRANCH};
use super::orders::{hours_to_complete, Due, OrderFlags};
use super::{Ctx, Group, MetricId, MetricRow};
use crate::model::{OrderType, Orders};

/// Label for an empty channel, category or department.
pub(crate) const NOT_GIVEN: &str = "未填写";

/// How severe an escalation channel is: the position in `words` (`escalation_channels`) of the
/// last listed word the channel contains (the last listed is the most severe); `None` = not
/// escalated.
pub(crate) fn escalation_severity(channel: Option<&str>, words: &[String]) -> Option<usize> {
    let channel = channel?;
    words.iter().rposition(|w| channel.contains(w.as_str()))
}

/// An optional text, or 未填写.
fn text(v: Option<&str>) -> &str {
    v.unwrap_or(NOT_GIVEN)
}

/// complaint.* metrics, per branch, with groups per channel, category and department.
pub(crate) fn compute(t: &Orders, idx: &[usize], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let c: Vec<usize> = idx.iter().copied().filter(|&i| t.order_type[i] == OrderType::Complaint).collect();
    let rows: Vec<(usize, OrderFlags)> =
        c.iter().map(|&i| (i, OrderFlags::of(Due::at(t, i), ctx.config, ctx.period.end()))).collect();
    let words = &ctx.config.complaints.escalation_channels;
    let escalated = |i: usize| escalation_severity(t.channel.get(i), words).is_some();
    let df = DataFrame::new(
        rows.len(),
        vec![
            str_col("branch", &rows, |r| t.branch.get(r.0)),
            str_col("product", &rows, |r| t.product.get(r.0)),
            str_col("channel", &rows, |r| text(t.channel.get(r.0))),
            str_col("category", &rows, |r| text(t.category.get(r.0))),
            str_col("department", &rows, |r| text(t.department.get(r.0))),
            flag("count", &rows, |_| true),
            flag("escalated", &rows, |r| escalated(r.0)),
            flag("ontime", &rows, |r| r.1.ontime),
            flag("ontime_den", &rows, |r| r.1.ontime_den),
            flag("pending", &rows, |r| r.1.pending),
            flag("late", &rows, |r| r.1.late),
            flag("justified", &rows, |r| t.justified[r.0] == Some(true)),
            flag("fc_num", &rows, |r| t.completed_at.get(r.0).is_some() && t.first_close[r.0] == Some(true)),
            flag("fc_den", &rows, |r| t.completed_at.get(r.0).is_some() && t.first_close[r.0].is_some()),
            f64_col("hours", &rows, |r| hours_to_complete(Due::at(t, r.0))),
        ],
    )?;
    let small = ctx.small_sample();
    let mut out = aggregate(
        &df,
        &[
            count(MetricId::ComplaintCount, "count"),
            count(MetricId::ComplaintEscalated, "escalated"),
            rate(MetricId::ComplaintOntimeRate, "ontime", "ontime_den"),
            count(MetricId::ComplaintPending, "pending"),
            count(MetricId::ComplaintOverdue, "late"),
            rate(MetricId::ComplaintFirstCloseRate, "fc_num", "fc_den"),
            mean(MetricId::ComplaintMeanHandleHours, "hours"),
        ],
        BY_BRANCH,
        small,
    )?;
    let total_only: &[&[&str]] = &[&["channel"]];
    out.extend(sorted(aggregate(&df, &[count(MetricId::ComplaintCount, "count")], total_only, small)?));
    out.extend(sorted(aggregate(&df, &[count(MetricId::ComplaintCount, "count")], &[&["category"]], small)?));
    let esc = df.clone().lazy().filter(col("escalated")).collect()?;
    out.extend(sorted(aggregate(&esc, &[count(MetricId::ComplaintEscalated, "count")], total_only, small)?));
    // SPEC §7.3: escalations per branch and channel too.
    let per_branch: &[&[&str]] = &[&["branch", "channel"]];
    out.extend(sorted(aggregate(&esc, &[count(MetricId::ComplaintEscalated, "count")], per_branch, small)?));
    // The on-time rate per department (the segments of its change, SPEC §8.2).
    out.extend(aggregate(
        &df,
        &[rate(MetricId::ComplaintOntimeRate, "ontime", "ontime_den")],
        &[&["department"]],
        small,
    )?);
    let late = df.clone().lazy().filter(col("late")).collect()?;
    out.extend(sorted(aggregate(&late, &[count(MetricId::ComplaintOverdue, "count")], &[&["department"]], small)?));
    // Justified share: a department's justified complaints / all justified complaints.
    let justified = df.clone().lazy().filter(col("justified")).collect()?;
    let all: f64 = justified.height() as f64;
    if all > 0.0 {
        for (_, dept, n) in value_counts(&justified, "department", false, None)? {
            let mut row = MetricRow {
                group: Group::Department(dept),
                numerator: Some(n),
                denominator: Some(all),
                value: Some(n / all),
                ..MetricRow::new(MetricId::ComplaintJustifiedShare)
            };
            row.set_interval(small);
            out.push(row);
        }
    }
    Ok(out)
}

/// Group rows by count, largest first (then by name).
fn sorted(mut rows: Vec<MetricRow>) -> Vec<MetricRow> {
    rows.sort_by(|a, b| b.value.unwrap_or(0.0).total_cmp(&a.value.unwrap_or(0.0)).then_with(|| a.group.cmp(&b.group)));
    rows
}

//! 话务: hotline metrics.

use polars::prelude::*;

use super::agg::{aggregate, count, f64_col, flag, mean, rate, str_col, BY_BRANCH};
use super::{Ctx, MetricId, MetricRow, UNKNOWN_BRANCH};
use crate::config::SlDenominator;
use crate::model::Calls;

/// calls.* metrics: totals, per branch, and per day (group `day=YYYY-MM-DD`). `idx` is the
/// canonical row order of `t`.
pub(super) fn compute(t: &Calls, idx: &[usize], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let cfg = &ctx.config.calls;
    let (answered, wait) = (&t.answered, &t.wait_seconds);
    // Calls abandoned within short_abandon_seconds leave offered.
    let offered = |i: usize| !(cfg.short_abandon_seconds > 0.0 && !answered[i] && wait[i] <= cfg.short_abandon_seconds);
    let within = |&i: &usize| offered(i) && answered[i] && wait[i] <= cfg.service_level_seconds;
    let sl_den = |&i: &usize| match cfg.service_level_denominator {
        SlDenominator::Offered => offered(i),
        SlDenominator::Answered => offered(i) && answered[i],
    };
    let df = DataFrame::new(
        idx.len(),
        vec![
            str_col("branch", idx, |&i| t.branch.get(i).unwrap_or(UNKNOWN_BRANCH)),
            str_col("product", idx, |_| ""),
            day_col(t, idx)?,
            flag("offered", idx, |&i| offered(i)),
            flag("answered", idx, |&i| offered(i) && answered[i]),
            flag("sl_num", idx, within),
            flag("sl_den", idx, sl_den),
            f64_col("wait", idx, |&i| answered[i].then_some(wait[i])),
            f64_col("talk", idx, |&i| if answered[i] { t.talk_seconds[i] } else { None }),
            flag("fcr_num", idx, |&i| answered[i] && t.resolved[i] == Some(true)),
            flag("fcr_den", idx, |&i| answered[i] && t.resolved[i].is_some()),
        ],
    )?;
    let specs = [
        count(MetricId::CallsOffered, "offered"),
        rate(MetricId::CallsAnswerRate, "answered", "offered"),
        rate(MetricId::CallsServiceLevel, "sl_num", "sl_den"),
        mean(MetricId::CallsAsaSeconds, "wait"),
        mean(MetricId::CallsAhtSeconds, "talk"),
        rate(MetricId::CallsFcrRate, "fcr_num", "fcr_den"),
    ];
    let mut rows = aggregate(&df, &specs, BY_BRANCH, ctx.small_sample())?;
    rows.extend(repeat_callers(t, idx, ctx)?);
    // Per day, whole centre: volume and service level for the daily chart.
    let mut days = aggregate(&df, &specs[..3], &[&["day"]], ctx.small_sample())?;
    days.sort_by(|a, b| a.group.cmp(&b.group));
    rows.extend(days);
    Ok(rows)
}

/// calls.repeat_caller_rate: callers with another call within `repeat_call_hours` / distinct
/// callers. A caller belongs to the branch of their first call of the month.
fn repeat_callers(t: &Calls, idx: &[usize], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let window = (ctx.config.calls.repeat_call_hours * 3600.0) as i64 * 1_000_000_000;
    let starts = &t.start_time.0;
    // Callers' calls by time: one sort of (caller, time) instead of a map of vectors.
    let mut by_caller: Vec<(&str, i64, usize)> =
        idx.iter().filter_map(|&i| t.caller.get(i).map(|c| (c, starts[i], i))).collect();
    // Ties in time keep the canonical order (the position in `idx`), as the stable sort of
    // each caller's calls did.
    by_caller.sort_by(|a, b| a.0.cmp(b.0).then(a.1.cmp(&b.1)));
    let mut callers: Vec<(&str, bool)> = Vec::new();
    let mut k = 0;
    while k < by_caller.len() {
        let caller = by_caller[k].0;
        let mut end = k + 1;
        while end < by_caller.len() && by_caller[end].0 == caller {
            end += 1;
        }
        let run = &by_caller[k..end];
        let repeat = run.windows(2).any(|w| w[1].1 - w[0].1 <= window);
        callers.push((t.branch.get(run[0].2).unwrap_or(UNKNOWN_BRANCH), repeat));
        k = end;
    }
    callers.sort();
    let df = DataFrame::new(
        callers.len(),
        vec![
            str_col("branch", &callers, |c| c.0),
            str_col("product", &callers, |_| ""),
            flag("callers", &callers, |_| true),
            flag("repeat", &callers, |c| c.1),
        ],
    )?;
    aggregate(&df, &[rate(MetricId::CallsRepeatCallerRate, "repeat", "callers")], BY_BRANCH, ctx.small_sample())
}

/// The call's day as a polars Date column (grouped on, shown as YYYY-MM-DD).
fn day_col(t: &Calls, idx: &[usize]) -> PolarsResult<Column> {
    const DAY: i64 = 86_400 * 1_000_000_000;
    let days: Vec<i32> = idx.iter().map(|&i| t.start_time.0[i].div_euclid(DAY) as i32).collect();
    Column::new("day".into(), days).cast(&DataType::Date)
}

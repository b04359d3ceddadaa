//! 话务: hotline metrics.

use polars::prelude::*;
use rustc_hash::FxHashMap;

use super::agg::{aggregate, count, f64_col, flag, mean, rate, str_col, BY_BRANCH};
use super::{Ctx, MetricId, MetricRow, UNKNOWN_BRANCH};
use crate::config::SlDenominator;
use crate::model::Call;

/// calls.* metrics: totals, per branch, and per day (group `day=YYYY-MM-DD`).
pub(super) fn compute(calls: &[&Call], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let cfg = &ctx.config.calls;
    // Calls abandoned within short_abandon_seconds leave offered.
    let offered =
        |c: &&Call| !(cfg.short_abandon_seconds > 0.0 && !c.answered && c.wait_seconds <= cfg.short_abandon_seconds);
    let within = |c: &&Call| offered(c) && c.answered && c.wait_seconds <= cfg.service_level_seconds;
    let sl_den = |c: &&Call| match cfg.service_level_denominator {
        SlDenominator::Offered => offered(c),
        SlDenominator::Answered => offered(c) && c.answered,
    };
    let df = DataFrame::new(
        calls.len(),
        vec![
            str_col("branch", calls, |c| c.branch.as_deref().unwrap_or(UNKNOWN_BRANCH)),
            str_col("product", calls, |_| ""),
            day_col(calls)?,
            flag("offered", calls, offered),
            flag("answered", calls, |c| offered(c) && c.answered),
            flag("sl_num", calls, within),
            flag("sl_den", calls, sl_den),
            f64_col("wait", calls, |c| c.answered.then_some(c.wait_seconds)),
            f64_col("talk", calls, |c| if c.answered { c.talk_seconds } else { None }),
            flag("fcr_num", calls, |c| c.answered && c.resolved == Some(true)),
            flag("fcr_den", calls, |c| c.answered && c.resolved.is_some()),
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
    rows.extend(repeat_callers(calls, ctx)?);
    // Per day, whole centre: volume and service level for the daily chart.
    let mut days = aggregate(&df, &specs[..3], &[&["day"]], ctx.small_sample())?;
    days.sort_by(|a, b| a.group.cmp(&b.group));
    rows.extend(days);
    Ok(rows)
}

/// calls.repeat_caller_rate: callers with another call within `repeat_call_hours` / distinct
/// callers. A caller belongs to the branch of their first call of the month.
fn repeat_callers(calls: &[&Call], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let window = chrono::Duration::seconds((ctx.config.calls.repeat_call_hours * 3600.0) as i64);
    let mut by_caller: FxHashMap<&str, Vec<&Call>> = FxHashMap::default();
    for &c in calls {
        if let Some(caller) = c.caller.as_deref() {
            by_caller.entry(caller).or_default().push(c);
        }
    }
    let mut callers: Vec<(&str, bool)> = by_caller
        .into_values()
        .map(|mut v| {
            v.sort_by_key(|c| c.start_time);
            let repeat = v.windows(2).any(|w| w[1].start_time - w[0].start_time <= window);
            (v[0].branch.as_deref().unwrap_or(UNKNOWN_BRANCH), repeat)
        })
        .collect();
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
fn day_col(calls: &[&Call]) -> PolarsResult<Column> {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("valid date");
    let days: Vec<i32> = calls.iter().map(|c| (c.start_time.date() - epoch).num_days() as i32).collect();
    Column::new("day".into(), days).cast(&DataType::Date)
}

//! 回访满意度: callback surveys.

use polars::prelude::*;

use std::collections::BTreeMap;

use super::agg::{aggregate, count, flag, rate, str_col, BY_BRANCH};
use super::{Ctx, Group, MetricId, MetricRow, UNKNOWN_BRANCH};
use crate::model::Surveys;

/// A contacted callback that was not satisfied, or answered no on timeliness or attitude
/// (SPEC §7.5).
pub(crate) fn dissatisfied(t: &Surveys, i: usize) -> bool {
    t.contacted[i] && (t.satisfied[i] == Some(false) || t.timely[i] == Some(false) || t.attitude[i] == Some(false))
}

/// survey.* metrics, per branch.
pub(super) fn compute(t: &Surveys, idx: &[usize], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let s = idx;
    let c = &t.contacted;
    let df = DataFrame::new(
        s.len(),
        vec![
            str_col("branch", s, |&i| t.branch.get(i).unwrap_or(UNKNOWN_BRANCH)),
            flag("attempted", s, |_| true),
            flag("contacted", s, |&i| c[i]),
            flag("sat_num", s, |&i| c[i] && t.satisfied[i] == Some(true)),
            flag("sat_den", s, |&i| c[i] && t.satisfied[i].is_some()),
            flag("timely_num", s, |&i| c[i] && t.timely[i] == Some(true)),
            flag("timely_den", s, |&i| c[i] && t.timely[i].is_some()),
            flag("att_num", s, |&i| c[i] && t.attitude[i] == Some(true)),
            flag("att_den", s, |&i| c[i] && t.attitude[i].is_some()),
            flag("dissatisfied", s, |&i| dissatisfied(t, i)),
        ],
    )?;
    let mut rows = aggregate(
        &df,
        &[
            count(MetricId::SurveyAttempted, "attempted"),
            rate(MetricId::SurveyContactRate, "contacted", "attempted"),
            rate(MetricId::SurveySatisfactionRate, "sat_num", "sat_den"),
            rate(MetricId::SurveyTimelyRate, "timely_num", "timely_den"),
            rate(MetricId::SurveyAttitudeRate, "att_num", "att_den"),
            count(MetricId::SurveyDissatisfied, "dissatisfied"),
        ],
        BY_BRANCH,
        ctx.small_sample(),
    )?;
    rows.extend(reasons(t, idx, ctx));
    Ok(rows)
}

/// `survey.dissatisfied_reason`: each category's share of the dissatisfied callbacks, in
/// total and per branch; largest first (then by name).
fn reasons(t: &Surveys, idx: &[usize], ctx: &Ctx) -> Vec<MetricRow> {
    let cats = &ctx.config.surveys.reason_categories;
    // branch ("" = all) -> category -> count
    let mut counts: BTreeMap<&str, BTreeMap<String, f64>> = BTreeMap::new();
    for &i in idx.iter().filter(|&&i| dissatisfied(t, i)) {
        let cat = cats.of(t.reason.get(i));
        let branch = t.branch.get(i).unwrap_or(UNKNOWN_BRANCH);
        *counts.entry("").or_default().entry(cat.clone()).or_default() += 1.0;
        *counts.entry(branch).or_default().entry(cat).or_default() += 1.0;
    }
    let mut rows = Vec::new();
    for (branch, by_cat) in counts {
        let all: f64 = by_cat.values().sum();
        let mut by_cat: Vec<(String, f64)> = by_cat.into_iter().collect();
        by_cat.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (cat, n) in by_cat {
            let mut row = MetricRow {
                branch: branch.to_string(),
                group: Group::Reason(cat),
                numerator: Some(n),
                denominator: Some(all),
                value: Some(n / all),
                ..MetricRow::new(MetricId::SurveyDissatisfiedReason)
            };
            row.set_interval(ctx.small_sample());
            rows.push(row);
        }
    }
    rows
}

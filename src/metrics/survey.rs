//! 回访满意度: callback surveys.

use polars::prelude::*;

use std::collections::BTreeMap;

use super::agg::{aggregate, count, flag, rate, str_col, BY_BRANCH};
use super::{Ctx, Group, MetricId, MetricRow, UNKNOWN_BRANCH};
use crate::model::Survey;

/// A contacted callback that was not satisfied, or answered no on timeliness or attitude
/// (SPEC §7.5).
pub(crate) fn dissatisfied(s: &Survey) -> bool {
    s.contacted && (s.satisfied == Some(false) || s.timely == Some(false) || s.attitude == Some(false))
}

/// survey.* metrics, per branch.
pub(super) fn compute(surveys: &[&Survey], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let s = surveys;
    let df = DataFrame::new(
        s.len(),
        vec![
            str_col("branch", s, |s| s.branch.as_deref().unwrap_or(UNKNOWN_BRANCH)),
            str_col("product", s, |_| ""),
            flag("attempted", s, |_| true),
            flag("contacted", s, |s| s.contacted),
            flag("sat_num", s, |s| s.contacted && s.satisfied == Some(true)),
            flag("sat_den", s, |s| s.contacted && s.satisfied.is_some()),
            flag("timely_num", s, |s| s.contacted && s.timely == Some(true)),
            flag("timely_den", s, |s| s.contacted && s.timely.is_some()),
            flag("att_num", s, |s| s.contacted && s.attitude == Some(true)),
            flag("att_den", s, |s| s.contacted && s.attitude.is_some()),
            flag("dissatisfied", s, |s| dissatisfied(s)),
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
    rows.extend(reasons(s, ctx));
    Ok(rows)
}

/// `survey.dissatisfied_reason`: each category's share of the dissatisfied callbacks, in
/// total and per branch; largest first (then by name).
fn reasons(surveys: &[&Survey], ctx: &Ctx) -> Vec<MetricRow> {
    let cats = &ctx.config.surveys.reason_categories;
    // branch ("" = all) -> category -> count
    let mut counts: BTreeMap<&str, BTreeMap<String, f64>> = BTreeMap::new();
    for s in surveys.iter().filter(|s| dissatisfied(s)) {
        let cat = cats.of(s.reason.as_deref());
        let branch = s.branch.as_deref().unwrap_or(UNKNOWN_BRANCH);
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

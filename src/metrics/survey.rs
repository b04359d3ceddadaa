//! 回访满意度: callback surveys.

use polars::prelude::*;

use std::collections::BTreeMap;

use super::agg::{aggregate, code_col, count, decode_branches, flag, rate, BY_BRANCH};
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
    // The branch is grouped on as its dictionary code (a survey without one as
    // UNKNOWN_BRANCH's), the rows given their names back afterwards.
    let (names, unknown) = super::calls::branch_names(&t.branch);
    let code = |i: usize| match t.branch.code(i) {
        crate::model::columns::NONE => unknown,
        c => c,
    };
    let df = DataFrame::new(
        s.len(),
        vec![
            code_col("branch", s, |&i| code(i)),
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
    decode_branches(&mut rows, &names);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{Source, Survey};

    fn survey(branch: Option<&'static str>, contacted: bool, satisfied: Option<bool>) -> Survey<'static> {
        Survey {
            src: Source { sheet: 0, row: 2 },
            survey_id: None,
            order_id: None,
            branch: branch.map(Into::into),
            surveyed_at: chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap().and_hms_opt(9, 0, 0).unwrap(),
            contacted,
            satisfied,
            score: None,
            timely: None,
            attitude: None,
            reason: None,
        }
    }

    #[test]
    fn surveys_without_a_branch_count_under_the_unknown_branch() {
        // Branches grouped on as codes: a survey without one (its order gave none either)
        // is 未知分公司's, a name of its own beside the others.
        let t: Surveys = [
            survey(Some("东区"), true, Some(true)),
            survey(None, true, Some(false)),
            survey(Some("西区"), false, None),
            survey(None, true, Some(true)),
            survey(Some("东区"), true, Some(false)),
        ]
        .into_iter()
        .collect();
        let config = Config::default();
        let ctx = Ctx { config: &config, period: "2026-10".parse().unwrap() };
        let rows = compute(&t, &(0..t.len()).collect::<Vec<_>>(), &ctx).unwrap();
        let sat = |branch: &str| {
            rows.iter()
                .find(|r| r.metric == MetricId::SurveySatisfactionRate && r.branch == branch && r.group == Group::None)
                .map(|r| (r.numerator, r.denominator))
        };
        assert_eq!(sat(""), Some((Some(2.0), Some(4.0))));
        assert_eq!(sat("东区"), Some((Some(1.0), Some(2.0))));
        assert_eq!(sat(UNKNOWN_BRANCH), Some((Some(1.0), Some(2.0))));
        let attempted = |branch: &str| {
            rows.iter().find(|r| r.metric == MetricId::SurveyAttempted && r.branch == branch).and_then(|r| r.numerator)
        };
        assert_eq!(attempted("西区"), Some(1.0));
        assert_eq!(attempted(UNKNOWN_BRANCH), Some(2.0));
        assert!(rows.iter().all(|r| r.branch.parse::<u32>().is_err()), "every code named again");
    }
}

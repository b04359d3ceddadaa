//! 回访满意度: callback surveys.

use polars::prelude::*;

use super::agg::{aggregate, count, flag, rate, str_col, BY_BRANCH};
use super::{Ctx, MetricId, MetricRow, UNKNOWN_BRANCH};
use crate::model::Survey;

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
        ],
    )?;
    aggregate(
        &df,
        &[
            count(MetricId::SurveyAttempted, "attempted"),
            rate(MetricId::SurveyContactRate, "contacted", "attempted"),
            rate(MetricId::SurveySatisfactionRate, "sat_num", "sat_den"),
            rate(MetricId::SurveyTimelyRate, "timely_num", "timely_den"),
            rate(MetricId::SurveyAttitudeRate, "att_num", "att_den"),
        ],
        BY_BRANCH,
        ctx.small_sample(),
    )
}

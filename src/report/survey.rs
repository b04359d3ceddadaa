//! 回访满意度: callback satisfaction by branch with intervals.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder) -> Section {
    let mut s = new_section("survey", L::SheetSurvey, b);
    let metrics = [
        MetricId::SurveyAttempted,
        MetricId::SurveyContactRate,
        MetricId::SurveySatisfactionRate,
        MetricId::SurveyTimelyRate,
        MetricId::SurveyAttitudeRate,
    ];
    let mut table = b.branch_table("survey.branches", b.text(L::SatisfactionByBranch), "", &metrics);
    // The interval of the satisfaction rate, shown next to it.
    table.columns.insert(4, b.text(L::Interval95));
    table.kinds.insert(4, ColKind::Text);
    let interval = |branch: &str| match b.idx.plain(MetricId::SurveySatisfactionRate, branch, "") {
        Some(MetricRow { ci_low: Some(lo), ci_high: Some(hi), .. }) => V::Text(format!("{}–{}", pct(*lo), pct(*hi))),
        _ => V::Empty,
    };
    for row in &mut table.rows {
        let branch = match &row[0] {
            V::Text(s) => s.clone(),
            _ => String::new(),
        };
        row.insert(4, interval(&branch));
    }
    if let Some(total) = &mut table.total {
        total.insert(4, interval(""));
    }
    b.with_history(&mut table, MetricId::SurveySatisfactionRate);
    s.tables.push(table);
    s.tables.push(b.group_table(
        "survey.reasons",
        L::DissatisfactionReasons,
        MetricId::SurveyDissatisfiedReason,
        GroupKind::Reason,
        L::ReasonCategory,
    ));
    s.charts.push(Chart {
        title: b.text(L::ReasonsPareto),
        kind: ChartKind::Pareto,
        table: "survey.reasons".into(),
        category: 0,
        series: vec![1],
        target: None,
        percent: false,
    });
    s.charts.push(Chart {
        title: b.text(L::SatisfactionChartTitle),
        kind: ChartKind::Column,
        table: "survey.branches".into(),
        category: 0,
        series: vec![3],
        target: target_of(b, MetricId::SurveySatisfactionRate),
        percent: true,
    });
    s
}

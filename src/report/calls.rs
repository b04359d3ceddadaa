//! 话务: the hotline by branch and by day.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder) -> Section {
    let mut s = new_section("calls", L::SheetCalls, b);
    let metrics = [
        MetricId::CallsOffered,
        MetricId::CallsAnswerRate,
        MetricId::CallsServiceLevel,
        MetricId::CallsAsaSeconds,
        MetricId::CallsAhtSeconds,
        MetricId::CallsFcrRate,
        MetricId::CallsRepeatCallerRate,
    ];
    let present: Vec<MetricId> = metrics.iter().copied().filter(|m| b.idx.plain(*m, "", "").is_some()).collect();
    let mut table = b.branch_table("calls.branches", b.text(L::HotlineByBranch), "", &present);
    b.with_history(&mut table, MetricId::CallsAnswerRate);
    s.tables.push(table);
    // Daily volume and service level.
    let mut days: Vec<(String, V, V)> = b
        .idx
        .groups(MetricId::CallsOffered, "", GroupKind::Day)
        .map(|r| {
            (
                r.group.name(),
                V::Count(r.value.unwrap_or(0.0)),
                b.cell(b.idx.get(MetricId::CallsServiceLevel, "", "", &r.group)),
            )
        })
        .collect();
    days.sort_by(|a, b| a.0.cmp(&b.0));
    s.tables.push(Table {
        id: "calls.daily".into(),
        title: b.text(L::DailyVolumeAndServiceLevel),
        columns: vec![b.text(L::Date), b.label(MetricId::CallsOffered), b.label(MetricId::CallsServiceLevel)],
        kinds: vec![ColKind::Text, ColKind::Number, ColKind::Number],
        rows: days.into_iter().map(|(d, n, sl)| vec![V::Text(d), n, sl]).collect(),
        total: None,
    });
    let ar = present.iter().position(|m| *m == MetricId::CallsAnswerRate).map(|i| i + 1);
    if let Some(col) = ar {
        s.charts.push(Chart {
            title: b.text(L::AnswerRateByBranch),
            kind: ChartKind::Column,
            table: "calls.branches".into(),
            category: 0,
            series: vec![col],
            target: target_of(b, MetricId::CallsAnswerRate),
            percent: true,
        });
    }
    s.charts.push(Chart {
        title: b.text(L::DailyCallsAndServiceLevel),
        kind: ChartKind::ColumnLine,
        table: "calls.daily".into(),
        category: 0,
        series: vec![1, 2],
        target: target_of(b, MetricId::CallsServiceLevel),
        percent: false,
    });
    s
}

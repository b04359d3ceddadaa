//! 趋势: the headline rates over the last 12 months of history.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder) -> Section {
    let mut s = new_section("trend", L::SheetTrend, b);
    let metrics = [
        MetricId::CallsAnswerRate,
        MetricId::CallsServiceLevel,
        MetricId::InstallOntimeRate,
        MetricId::FaultRepeatRate,
        MetricId::FaultRestoreOntimeRate,
        MetricId::ComplaintOntimeRate,
        MetricId::SurveySatisfactionRate,
    ];
    let series: Vec<Vec<(Period, Option<f64>)>> = metrics
        .iter()
        .map(|m| b.history.series(&MetricKey::total(*m), b.period, 12, b.idx.plain(*m, "", "").and_then(|r| r.value)))
        .collect();
    let mut columns = vec![b.text(L::Month)];
    columns.extend(metrics.iter().map(|m| b.label(*m)));
    let mut kinds = vec![ColKind::Text];
    kinds.extend(metrics.iter().map(|_| ColKind::Number));
    let months: Vec<Period> = series.first().map(|s| s.iter().map(|(m, _)| *m).collect()).unwrap_or_default();
    let body: Vec<Vec<V>> = months
        .iter()
        .enumerate()
        .filter(|(i, _)| series.iter().any(|s| s[*i].1.is_some()))
        .map(|(i, m)| {
            let mut row = vec![V::Text(m.to_string())];
            row.extend(series.iter().map(|s| s[i].1.map_or(V::Empty, |v| V::Rate { v, small: false, met: None })));
            row
        })
        .collect();
    s.tables.push(Table {
        id: "trend.months".into(),
        title: b.text(L::TrendTableTitle),
        columns,
        kinds,
        rows: body,
        total: None,
    });
    s.charts.push(Chart {
        title: b.text(L::TrendChartTitle),
        kind: ChartKind::Line,
        table: "trend.months".into(),
        category: 0,
        series: (1..=metrics.len()).collect(),
        target: None,
        percent: true,
    });
    s
}

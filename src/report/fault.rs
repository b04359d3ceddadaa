//! 故障: faults by product and branch, repeat faults, restoration, top phenomena and causes.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder, products: &[String]) -> Section {
    let mut s = new_section("fault", L::SheetFaults, b);
    let metrics = [
        MetricId::FaultReports,
        MetricId::FaultCustomers,
        MetricId::FaultRepeatCustomers,
        MetricId::FaultRepeatRate,
        MetricId::FaultRestoreOntimeRate,
        MetricId::FaultMeanRestoreHours,
        MetricId::FaultRestoreHoursP50,
        MetricId::FaultRestoreHoursP90,
        MetricId::FaultUnknownCauseRate,
        MetricId::FaultPreprocessRate,
    ];
    let present: Vec<MetricId> = metrics.iter().copied().filter(|m| b.idx.plain(*m, "", "").is_some()).collect();
    s.tables.push(product_table(b, "fault.products", b.text(L::FaultsByProduct), products, &present));
    // Repeat rate: branch × product.
    let mut columns = vec![b.text(L::Branch)];
    columns.extend(products.iter().map(|p| format!("{p}{}", b.label(MetricId::FaultRepeatRate))));
    columns.push(format!("{}{}", b.text(L::AllOf), b.label(MetricId::FaultRepeatRate)));
    let mut kinds = vec![ColKind::Text];
    kinds.extend(std::iter::repeat_n(ColKind::Number, products.len() + 1));
    let rows = b
        .branches
        .iter()
        .filter(|br| b.idx.plain(MetricId::FaultReports, br, "").is_some())
        .map(|br| {
            let mut row = vec![V::Text(br.clone())];
            row.extend(products.iter().map(|p| b.cell(b.idx.plain(MetricId::FaultRepeatRate, br, p))));
            row.push(b.cell(b.idx.plain(MetricId::FaultRepeatRate, br, "")));
            row
        })
        .collect();
    let (label, idx) = b.total_of_branches();
    let mut total = vec![V::Text(b.text(label))];
    total.extend(products.iter().map(|p| b.cell(idx.plain(MetricId::FaultRepeatRate, "", p))));
    total.push(b.cell(idx.plain(MetricId::FaultRepeatRate, "", "")));
    s.tables.push(Table {
        id: "fault.repeat".into(),
        title: b.text(L::RepeatTableTitle),
        columns,
        kinds,
        rows,
        total: Some(total),
    });
    let mut table = b.branch_table(
        "fault.branches",
        b.text(L::RestorationByBranch),
        "",
        &[
            MetricId::FaultReports,
            MetricId::FaultRestoreOntimeRate,
            MetricId::FaultMeanRestoreHours,
            MetricId::FaultRestoreHoursP90,
        ],
    );
    b.with_history(&mut table, MetricId::FaultRestoreOntimeRate);
    s.tables.push(table);
    for (metric, name) in
        [(MetricId::FaultTopPhenomena, b.text(L::Phenomenon)), (MetricId::FaultTopCauses, b.text(L::Cause))]
    {
        let mut rows = Vec::new();
        for p in std::iter::once(String::new()).chain(products.iter().cloned()) {
            let mut ranked: Vec<&MetricRow> = b.idx.groups(metric, &p, GroupKind::Rank).collect();
            ranked.sort_by(|a, b| a.group.cmp(&b.group));
            for r in ranked {
                let Group::Rank { rank, value } = &r.group else { continue };
                let (rank, value) = (rank.to_string(), value.clone());
                let product = if p.is_empty() { b.text(L::All) } else { p.clone() };
                rows.push(vec![
                    V::Text(product),
                    V::Text(rank),
                    V::Text(value),
                    V::Count(r.numerator.unwrap_or(0.0)),
                    b.cell(Some(r)),
                ]);
            }
        }
        s.tables.push(Table {
            id: metric.as_str().into(),
            title: b.label(metric),
            columns: vec![b.text(L::Product), b.text(L::Rank), name, b.text(L::Reports), b.text(L::Share)],
            kinds: vec![ColKind::Text, ColKind::Text, ColKind::Text, ColKind::Number, ColKind::Number],
            rows,
            total: None,
        });
    }
    let repeat_cols: Vec<usize> = (1..=products.len()).collect();
    s.charts.push(Chart {
        title: b.text(L::RepeatChartTitle),
        kind: ChartKind::Column,
        table: "fault.repeat".into(),
        category: 0,
        series: repeat_cols,
        target: target_of(b, MetricId::FaultRepeatRate),
        percent: true,
    });
    if let Some(col) = present.iter().position(|m| *m == MetricId::FaultRestoreOntimeRate) {
        s.charts.push(Chart {
            title: b.text(L::RestorationOnTimeByProduct),
            kind: ChartKind::Column,
            table: "fault.products".into(),
            category: 0,
            series: vec![col + 1],
            target: target_of(b, MetricId::FaultRestoreOntimeRate),
            percent: true,
        });
    }
    s
}

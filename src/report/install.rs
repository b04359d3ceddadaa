//! 装机履约: installations by branch and product.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder, products: &[String]) -> Section {
    let mut s = new_section("install", L::SheetInstall, b);
    let metrics = [
        MetricId::InstallOrders,
        MetricId::InstallAppointmentRate,
        MetricId::InstallOntimeRate,
        MetricId::InstallPending,
        MetricId::InstallLate,
    ];
    let mut table = b.branch_table("install.branches", b.text(L::InstallationsByBranch), "", &metrics);
    b.with_history(&mut table, MetricId::InstallOntimeRate);
    s.tables.push(table);
    s.tables.push(product_table(b, "install.products", b.text(L::InstallationsByProduct), products, &metrics));
    s.charts.push(Chart {
        title: b.text(L::OnTimeRateByBranch),
        kind: ChartKind::Column,
        table: "install.branches".into(),
        category: 0,
        series: vec![3],
        target: target_of(b, MetricId::InstallOntimeRate),
        percent: true,
    });
    s
}

//! 装机履约: installations by branch and product.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder, products: &[String]) -> Section {
    let lang = b.lang;
    let mut s = new_section("install", L::SheetInstall, lang);
    let metrics = [
        MetricId::InstallOrders,
        MetricId::InstallAppointmentRate,
        MetricId::InstallOntimeRate,
        MetricId::InstallPending,
        MetricId::InstallLate,
    ];
    let mut table = b.branch_table("install.branches", L::InstallationsByBranch.text(lang).into(), "", &metrics);
    b.with_history(&mut table, MetricId::InstallOntimeRate);
    s.tables.push(table);
    s.tables.push(product_table(
        b,
        "install.products",
        L::InstallationsByProduct.text(lang).into(),
        products,
        &metrics,
    ));
    s.charts.push(Chart {
        title: L::OnTimeRateByBranch.text(lang).into(),
        kind: ChartKind::Column,
        table: "install.branches".into(),
        category: 0,
        series: vec![3],
        target: target_of(b, MetricId::InstallOntimeRate),
        percent: true,
    });
    s
}

//! 投诉: complaints by branch, channel, category, escalation and department.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder) -> Section {
    let mut s = new_section("complaint", L::SheetComplaints, b);
    let metrics = [
        MetricId::ComplaintCount,
        MetricId::ComplaintEscalated,
        MetricId::ComplaintOntimeRate,
        MetricId::ComplaintOverdue,
        MetricId::ComplaintPending,
        MetricId::ComplaintFirstCloseRate,
        MetricId::ComplaintMeanHandleHours,
    ];
    let present: Vec<MetricId> = metrics.iter().copied().filter(|m| b.idx.plain(*m, "", "").is_some()).collect();
    let mut table = b.branch_table("complaint.branches", b.text(L::ComplaintsByBranch), "", &present);
    b.with_history(&mut table, MetricId::ComplaintOntimeRate);
    s.tables.push(table);
    // (table id, title, metric, group kind, first column)
    let groups = [
        ("complaint.channels", L::Channels, MetricId::ComplaintCount, GroupKind::Channel, L::Channel),
        ("complaint.categories", L::Categories, MetricId::ComplaintCount, GroupKind::Category, L::Category),
        ("complaint.escalations", L::EscalatedComplaints, MetricId::ComplaintEscalated, GroupKind::Channel, L::Channel),
        ("complaint.overdue", L::OverdueByDepartment, MetricId::ComplaintOverdue, GroupKind::Department, L::Department),
        (
            "complaint.justified",
            L::JustifiedByDepartment,
            MetricId::ComplaintJustifiedShare,
            GroupKind::Department,
            L::Department,
        ),
    ];
    for (id, title, metric, kind, header) in groups {
        s.tables.push(b.group_table(id, title, metric, kind, header));
    }
    for (title, table, kind) in [
        (b.text(L::ComplaintsByChannel), "complaint.channels", ChartKind::Bar),
        (b.text(L::ComplaintCategoriesPareto), "complaint.categories", ChartKind::Pareto),
        (b.text(L::OverdueComplaintsByDepartment), "complaint.overdue", ChartKind::Bar),
    ] {
        s.charts.push(Chart {
            title,
            kind,
            table: table.into(),
            category: 0,
            series: vec![1],
            target: None,
            percent: false,
        });
    }
    s
}

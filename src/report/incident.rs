//! 服务支撑 (sheet 明细-服务支撑): the month's mass-fault incidents, one row each, their
//! sentences, and the fault reports per hour of the incident days.

use super::prelude::*;
use crate::metrics::incident::{most_common, Incident, Place};
use chrono::{Datelike, NaiveDate, Timelike};

/// The incident days drawn in the timeline (those with the most affected customers).
const TIMELINE_DAYS: usize = 6;

/// An incident as the narrative states it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct IncidentFact {
    /// 10月14日 / Oct 14.
    pub date: String,
    /// 08:05.
    pub time: String,
    /// The branch.
    pub branch: String,
    /// 孙家坝5300局站 / 号段5300.
    pub place: String,
    /// Distinct customers.
    pub customers: usize,
    /// Reports.
    pub reports: usize,
    /// The most frequent product of its reports.
    pub product: String,
    /// The most frequent phenomenon.
    pub phenomenon: String,
    /// Hours to the last restoration, one decimal; empty while open.
    pub hours: String,
    /// A report is still open.
    pub open: bool,
}

/// The place as the report names it: a site as written, a prefix as 号段NNNN.
pub(crate) fn place_text(p: &Place, lang: Lang) -> String {
    match (p, lang) {
        (Place::Site(s), _) => s.clone(),
        (Place::Prefix(d), Lang::Zh) => format!("号段{d}"),
        (Place::Prefix(d), Lang::En) => format!("numbers {d}…"),
    }
}

fn day_text(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}月{}日", d.month(), d.day()),
        Lang::En => d.format("%b %-d").to_string(),
    }
}

/// The facts of every incident, in order of start.
pub(crate) fn facts(b: &Builder, data: &Dataset, incidents: &[Incident]) -> Vec<IncidentFact> {
    let t = &data.orders;
    incidents
        .iter()
        .map(|inc| IncidentFact {
            date: day_text(inc.start.date(), b.lang),
            time: inc.start.format("%H:%M").to_string(),
            branch: inc.branch.clone(),
            place: match (&inc.place, b.lang) {
                // 北区5301 → 北区5301局站; a name that already says what it is stays.
                (Place::Site(site), Lang::Zh)
                    if !["局", "站", "房", "设备", "OLT"].iter().any(|w| site.ends_with(w)) =>
                {
                    format!("{site}局站")
                }
                (p, lang) => place_text(p, lang),
            },
            customers: inc.customers,
            reports: inc.reports.len(),
            product: most_common(&inc.reports, |i| Some(t.product.get(i))).unwrap_or_default().to_string(),
            phenomenon: most_common(&inc.reports, |i| t.phenomenon.get(i)).unwrap_or_default().to_string(),
            hours: inc.hours().map(|h| format!("{h:.1}")).unwrap_or_default(),
            open: inc.end.is_none(),
        })
        .collect()
}

/// The section: the incident list (with a 合计 row) and the hourly timeline of the incident
/// days with its chart.
pub(super) fn section(b: &Builder, data: &Dataset, incidents: &[Incident]) -> Section {
    let mut s = new_section("incident", L::SheetIncidents, b);
    let t = &data.orders;
    let rows: Vec<Vec<V>> = incidents
        .iter()
        .map(|inc| {
            let text = |v: Option<&str>| v.map_or(V::Empty, |v| V::Text(v.to_string()));
            vec![
                V::Text(inc.branch.clone()),
                V::Text(place_text(&inc.place, b.lang)),
                V::Time(inc.start),
                inc.end.map_or(V::Text(b.text(L::NotRestored)), V::Time),
                inc.hours().map_or(V::Empty, |h| V::Num(h, Unit::Hours)),
                V::Count(inc.customers as f64),
                V::Count(inc.reports.len() as f64),
                text(most_common(&inc.reports, |i| t.phenomenon.get(i))),
                text(most_common(&inc.reports, |i| t.cause.get(i))),
            ]
        })
        .collect();
    let total = (!incidents.is_empty()).then(|| {
        let mut row = vec![V::Text(b.text(L::Total)), V::Empty, V::Empty, V::Empty, V::Empty];
        row.push(V::Count(incidents.iter().map(|i| i.customers as f64).sum()));
        row.push(V::Count(incidents.iter().map(|i| i.reports.len() as f64).sum()));
        row.extend([V::Empty, V::Empty]);
        row
    });
    s.tables.push(super::Table::with_columns(
        "incident.list",
        L::IncidentListTitle,
        b,
        &[
            (L::Branch, ColKind::Text),
            (L::Place, ColKind::Text),
            (L::IncidentStart, ColKind::Time),
            (L::Restored, ColKind::Time),
            (L::DurationHours, ColKind::Number),
            (L::AffectedCustomers, ColKind::Number),
            (L::Reports, ColKind::Number),
            (L::Phenomenon, ColKind::Text),
            (L::Cause, ColKind::Text),
        ],
        rows,
        total,
    ));
    if let Some(table) = timeline(b, data, incidents) {
        s.charts.push(Chart {
            title: b.text(L::IncidentTimelineTitle),
            kind: ChartKind::Line,
            table: table.id.clone(),
            category: 0,
            series: (1..table.columns.len()).collect(),
            target: None,
            percent: false,
        });
        // Below the sentences, the chart and the incidents, the 24 hours print on a page of
        // their own (they began near the first page's end and ran on without their header).
        s.new_pages.push(table.id.clone());
        s.tables.push(table);
    }
    s
}

/// Fault reports created in each hour of the incident days (the days of the
/// [`TIMELINE_DAYS`] incidents with the most customers), one column per day.
fn timeline(b: &Builder, data: &Dataset, incidents: &[Incident]) -> Option<Table> {
    let mut by_size: Vec<&Incident> = incidents.iter().collect();
    by_size.sort_by(|a, c| c.customers.cmp(&a.customers).then(a.start.cmp(&c.start)));
    let mut days: Vec<NaiveDate> = Vec::new();
    for inc in by_size {
        let d = inc.start.date();
        if !days.contains(&d) {
            days.push(d);
        }
        if days.len() == TIMELINE_DAYS {
            break;
        }
    }
    if days.is_empty() {
        return None;
    }
    days.sort();
    let t = &data.orders;
    let mut counts = vec![[0u32; 24]; days.len()];
    for i in (0..t.len()).filter(|&i| t.order_type[i] == OrderType::Fault) {
        let created = t.created_at.get(i);
        if let Some(d) = days.iter().position(|d| *d == created.date()) {
            counts[d][created.hour() as usize] += 1;
        }
    }
    let mut columns = vec![b.text(L::HourOfDay)];
    columns.extend(days.iter().map(|d| day_text(*d, b.lang)));
    let rows = (0..24)
        .map(|h| {
            let mut row = vec![V::Text(format!("{h:02}:00"))];
            row.extend(counts.iter().map(|c| V::Count(f64::from(c[h]))));
            row
        })
        .collect();
    let mut kinds = vec![ColKind::Text];
    kinds.extend(days.iter().map(|_| ColKind::Number));
    Some(Table {
        id: "incident.timeline".into(),
        title: b.text(L::IncidentTimelineTitle),
        columns,
        kinds,
        rows,
        total: None,
    })
}

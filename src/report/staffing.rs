//! 话务与人力 (SPEC §7.6), sheet 话务人力: agents needed and present per interval, the
//! day × interval heat map of the shortfall, the worst period and next month's forecast.

use super::prelude::*;
use crate::metrics::staffing::{slot_label, Cell, Staffing};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The staffing facts the narrative states.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct StaffingFact {
    /// Calls carry agent ids (else present agents are absent).
    pub has_agents: bool,
    /// The share of intervals with calls that were understaffed, formatted.
    pub understaffed: Option<String>,
    /// Where the service level was lost most: weekday, from, to, late calls, mean shortfall.
    pub worst: Option<WorstFact>,
    /// Next month's forecast, if any.
    pub forecast: Option<ForecastFact>,
    /// Why there is no forecast: "history" (fewer than 2 months) or "period" (not a month).
    pub no_forecast: Option<&'static str>,
}

/// The period where the service level was lost most.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct WorstFact {
    /// 周一 / Monday.
    pub weekday: String,
    /// 09:00.
    pub from: String,
    /// 11:00 (the end of the last interval).
    pub to: String,
    /// Calls offered in those intervals over the month's days of that weekday not answered
    /// within the service-level threshold.
    pub late: String,
    /// Calls offered in them.
    pub offered: String,
    /// The threshold, seconds.
    pub threshold: String,
    /// Mean agents short over those intervals and days: whole agents from one up, one decimal
    /// below, "0" when never short.
    pub short: String,
}

/// Next month's forecast as stated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ForecastFact {
    /// Calls offered next month.
    pub total: String,
    /// Per day.
    pub per_day: String,
    /// Backtest MAPE, formatted.
    pub mape: Option<String>,
    /// Busiest interval and its agents.
    pub peak: Option<Peak>,
}

/// The busiest interval of next month's mean day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Peak {
    /// 10:00.
    pub interval: String,
    /// Agents needed.
    pub agents: String,
}

fn weekday_name(d: NaiveDate, lang: Lang) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let i = d.weekday().num_days_from_monday() as usize;
    if lang == Lang::Zh {
        ZH[i]
    } else {
        EN[i]
    }
}

/// Agents short in a cell (0 when enough or without agent ids).
fn short(c: &Cell) -> u32 {
    c.present.map_or(0, |p| c.needed.saturating_sub(p))
}

/// 话务人力: its own sheet (the heat map's columns would shrink the 话务 sheet's print), under
/// 三、话务 on the page.
pub(super) fn section(b: &Builder, st: &Staffing) -> Section {
    let mut s = new_section("staffing", L::SheetStaffing, b);
    extend(&mut s, b, st);
    s
}

/// The tables and charts of the staffing part.
fn extend(s: &mut Section, b: &Builder, st: &Staffing) {
    if st.cells.is_empty() {
        return;
    }
    let label = |slot: u32| slot_label(slot, st.minutes);
    let mut slots: Vec<u32> = st.cells.iter().map(|c| c.slot).collect();
    slots.sort_unstable();
    slots.dedup();
    // Per interval of the day: the staffing.* and forecast rows.
    let forecast = b.idx.groups(MetricId::ForecastAgentsNeeded, "", GroupKind::Interval).next().is_some();
    let mut columns = vec![b.text(L::Interval), b.label(MetricId::StaffingAgentsNeeded)];
    if st.has_agents {
        columns.push(b.label(MetricId::StaffingAgentsPresent));
    }
    if forecast {
        columns.push(b.label(MetricId::ForecastAgentsNeeded));
    }
    let rows: Vec<Vec<V>> = slots
        .iter()
        .map(|&slot| {
            let g = Group::Interval(label(slot));
            let mut row = vec![V::Text(label(slot)), b.cell(b.idx.get(MetricId::StaffingAgentsNeeded, "", "", &g))];
            if st.has_agents {
                row.push(b.cell(b.idx.get(MetricId::StaffingAgentsPresent, "", "", &g)));
            }
            if forecast {
                row.push(b.cell(b.idx.get(MetricId::ForecastAgentsNeeded, "", "", &g)));
            }
            row
        })
        .collect();
    let kinds = std::iter::once(ColKind::Text).chain(std::iter::repeat_n(ColKind::Number, columns.len() - 1)).collect();
    let title = if st.has_agents { b.text(L::StaffingByInterval) } else { b.text(L::StaffingNoAgents) };
    s.tables.push(Table { id: "staffing.intervals".into(), title, columns, kinds, rows, total: None });
    s.charts.push(Chart {
        title: b.text(L::NeededVsPresent),
        kind: ChartKind::Line,
        table: "staffing.intervals".into(),
        category: 0,
        series: (1..=if st.has_agents { 2 } else { 1 }).collect(),
        target: None,
        percent: false,
    });
    // Next month's days, when forecast (the MAPE beside the total).
    let mut days: Vec<&MetricRow> = b.idx.groups(MetricId::ForecastOffered, "", GroupKind::Day).collect();
    days.sort_by(|a, c| a.group.cmp(&c.group));
    if !days.is_empty() {
        let rows: Vec<Vec<V>> = days
            .iter()
            .map(|r| {
                let d = match &r.group {
                    Group::Day(d) => *d,
                    _ => unreachable!("grouped by day"),
                };
                vec![V::Text(format!("{} {}", d.format("%m-%d"), weekday_name(d, b.lang))), b.cell(Some(r))]
            })
            .collect();
        let mape = b.idx.plain(MetricId::ForecastMape, "", "").and_then(|r| r.value);
        let mut total = vec![V::Text(b.text(L::Total)), b.cell(b.idx.plain(MetricId::ForecastOffered, "", ""))];
        let mut columns = vec![b.text(L::Date), b.label(MetricId::ForecastOffered)];
        if let Some(m) = mape {
            columns.push(b.label(MetricId::ForecastMape));
            total.push(V::Rate { v: m, small: false, met: None });
        }
        let rows: Vec<Vec<V>> = if mape.is_some() {
            rows.into_iter()
                .map(|mut r: Vec<V>| {
                    r.push(V::Empty);
                    r
                })
                .collect()
        } else {
            rows
        };
        let kinds =
            std::iter::once(ColKind::Text).chain(std::iter::repeat_n(ColKind::Number, columns.len() - 1)).collect();
        s.tables.push(Table {
            id: "forecast.days".into(),
            title: b.text(L::ForecastDays),
            columns,
            kinds,
            rows,
            total: Some(total),
        });
    }
    // Day × interval: agents short (or needed, without agent ids).
    let mut days: Vec<NaiveDate> = st.cells.iter().map(|c| c.day).collect();
    days.dedup();
    let cell: std::collections::HashMap<(NaiveDate, u32), &Cell> =
        st.cells.iter().map(|c| ((c.day, c.slot), c)).collect();
    let mut columns = vec![b.text(L::Date)];
    columns.extend(slots.iter().map(|s| label(*s)));
    let rows = days
        .iter()
        .map(|d| {
            let mut row = vec![V::Text(format!("{} {}", d.format("%m-%d"), weekday_name(*d, b.lang)))];
            row.extend(slots.iter().map(|slot| match cell.get(&(*d, *slot)) {
                Some(c) if st.has_agents => V::Count(f64::from(short(c))),
                Some(c) => V::Count(f64::from(c.needed)),
                None => V::Empty,
            }));
            row
        })
        .collect();
    let kinds = std::iter::once(ColKind::Text).chain(std::iter::repeat_n(ColKind::Number, slots.len())).collect();
    let title = if st.has_agents { b.text(L::ShortfallHeatMap) } else { b.text(L::NeededHeatMap) };
    s.tables.push(Table { id: "staffing.heatmap".into(), title: title.clone(), columns, kinds, rows, total: None });
    // Red cells mean understaffed: without agent ids there is no such cell, only the table.
    if !st.has_agents {
        return;
    }
    s.charts.push(Chart {
        title,
        kind: ChartKind::HeatMap,
        table: "staffing.heatmap".into(),
        category: 0,
        series: (1..=slots.len()).collect(),
        target: None,
        percent: false,
    });
}

/// The facts: the understaffed share, the worst weekday period, the forecast.
pub(crate) fn facts(b: &Builder, st: &Staffing) -> StaffingFact {
    let lang = b.lang;
    let understaffed = b.idx.plain(MetricId::StaffingUnderstaffed, "", "").and_then(|r| r.value).map(pct);
    // Per (weekday, interval), summed over the month's days of that weekday: calls not answered
    // within the threshold, calls offered, agents short, days with calls. The headline is where
    // the service level was lost most (most late calls; ties: more calls offered), widened to
    // the neighbouring intervals that lost at least half as many.
    #[derive(Default, Clone, Copy)]
    struct Sum {
        late: u32,
        offered: u32,
        short: u32,
        days: u32,
    }
    let mut sums: std::collections::BTreeMap<(u32, u32), (Sum, NaiveDate)> = std::collections::BTreeMap::new();
    for c in &st.cells {
        let e = sums.entry((c.day.weekday().num_days_from_monday(), c.slot)).or_insert((Sum::default(), c.day));
        e.0.late += c.late;
        e.0.offered += c.offered;
        e.0.short += short(c);
        e.0.days += 1;
    }
    let sum = |k: &(u32, u32)| sums.get(k).map_or(Sum::default(), |v| v.0);
    let mean_short = |k: &(u32, u32)| {
        let s = sum(k);
        if s.days == 0 {
            0.0
        } else {
            f64::from(s.short) / f64::from(s.days)
        }
    };
    let best = sums
        .keys()
        .max_by(|a, c| {
            let (x, y) = (sum(a), sum(c));
            x.late.cmp(&y.late).then(x.offered.cmp(&y.offered)).then(c.cmp(a))
        })
        .copied();
    let worst = best.filter(|k| st.has_agents && sum(k).late > 0).map(|(w, slot)| {
        let floor = sum(&(w, slot)).late.div_ceil(2).max(1);
        let (mut lo, mut hi) = (slot, slot);
        while lo > 0 && sum(&(w, lo - 1)).late >= floor {
            lo -= 1;
        }
        while sum(&(w, hi + 1)).late >= floor {
            hi += 1;
        }
        let avg = (lo..=hi).map(|s| mean_short(&(w, s))).sum::<f64>() / f64::from(hi - lo + 1);
        WorstFact {
            weekday: weekday_name(sums[&(w, slot)].1, lang).to_string(),
            from: slot_label(lo, st.minutes),
            to: slot_label(hi + 1, st.minutes),
            late: (lo..=hi).map(|s| sum(&(w, s)).late).sum::<u32>().to_string(),
            offered: (lo..=hi).map(|s| sum(&(w, s)).offered).sum::<u32>().to_string(),
            threshold: format!("{}", st.threshold),
            // Whole agents when one or more is missing; a fraction below one (0.4: missing on
            // some of that weekday's days); "0" when never short.
            short: if avg >= 0.95 {
                format!("{avg:.0}")
            } else if avg >= 0.05 {
                format!("{avg:.1}")
            } else {
                "0".to_string()
            },
        }
    });
    let total = b.idx.plain(MetricId::ForecastOffered, "", "").and_then(|r| r.value);
    let forecast = total.map(|total| {
        let days = b.idx.groups(MetricId::ForecastOffered, "", GroupKind::Day).count().max(1) as f64;
        let peak = b
            .idx
            .groups(MetricId::ForecastAgentsNeeded, "", GroupKind::Interval)
            .max_by(|a, c| a.value.unwrap_or(0.0).total_cmp(&c.value.unwrap_or(0.0)).then(c.group.cmp(&a.group)))
            .map(|r| Peak { interval: r.group.name(), agents: format!("{:.0}", r.value.unwrap_or(0.0)) });
        ForecastFact {
            total: format!("{total:.0}"),
            per_day: format!("{:.0}", total / days),
            mape: b.idx.plain(MetricId::ForecastMape, "", "").and_then(|r| r.value).map(pct),
            peak,
        }
    });
    let no_forecast = match (&forecast, b.period.as_month()) {
        (Some(_), _) => None,
        (None, Some(_)) => Some("history"),
        (None, None) => Some("period"),
    };
    StaffingFact { has_agents: st.has_agents, understaffed, worst, forecast, no_forecast }
}

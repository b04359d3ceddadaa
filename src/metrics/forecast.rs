//! Next month's call volume and agents (SPEC §7.6): each day of next month is the mean of the
//! same weekday over the last 8 weeks of daily volumes (history and this month); its error is
//! measured by forecasting the last months the same way (backtest MAPE).

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

use super::staffing::{agents_needed, slot_label, Staffing};
use super::{Group, MetricId, MetricRow};
use crate::history::History;
use crate::period::Period;

/// Days of history a forecast looks back.
const WINDOW_DAYS: i64 = 56;
/// Months backtested at most.
const BACKTEST_MONTHS: usize = 3;
/// Months of history needed before svcq forecasts.
pub const MIN_HISTORY_MONTHS: usize = 2;

/// Next month's forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The month forecast.
    pub month: Period,
    /// Calls offered per day.
    pub days: Vec<(NaiveDate, f64)>,
    /// Their sum.
    pub total: f64,
    /// Mean absolute percentage error of the same method on the last months, and how many
    /// months were backtested.
    pub mape: Option<(f64, usize)>,
    /// Agents needed per interval of next month's mean day: (interval index, agents).
    pub agents: Vec<(u32, u32)>,
}

/// The same-weekday mean of the `WINDOW_DAYS` days before `from`, for each day of `days`;
/// `None` when the window holds fewer than 7 days. A weekday absent from the window takes
/// the window's mean.
fn predict(series: &BTreeMap<NaiveDate, f64>, from: NaiveDate, days: &[NaiveDate]) -> Option<Vec<(NaiveDate, f64)>> {
    let window: Vec<(NaiveDate, f64)> =
        series.range(from - Duration::days(WINDOW_DAYS)..from).map(|(d, v)| (*d, *v)).collect();
    if window.len() < 7 {
        return None;
    }
    let all = window.iter().map(|w| w.1).sum::<f64>() / window.len() as f64;
    let mut by_weekday = [(0.0, 0u32); 7];
    for (d, v) in &window {
        let w = d.weekday().num_days_from_monday() as usize;
        by_weekday[w].0 += v;
        by_weekday[w].1 += 1;
    }
    Some(
        days.iter()
            .map(|d| {
                let (s, n) = by_weekday[d.weekday().num_days_from_monday() as usize];
                (*d, if n > 0 { s / f64::from(n) } else { all })
            })
            .collect(),
    )
}

fn days_of(p: Period) -> Vec<NaiveDate> {
    (0..p.days()).map(|k| p.first_day() + Duration::days(k)).collect()
}

/// The forecast for the month after `period`, from the daily volumes of the history and of
/// this month's rows; `None` for a week or a run of days, or with fewer than
/// [`MIN_HISTORY_MONTHS`] months of history.
pub(crate) fn forecast(rows: &[MetricRow], history: &History, staffing: &Staffing, period: Period) -> Option<Forecast> {
    let month = period.as_month()?;
    if history.len() < MIN_HISTORY_MONTHS {
        return None;
    }
    let mut series: BTreeMap<NaiveDate, f64> = history.daily(MetricId::CallsOffered).into_iter().collect();
    for r in rows.iter().filter(|r| r.metric == MetricId::CallsOffered && r.branch.is_empty() && r.product.is_empty()) {
        if let (Group::Day(d), Some(v)) = (&r.group, r.value) {
            series.insert(*d, v);
        }
    }
    let next = Period::month(month.next());
    let days: Vec<(NaiveDate, f64)> =
        predict(&series, next.first_day(), &days_of(next))?.into_iter().map(|(d, v)| (d, v.round())).collect();
    let total: f64 = days.iter().map(|d| d.1).sum();
    // Backtest: this month and the months before it, each forecast from the days before it.
    let mut errors = Vec::new();
    let mut m = period;
    for _ in 0..BACKTEST_MONTHS {
        let actual: Vec<(NaiveDate, f64)> =
            days_of(m).into_iter().filter_map(|d| series.get(&d).map(|v| (d, *v))).filter(|a| a.1 > 0.0).collect();
        let wanted: Vec<NaiveDate> = actual.iter().map(|a| a.0).collect();
        if let (false, Some(pred)) = (actual.is_empty(), predict(&series, m.first_day(), &wanted)) {
            let ape: f64 = actual.iter().zip(&pred).map(|(a, p)| ((p.1 - a.1) / a.1).abs()).sum();
            errors.push(ape / actual.len() as f64);
        }
        m = m.prev();
    }
    let mape = (!errors.is_empty()).then(|| (errors.iter().sum::<f64>() / errors.len() as f64, errors.len()));
    // Agents: next month's mean day spread over the intervals as this month's calls were.
    let offered: u32 = staffing.cells.iter().map(|c| c.offered).sum();
    let seconds = f64::from(staffing.minutes) * 60.0;
    let mean_day = total / days.len().max(1) as f64;
    let mut by_slot: BTreeMap<u32, (u32, f64)> = BTreeMap::new();
    for c in &staffing.cells {
        let e = by_slot.entry(c.slot).or_default();
        e.0 += c.offered;
        e.1 += c.talk * f64::from(c.offered);
    }
    let agents = by_slot
        .into_iter()
        .map(|(slot, (n, talk_x_n))| {
            let share = f64::from(n) / f64::from(offered.max(1));
            let talk = talk_x_n / f64::from(n.max(1));
            let traffic = mean_day * share * talk / seconds;
            (slot, agents_needed(traffic, staffing.threshold, talk, staffing.target))
        })
        .collect();
    Some(Forecast { month: next, days, total, mape, agents })
}

/// forecast.* rows: the total and each day of next month, the backtest MAPE, the agents per
/// interval.
pub fn rows(f: &Forecast, minutes: u32) -> Vec<MetricRow> {
    let mut out = vec![MetricRow::count(MetricId::ForecastOffered, Group::None, f.total as u64)];
    out.extend(f.days.iter().map(|(d, v)| MetricRow::count(MetricId::ForecastOffered, Group::Day(*d), *v as u64)));
    if let Some((mape, _)) = f.mape {
        out.push(MetricRow { value: Some(mape), ..MetricRow::new(MetricId::ForecastMape) });
    }
    out.extend(f.agents.iter().map(|(slot, n)| MetricRow {
        group: Group::Interval(slot_label(*slot, minutes)),
        value: Some(f64::from(*n)),
        ..MetricRow::new(MetricId::ForecastAgentsNeeded)
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_day_is_the_mean_of_its_weekday_over_eight_weeks() {
        // Mondays 100, other days 50, over 10 weeks; one older Monday of 1000 is outside the window.
        let start = NaiveDate::from_ymd_opt(2026, 8, 3).unwrap(); // a Monday
        let mut s: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        for k in 0..70 {
            let d = start + Duration::days(k);
            s.insert(d, if d.weekday() == chrono::Weekday::Mon { 100.0 } else { 50.0 });
        }
        s.insert(start, 1000.0);
        let from = start + Duration::days(70);
        let p = predict(&s, from, &[from, from + Duration::days(1)]).unwrap();
        assert_eq!(p, vec![(from, 100.0), (from + Duration::days(1), 50.0)]);
        assert!(predict(&s, start + Duration::days(3), &[from]).is_none(), "fewer than 7 days");
    }
}

//! 服务支撑: mass-fault incidents (SPEC §7.4) — bursts of fault reports at one place.
//!
//! One sort of the month's fault reports by (branch, place, created, order id), then one pass
//! that chains each report to the previous one at the same place when it was created within
//! `gap_minutes`; a chain with at least `min_customers` distinct customers is an incident.

use chrono::{NaiveDateTime, Timelike};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Group, MetricId, MetricRow};
use crate::config::IncidentConfig;
use crate::model::{OrderType, Orders};

/// Where an incident happened.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// The site (局站) the reports name.
    Site(String),
    /// The first digits of the customers' local numbers (no site given).
    Prefix(String),
}

impl Place {
    /// The site, or the digits.
    pub fn name(&self) -> &str {
        match self {
            Place::Site(s) | Place::Prefix(s) => s,
        }
    }
}

/// One mass-fault incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// The branch of its reports.
    pub branch: String,
    /// The site or the number prefix.
    pub place: Place,
    /// The first report's creation.
    pub start: NaiveDateTime,
    /// The latest completion of its reports; `None` while any report is open.
    pub end: Option<NaiveDateTime>,
    /// Distinct customers among its reports (reports without a customer number count as
    /// reports only).
    pub customers: usize,
    /// Its reports (row indices of the orders table), in creation order.
    pub reports: Vec<usize>,
}

impl Incident {
    /// Hours from the first report to the last restoration; `None` while open.
    pub fn hours(&self) -> Option<f64> {
        self.end.map(|e| (e - self.start).num_seconds() as f64 / 3600.0)
    }

    /// The incident's group in the metrics CSV: its start to the minute and its place.
    pub fn group(&self) -> Group {
        let start = self.start.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(self.start);
        Group::Incident { start, place: self.place.name().to_string() }
    }
}

/// The first `digits` digits of a customer number's local part: separators (space, `-`,
/// brackets) are dropped; a number of 10 or more digits that starts with 0 loses its area code
/// (010 and 02X are three digits, other 0XXX four). `None` when the text is not a number (an
/// account name), is a mobile number (11 digits starting with 1: it has no place), or the
/// local part is shorter than `digits`.
pub fn local_prefix(customer: &str, digits: usize) -> Option<u64> {
    let mut number = Vec::with_capacity(customer.len());
    for c in customer.trim().bytes() {
        match c {
            b'0'..=b'9' => number.push(c),
            b' ' | b'-' | b'(' | b')' => {}
            _ => return None,
        }
    }
    if number.len() == 11 && number[0] == b'1' {
        return None;
    }
    let local = if number.len() >= 10 && number[0] == b'0' {
        let area = if number[1] == b'1' && number[2] == b'0' || number[1] == b'2' { 3 } else { 4 };
        &number[area..]
    } else {
        &number[..]
    };
    if local.len() < digits {
        return None;
    }
    Some(local[..digits].iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

/// The place key of a report: a site by its dictionary code, or a number prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PlaceKey {
    Site(u32),
    Prefix(u64),
}

/// Every incident among the fault reports of `orders`, by start, branch and place.
pub fn detect(t: &Orders, config: &IncidentConfig) -> Vec<Incident> {
    let digits = config.prefix_digits;
    let mut keyed: Vec<(u32, PlaceKey, i64, usize)> = (0..t.len())
        .filter(|&i| t.order_type[i] == OrderType::Fault)
        .filter_map(|i| {
            let place = match t.site.get(i) {
                Some(s) if !s.trim().is_empty() => PlaceKey::Site(t.site.code(i)),
                _ => PlaceKey::Prefix(local_prefix(t.customer_id.get(i)?, digits)?),
            };
            Some((t.branch.code(i), place, t.created_at.0[i], i))
        })
        .collect();
    // Order ids are unique after deduplication: the unstable sort gives one order.
    keyed.sort_unstable_by(|a, b| {
        (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)).then_with(|| t.order_id.get(a.3).cmp(t.order_id.get(b.3)))
    });
    let gap = (config.gap_minutes * 60.0 * 1e9).round() as i64;
    let mut incidents = Vec::new();
    let mut start = 0;
    for k in 1..=keyed.len() {
        let chained = k < keyed.len() && {
            let (prev, cur) = (&keyed[k - 1], &keyed[k]);
            prev.0 == cur.0 && prev.1 == cur.1 && cur.2 - prev.2 <= gap
        };
        if chained {
            continue;
        }
        let burst = &keyed[start..k];
        start = k;
        // A burst cannot have more customers than reports.
        if burst.len() < config.min_customers {
            continue;
        }
        let customers: FxHashSet<&str> = burst.iter().filter_map(|r| t.customer_id.get(r.3)).collect();
        if customers.len() < config.min_customers {
            continue;
        }
        let reports: Vec<usize> = burst.iter().map(|r| r.3).collect();
        let end = reports
            .iter()
            .map(|&i| t.completed_at.get(i))
            .try_fold(None, |acc: Option<NaiveDateTime>, c| c.map(|c| Some(acc.map_or(c, |a| a.max(c)))));
        let first = reports[0];
        let place = match burst[0].1 {
            PlaceKey::Site(_) => Place::Site(t.site.get(first).unwrap_or_default().to_string()),
            PlaceKey::Prefix(n) => Place::Prefix(format!("{n:0digits$}")),
        };
        incidents.push(Incident {
            branch: t.branch.get(first).to_string(),
            place,
            start: t.created_at.get(first),
            end: end.flatten(),
            customers: customers.len(),
            reports,
        });
    }
    incidents.sort_by(|a, b| (a.start, &a.branch, &a.place).cmp(&(b.start, &b.branch, &b.place)));
    incidents
}

/// The most frequent value of `f` over the reports (ties: the smaller value).
pub fn most_common<'a>(reports: &[usize], f: impl Fn(usize) -> Option<&'a str>) -> Option<&'a str> {
    let mut counts: FxHashMap<&str, usize> = FxHashMap::default();
    for &i in reports {
        if let Some(v) = f(i) {
            *counts.entry(v).or_default() += 1;
        }
    }
    counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0))).map(|(v, _)| v)
}

/// incident.* rows: the count and customers in total and per branch (branches with an
/// incident), then each incident's customers, reports and hours.
pub(super) fn compute(incidents: &[Incident]) -> Vec<MetricRow> {
    let mut per_branch: std::collections::BTreeMap<&str, (u64, u64)> = std::collections::BTreeMap::new();
    for inc in incidents {
        let e = per_branch.entry(inc.branch.as_str()).or_default();
        e.0 += 1;
        e.1 += inc.customers as u64;
    }
    let total_customers: u64 = per_branch.values().map(|v| v.1).sum();
    let mut rows = vec![
        MetricRow::count(MetricId::IncidentCount, Group::None, incidents.len() as u64),
        MetricRow::count(MetricId::IncidentCustomers, Group::None, total_customers),
    ];
    for (branch, (n, customers)) in &per_branch {
        for (metric, v) in [(MetricId::IncidentCount, *n), (MetricId::IncidentCustomers, *customers)] {
            rows.push(MetricRow { branch: branch.to_string(), ..MetricRow::count(metric, Group::None, v) });
        }
    }
    for inc in incidents {
        let group = inc.group();
        let branch = inc.branch.clone();
        rows.push(MetricRow {
            branch: branch.clone(),
            ..MetricRow::count(MetricId::IncidentCustomers, group.clone(), inc.customers as u64)
        });
        rows.push(MetricRow {
            branch: branch.clone(),
            ..MetricRow::count(MetricId::IncidentReports, group.clone(), inc.reports.len() as u64)
        });
        rows.push(MetricRow { branch, group, value: inc.hours(), ..MetricRow::new(MetricId::IncidentHours) });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_numbers_lose_their_area_code() {
        let p = |s: &str| local_prefix(s, 4);
        assert_eq!(p("01062345678"), Some(6234)); // Beijing: 010
        assert_eq!(p("02164445555"), Some(6444)); // Shanghai: 021
        assert_eq!(p("08325300123"), Some(5300)); // Ziyang: 0832, 7-digit local number
        assert_eq!(p("0832-5300123"), Some(5300));
        assert_eq!(p("(0832) 5300 123"), Some(5300));
        assert_eq!(p("5300123"), Some(5300)); // no area code
        assert_eq!(p("13308012345"), None); // a mobile number is not at a place
        assert_eq!(p("1330801234"), Some(1330)); // 10 digits: not a mobile number
        assert_eq!(p("0832123"), Some(832)); // 7 digits: no area code to remove; leading 0 kept
        assert_eq!(p("zye81234567"), None); // an account, not a number
        assert_eq!(p("083253"), Some(832));
        assert_eq!(p("530"), None);
        assert_eq!(p(""), None);
        assert_eq!(local_prefix("08325300123", 2), Some(53));
    }
}

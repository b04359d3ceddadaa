//! 话务与人力: agents needed (Erlang C) and agents present per interval of each day (SPEC §7.6).

use chrono::NaiveDate;

use super::{Ctx, Group, MetricId, MetricRow};
use crate::config::{Config, Op};
use crate::model::Calls;
use crate::period::Period;

/// Erlang B blocking probability for `n` servers and `a` Erlangs, by the recursion
/// B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)) — no factorials, stable for thousands of Erlangs.
pub fn erlang_b(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (f64::from(k) + a * b);
    }
    b
}

/// Erlang C: the probability that a call waits, for `n` agents and `a` Erlangs (`n > a`;
/// 1 otherwise): C = N·B / (N − A·(1 − B)).
pub fn erlang_c(n: u32, a: f64) -> f64 {
    let nf = f64::from(n);
    if nf <= a {
        return 1.0;
    }
    let b = erlang_b(n, a);
    nf * b / (nf - a * (1.0 - b))
}

/// The service level P(wait ≤ t) = 1 − C(N, A)·e^(−(N−A)·t / aht).
pub fn service_level(n: u32, a: f64, t: f64, aht: f64) -> f64 {
    let nf = f64::from(n);
    if nf <= a {
        return 0.0;
    }
    if aht <= 0.0 {
        return 1.0;
    }
    1.0 - erlang_c(n, a) * (-(nf - a) * t / aht).exp()
}

/// The smallest N > A whose service level reaches `target` (B is carried along, so the search
/// is one pass of the recursion).
pub fn agents_needed(a: f64, t: f64, aht: f64, target: f64) -> u32 {
    if a <= 0.0 {
        return 1;
    }
    let mut b = 1.0;
    let mut n: u32 = 0;
    loop {
        n += 1;
        b = a * b / (f64::from(n) + a * b);
        let nf = f64::from(n);
        if nf > a {
            let c = nf * b / (nf - a * (1.0 - b));
            let sl = if aht <= 0.0 { 1.0 } else { 1.0 - c * (-(nf - a) * t / aht).exp() };
            if sl >= target || n == u32::MAX {
                return n;
            }
        }
    }
}

/// One interval of one day with calls.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The day.
    pub day: NaiveDate,
    /// The interval's index in the day (0 = 00:00).
    pub slot: u32,
    /// Calls offered (the service level's offered: short abandons left out).
    pub offered: u32,
    /// Calls offered not answered within the service-level threshold (the service level lost).
    pub late: u32,
    /// Mean talk time of its answered calls (the month's when none was answered), seconds.
    pub talk: f64,
    /// Traffic in Erlangs: offered × talk / interval seconds.
    pub traffic: f64,
    /// Agents needed by Erlang C for the service-level target.
    pub needed: u32,
    /// Distinct agents answering in it; `None` without agent ids.
    pub present: Option<u32>,
}

impl Cell {
    /// Present < needed.
    pub fn understaffed(&self) -> Option<bool> {
        self.present.map(|p| p < self.needed)
    }
}

/// The month's staffing picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Staffing {
    /// Interval length, minutes.
    pub minutes: u32,
    /// The service-level threshold (seconds) and target used.
    pub threshold: f64,
    /// Target share.
    pub target: f64,
    /// The month's mean talk time of answered calls.
    pub aht: f64,
    /// Some call carries an agent id.
    pub has_agents: bool,
    /// Every (day, interval) with calls, by day and interval.
    pub cells: Vec<Cell>,
}

/// The interval's label: `HH:MM`.
pub fn slot_label(slot: u32, minutes: u32) -> String {
    let m = slot * minutes;
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// The service-level target of the calls (the first general `calls.service_level` target
/// with `>=`), else 90 %.
pub fn sl_target(config: &Config) -> f64 {
    config
        .targets
        .iter()
        .find(|t| {
            t.metric == MetricId::CallsServiceLevel && t.op == Op::Ge && t.branch.is_none() && t.product.is_none()
        })
        .map_or(0.9, |t| t.value)
}

/// Per interval of each day: offered, talk, traffic, agents needed and present.
pub fn staffing(t: &Calls, config: &Config, period: Period) -> Staffing {
    let minutes = config.staffing.interval_minutes;
    let slots = (24 * 60 / minutes) as usize;
    let first = period.first_day();
    let days = period.days() as usize;
    let short = config.calls.short_abandon_seconds;
    let n = days * slots;
    let threshold = config.calls.service_level_seconds;
    let mut offered = vec![0u32; n];
    let mut late = vec![0u32; n];
    let mut talk_sum = vec![0.0f64; n];
    let mut talk_n = vec![0u32; n];
    // The agents present in each cell: calls in time order (the canonical order) reach the
    // cells in order, so an agent is new to a cell when its last cell was another (no sort of
    // every answered call); calls in another order are sorted as (cell, agent) pairs.
    let in_time_order = t.start_time.0.windows(2).all(|w| w[0] <= w[1]);
    let mut last_cell = vec![u32::MAX; if in_time_order { t.agent_id.values().len() } else { 0 }];
    let mut present = vec![0u32; n];
    let mut has_agents = false;
    let mut agents: Vec<u64> = Vec::new();
    let (mut all_talk, mut all_n) = (0.0, 0u64);
    let day_and_minute = t.start_time.day_and_minute(first);
    let cell_of = |i: usize| -> Option<usize> {
        let (d, minute) = day_and_minute(i);
        if d < 0 || d as usize >= days {
            return None;
        }
        Some(d as usize * slots + (minute / minutes) as usize)
    };
    for i in 0..t.len() {
        let answered = t.answered[i];
        if short > 0.0 && !answered && t.wait_seconds[i] <= short {
            continue;
        }
        let Some(c) = cell_of(i) else { continue };
        offered[c] += 1;
        if !(answered && t.wait_seconds[i] <= threshold) {
            late[c] += 1;
        }
        if answered {
            if let Some(s) = t.talk_seconds.get(i) {
                talk_sum[c] += s;
                talk_n[c] += 1;
                all_talk += s;
                all_n += 1;
            }
            if let Some(_agent) = t.agent_id.get(i) {
                has_agents = true;
                let code = t.agent_id.code(i);
                match last_cell.get_mut(code as usize) {
                    Some(last) if *last != c as u32 => {
                        *last = c as u32;
                        present[c] += 1;
                    }
                    Some(_) => {}
                    None => agents.push(((c as u64) << 32) | u64::from(code)),
                }
            }
        }
    }
    agents.sort_unstable();
    agents.dedup();
    for k in &agents {
        present[(k >> 32) as usize] += 1;
    }
    let aht = if all_n > 0 { all_talk / all_n as f64 } else { 0.0 };
    let target = sl_target(config);
    let seconds = f64::from(minutes) * 60.0;
    let cells = (0..n)
        .filter(|&c| offered[c] > 0)
        .map(|c| {
            let talk = if talk_n[c] > 0 { talk_sum[c] / f64::from(talk_n[c]) } else { aht };
            let traffic = f64::from(offered[c]) * talk / seconds;
            Cell {
                day: first + chrono::Duration::days((c / slots) as i64),
                slot: (c % slots) as u32,
                offered: offered[c],
                late: late[c],
                talk,
                traffic,
                needed: agents_needed(traffic, threshold, talk, target),
                present: has_agents.then_some(present[c]),
            }
        })
        .collect();
    Staffing { minutes, threshold, target, aht, has_agents, cells }
}

/// staffing.* rows of the month's table `s`: per interval of the day, the mean agents needed
/// (and present) over the days with calls in it; the understaffed share of the intervals with
/// calls.
pub(super) fn compute(s: &Staffing, ctx: &Ctx) -> Vec<MetricRow> {
    let slots = 24 * 60 / s.minutes;
    let mut rows = Vec::new();
    let mut needed = Vec::new();
    let mut present = Vec::new();
    for slot in 0..slots {
        let cells: Vec<&Cell> = s.cells.iter().filter(|c| c.slot == slot).collect();
        if cells.is_empty() {
            continue;
        }
        let days = cells.len() as f64;
        let group = Group::Interval(slot_label(slot, s.minutes));
        let sum: f64 = cells.iter().map(|c| f64::from(c.needed)).sum();
        needed.push(MetricRow {
            group: group.clone(),
            numerator: Some(sum),
            denominator: Some(days),
            value: Some(sum / days),
            ..MetricRow::new(MetricId::StaffingAgentsNeeded)
        });
        if s.has_agents {
            let sum: f64 = cells.iter().filter_map(|c| c.present).map(f64::from).sum();
            present.push(MetricRow {
                group,
                numerator: Some(sum),
                denominator: Some(days),
                value: Some(sum / days),
                ..MetricRow::new(MetricId::StaffingAgentsPresent)
            });
        }
    }
    rows.extend(needed);
    rows.extend(present);
    if s.has_agents && !s.cells.is_empty() {
        let under = s.cells.iter().filter(|c| c.understaffed() == Some(true)).count() as f64;
        let all = s.cells.len() as f64;
        let mut row = MetricRow {
            numerator: Some(under),
            denominator: Some(all),
            value: Some(under / all),
            ..MetricRow::new(MetricId::StaffingUnderstaffed)
        };
        row.set_interval(ctx.small_sample());
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn agents_present_are_counted_alike_in_time_order_or_not(
            calls in proptest::collection::vec((0i64..3 * 86_400, proptest::option::of(0u8..5), proptest::bool::ANY), 0..80),
        ) {
            // Calls of three days by five agents (or none), answered or not, in no order and
            // then in time order: the same cells, the same agents in each.
            use crate::model::{Call, Calls, Source};
            let first = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
            let row = |&(s, agent, answered): &(i64, Option<u8>, bool)| Call {
                src: Source { sheet: 0, row: 1 },
                call_id: None,
                start_time: first + chrono::Duration::seconds(s),
                branch: None,
                queue: None,
                agent_id: agent.map(|a| std::borrow::Cow::Owned(format!("A{a}"))),
                caller: None,
                answered,
                talk_seconds: Some(100.0),
                wait_seconds: 5.0,
                resolved: None,
            };
            let mut sorted = calls.clone();
            sorted.sort_by_key(|c| c.0);
            let config = Config::default();
            let period = crate::period::Period::month("2026-10".parse().unwrap());
            let of = |cs: &[(i64, Option<u8>, bool)]| {
                let t: Calls = cs.iter().map(row).collect();
                staffing(&t, &config, period).cells.iter().map(|c| (c.day, c.slot, c.offered, c.present)).collect::<Vec<_>>()
            };
            proptest::prop_assert_eq!(of(&calls), of(&sorted));
        }
    }

    /// Erlang C for (N, A): the expected values were computed independently in Python with
    /// `decimal` at 60 digits from the textbook formula
    /// C = (Aᴺ/N!·N/(N−A)) / (Σₖ₌₀ᴺ⁻¹ Aᵏ/k! + Aᴺ/N!·N/(N−A))
    /// (`tests/fixtures/erlang/erlang-c.py`; compared to 1e-9 relative). The A = 10 rows are
    /// the classic published table (68.21 %, 44.94 %, 28.53 %, 17.41 %, 10.20 % for 11…15
    /// agents); (3, 2) = 4/9 and (2, 1) = 1/3 exactly.
    const ERLANG_C: &[(u32, f64, f64)] = &[
        (1, 0.5, 5.000000000000e-01),
        (2, 1.0, 3.333333333333e-01),
        (3, 2.0, 4.444444444444e-01),
        (11, 10.0, 6.821182046893e-01),
        (12, 10.0, 4.493882242983e-01),
        (13, 10.0, 2.852704530365e-01),
        (14, 10.0, 1.741319335950e-01),
        (15, 10.0, 1.020423670080e-01),
        (5, 4.5, 7.624932207329e-01),
        (25, 20.0, 2.091028265988e-01),
        (30, 25.5, 2.963971206361e-01),
        (55, 50.0, 3.845473179329e-01),
        (105, 100.0, 5.157074268123e-01),
        (110, 100.0, 2.370075002851e-01),
        (220, 200.0, 1.093804799258e-01),
        (530, 500.0, 1.226907239353e-01),
        (1050, 1000.0, 7.440177403743e-02),
        (1100, 1000.0, 1.044797928408e-03),
        (2040, 2000.0, 2.716616831990e-01),
        (2100, 2000.0, 1.559603747518e-02),
        (8, 3.2, 1.849479950147e-02),
        (3, 0.1, 1.560062402496e-04),
    ];

    #[test]
    fn erlang_c_matches_an_independent_computation() {
        for &(n, a, want) in ERLANG_C {
            let got = erlang_c(n, a);
            assert!(((got - want) / want).abs() < 1e-9, "C({n}, {a}) = {got}, want {want}");
        }
        assert_eq!(erlang_c(10, 10.0), 1.0, "N <= A: every call waits");
    }

    #[test]
    fn agents_needed_is_the_smallest_n_reaching_the_target() {
        // (A, T seconds, AHT seconds, target, N), from the same Python script (searching N
        // upwards from ⌊A⌋ + 1 with the decimal formula).
        for (a, t, aht, target, want) in [
            (10.0, 20.0, 180.0, 0.8, 14),
            (10.0, 20.0, 180.0, 0.9, 15),
            (0.6, 20.0, 200.0, 0.9, 3),
            (100.0, 20.0, 240.0, 0.9, 111),
            (2000.0, 20.0, 300.0, 0.9, 2024),
            (5.5, 15.0, 120.0, 0.85, 9),
            (50.0, 30.0, 200.0, 0.8, 55),
            (1.0, 20.0, 180.0, 0.9, 3),
        ] {
            let n = agents_needed(a, t, aht, target);
            assert_eq!(n, want, "A={a} T={t} AHT={aht} target={target}");
            assert!(service_level(n, a, t, aht) >= target);
            assert!(n - 1 <= a as u32 || service_level(n - 1, a, t, aht) < target, "smallest");
        }
        assert_eq!(agents_needed(0.0, 20.0, 180.0, 0.9), 1);
    }
}

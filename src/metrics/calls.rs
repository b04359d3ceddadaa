//! 话务: hotline metrics.

use polars::prelude::*;
use rustc_hash::FxHashMap;

use super::agg::{aggregate, count, decode_branches, mean, rate, BY_BRANCH};
use super::{Ctx, Group, MetricId, MetricRow, UNKNOWN_BRANCH};
use crate::config::SlDenominator;
use std::borrow::Cow;

use crate::model::columns::{Dict, OptNums, Text, Times};
use crate::model::Calls;

/// The calls' columns their figures read, each borrowed or owned. Owned (the whole's run,
/// whose calls nobody reads after its metrics), the waits are given to the frame as they are
/// and the columns the frame has copied are freed before its group-bys run; borrowed (the
/// branches' reports read the calls again), they are copied. The same values either way.
pub(super) struct Columns<'a> {
    n: usize,
    start: Cow<'a, Times>,
    branch: Cow<'a, Dict>,
    queue: Cow<'a, Dict>,
    caller: Cow<'a, Text>,
    answered: Cow<'a, [bool]>,
    wait: Cow<'a, [f64]>,
    talk: Cow<'a, OptNums>,
    resolved: Cow<'a, [Option<bool>]>,
}

impl<'a> Columns<'a> {
    /// The columns of calls that stay.
    pub(super) fn borrowed(t: &'a Calls) -> Columns<'a> {
        Columns {
            n: t.len(),
            start: Cow::Borrowed(&t.start_time),
            branch: Cow::Borrowed(&t.branch),
            queue: Cow::Borrowed(&t.queue),
            caller: Cow::Borrowed(&t.caller),
            answered: Cow::Borrowed(&t.answered[..]),
            wait: Cow::Borrowed(&t.wait_seconds[..]),
            talk: Cow::Borrowed(&t.talk_seconds),
            resolved: Cow::Borrowed(&t.resolved[..]),
        }
    }

    /// The columns of calls used up here (their sources, ids and agents are freed at once).
    pub(super) fn owned(t: Calls) -> Columns<'static> {
        Columns {
            n: t.len(),
            start: Cow::Owned(t.start_time),
            branch: Cow::Owned(t.branch),
            queue: Cow::Owned(t.queue),
            caller: Cow::Owned(t.caller),
            answered: Cow::Owned(t.answered),
            wait: Cow::Owned(t.wait_seconds),
            talk: Cow::Owned(t.talk_seconds),
            resolved: Cow::Owned(t.resolved),
        }
    }
}

/// calls.* metrics: totals, per branch, and per day (group `day=YYYY-MM-DD`). The calls are
/// in the canonical order ([`super::OrderedCalls`]): their rows are read in place, no index
/// beside them.
pub(super) fn compute(t: Columns<'_>, ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    compute_with(t, ctx, true)
}

/// [`compute`], its figures summed in one pass ([`Summed`]) when `direct` and exact, else by
/// a polars frame.
fn compute_with(t: Columns<'_>, ctx: &Ctx, direct: bool) -> PolarsResult<Vec<MetricRow>> {
    let cfg = &ctx.config.calls;
    let n = t.n;
    let (names, unknown) = branch_names(&t.branch);
    let branch = &t.branch;
    let code = move |i: usize| match branch.code(i) {
        crate::model::columns::NONE => unknown,
        c => c,
    };
    let specs = [
        count(MetricId::CallsOffered, "offered"),
        rate(MetricId::CallsAnswerRate, "answered", "offered"),
        rate(MetricId::CallsServiceLevel, "sl_num", "sl_den"),
        mean(MetricId::CallsAsaSeconds, "wait"),
        mean(MetricId::CallsAhtSeconds, "talk"),
        rate(MetricId::CallsFcrRate, "fcr_num", "fcr_den"),
    ];
    if let Some(sums) = direct.then(|| Summed::of(&t, &code, cfg)).flatten() {
        // Exactly the frame's figures (see [`Summed`]), from one pass over the calls.
        let small = ctx.small_sample();
        let mut rows = Vec::new();
        level_rows(&mut rows, &specs, "", &[(0, sums.total)], |_| String::new(), small)?;
        level_rows(&mut rows, &specs, "branch", &sums.branches, |c| c.to_string(), small)?;
        let mut days = Vec::new();
        level_rows(&mut days, &specs[..3], "day", &sums.days, |d| day_text(d as i32), small)?;
        days.sort_by(|a, b| a.group.cmp(&b.group));
        let mut by_queue = Vec::new();
        let queues = t.queue.values();
        level_rows(&mut by_queue, &specs[..3], "queue", &sums.queues, |c| queues[c as usize].to_string(), small)?;
        drop((t.answered, t.talk, t.resolved, t.wait));
        rows.extend(repeat_callers(n, &t.start, &t.caller, ctx, &code, names.len())?);
        decode_branches(&mut rows, &names);
        rows.extend(days);
        rows.extend(by_queue);
        return Ok(rows);
    }
    let none = crate::model::columns::NONE;
    let wait = match t.wait {
        Cow::Owned(w) => Float64Chunked::from_vec("wait_s".into(), w),
        Cow::Borrowed(w) => Float64Chunked::from_slice("wait_s".into(), w),
    };
    // The typed columns; every indicator is a polars expression on them. The branch is
    // grouped on as its dictionary code (millions of calls, a dozen names). A talk time is
    // kept for answered calls only (what the mean reads), so the frame holds one column of
    // talk times, not the raw one and its answered copy.
    let raw = DataFrame::new(
        n,
        vec![
            UInt32Chunked::from_iter_values("branch".into(), (0..n).map(code)).into_column(),
            UInt32Chunked::from_iter_options(
                "queue".into(),
                (0..n).map(|i| Some(t.queue.code(i)).filter(|&c| c != none)),
            )
            .into_column(),
            day_col(&t.start)?,
            BooleanChunked::from_iter_values("is_answered".into(), t.answered.iter().copied()).into_column(),
            wait.into_column(),
            Float64Chunked::from_iter_options(
                "talk".into(),
                (0..n).map(|i| if t.answered[i] { t.talk.get(i) } else { None }),
            )
            .into_column(),
            BooleanChunked::from_iter_options("is_resolved".into(), t.resolved.iter().copied()).into_column(),
        ],
    )?;
    // What only the frame reads is in it now.
    let queues: Vec<Box<str>> = t.queue.values().to_vec();
    drop((t.queue, t.answered, t.talk, t.resolved));
    let answered = || col("is_answered");
    let wait = || col("wait_s");
    // Calls abandoned within short_abandon_seconds leave offered.
    let short = cfg.short_abandon_seconds;
    let offered = || {
        if short > 0.0 {
            answered().not().and(wait().lt_eq(lit(short))).not()
        } else {
            answered().or(answered().not())
        }
    };
    let sl_den = match cfg.service_level_denominator {
        SlDenominator::Offered => offered(),
        SlDenominator::Answered => offered().and(answered()),
    };
    let df = raw
        .lazy()
        .select([
            col("branch"),
            col("queue"),
            col("day"),
            offered().alias("offered"),
            offered().and(answered()).alias("answered"),
            offered().and(answered()).and(wait().lt_eq(lit(cfg.service_level_seconds))).alias("sl_num"),
            sl_den.alias("sl_den"),
            when(answered()).then(wait()).otherwise(lit(NULL)).alias("wait"),
            col("talk"),
            answered().and(col("is_resolved").fill_null(lit(false))).alias("fcr_num"),
            answered().and(col("is_resolved").is_not_null()).alias("fcr_den"),
        ])
        .collect()?;
    let mut rows = aggregate(&df, &specs, BY_BRANCH, ctx.small_sample())?;
    // Per day, whole centre: volume and service level for the daily chart.
    let mut days = aggregate(&df, &specs[..3], &[&["day"]], ctx.small_sample())?;
    days.sort_by(|a, b| a.group.cmp(&b.group));
    // Per queue (the segments of a change's decomposition, SPEC §8.2): queue codes back to
    // names; calls without a queue form the decomposition's (空).
    let by_queue: Vec<MetricRow> = aggregate(&df, &specs[..3], &[&["queue"]], ctx.small_sample())?
        .into_iter()
        .filter_map(|mut r| {
            let Group::Queue(code) = &r.group else { return None };
            let name = code.parse::<usize>().ok().and_then(|c| queues.get(c))?;
            r.group = Group::Queue(name.to_string());
            Some(r)
        })
        .collect();
    // The frame's memory is given back before the repeat callers take theirs.
    drop(df);
    crate::memory::release_freed();
    rows.extend(repeat_callers(n, &t.start, &t.caller, ctx, &code, names.len())?);
    decode_branches(&mut rows, &names);
    rows.extend(days);
    rows.extend(by_queue);
    Ok(rows)
}

/// What the calls' frame sums for one group (`offered` … `fcr_den`, as its columns).
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Sums {
    offered: u64,
    answered: u64,
    sl_num: u64,
    sl_den: u64,
    wait: f64,
    waits: u64,
    talk: f64,
    talks: u64,
    fcr_num: u64,
    fcr_den: u64,
}

impl Sums {
    /// Spec `k`'s (numerator, denominator) of [`compute`]'s six, as the frame's sums give them.
    fn spec(&self, k: usize) -> (f64, Option<f64>) {
        let f = |v: u64| v as f64;
        match k {
            0 => (f(self.offered), None),
            1 => (f(self.answered), Some(f(self.offered))),
            2 => (f(self.sl_num), Some(f(self.sl_den))),
            3 => (self.wait, Some(f(self.waits))),
            4 => (self.talk, Some(f(self.talks))),
            _ => (f(self.fcr_num), Some(f(self.fcr_den))),
        }
    }
}

/// Groups of a level: (key, sums), in order of first appearance.
type Groups = Vec<(u32, Sums)>;

/// The calls' figures in total, per branch (code), per day (days since 1970) and per queue
/// (code; calls without one in no queue), each group in order of its first call as polars'
/// stable group-by has them, summed in one pass over the calls instead of a polars frame.
/// Counts are exact in any order; so are the sums of waits and talk times when every value
/// summed is a whole number of seconds, not negative, and the total stays below 2^53: only
/// then is this used ([`Summed::of`] is `None` otherwise, and the frame sums them).
#[derive(Debug, PartialEq)]
struct Summed {
    total: Sums,
    branches: Groups,
    days: Groups,
    queues: Groups,
}

impl Summed {
    fn of(t: &Columns<'_>, code: &impl Fn(usize) -> u32, cfg: &crate::config::CallConfig) -> Option<Summed> {
        const DAY: i64 = 86_400 * 1_000_000_000;
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        let whole = |v: f64| v >= 0.0 && !v.is_sign_negative() && v.fract() == 0.0;
        let none = crate::model::columns::NONE;
        let mut total = Sums::default();
        // Slots by code, and the codes in order of first appearance.
        let mut branch_slot: Vec<u32> = Vec::new();
        let mut queue_slot: Vec<u32> = vec![none; t.queue.values().len()];
        let mut day_slot: FxHashMap<i32, u32> = FxHashMap::default();
        let (mut branches, mut days, mut queues): (Groups, Groups, Groups) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..t.n {
            let answered = t.answered[i];
            let wait = t.wait[i];
            // As the frame's expression: not (unanswered and waited at most the short time).
            // (A wait that is not a number is never "at most".)
            let at_most_short = wait.partial_cmp(&cfg.short_abandon_seconds).is_some_and(|o| o.is_le());
            let offered = cfg.short_abandon_seconds <= 0.0 || answered || !at_most_short;
            let talk = if answered { t.talk.get(i) } else { None };
            let mut one = Sums {
                offered: u64::from(offered),
                answered: u64::from(offered && answered),
                sl_num: u64::from(offered && answered && wait <= cfg.service_level_seconds),
                sl_den: u64::from(match cfg.service_level_denominator {
                    SlDenominator::Offered => offered,
                    SlDenominator::Answered => offered && answered,
                }),
                fcr_num: u64::from(answered && t.resolved[i] == Some(true)),
                fcr_den: u64::from(answered && t.resolved[i].is_some()),
                ..Sums::default()
            };
            if answered {
                if !whole(wait) {
                    return None;
                }
                (one.wait, one.waits) = (wait, 1);
            }
            if let Some(v) = talk {
                if !whole(v) {
                    return None;
                }
                (one.talk, one.talks) = (v, 1);
            }
            total.add(&one);
            let b = code(i) as usize;
            if b >= branch_slot.len() {
                branch_slot.resize(b + 1, none);
            }
            add_to(&mut branch_slot[b], &mut branches, b as u32, &one);
            // The day as the frame's `i32` date (its bits as the group's key).
            let day = t.start.0[i].div_euclid(DAY) as i32;
            add_to(day_slot.entry(day).or_insert(none), &mut days, day as u32, &one);
            let q = t.queue.code(i);
            if q != none {
                add_to(&mut queue_slot[q as usize], &mut queues, q, &one);
            }
        }
        if total.wait >= EXACT || total.talk >= EXACT {
            return None;
        }
        Some(Summed { total, branches, days, queues })
    }
}

/// [`super::agg::level_rows`] of one level's [`Summed`] groups (`key` "" for the total), a
/// group's key as text from `text`.
fn level_rows(
    rows: &mut Vec<MetricRow>,
    specs: &[super::agg::Spec],
    key: &str,
    groups: &[(u32, Sums)],
    text: impl Fn(u32) -> String,
    small_sample: u64,
) -> PolarsResult<()> {
    let keys: Vec<&str> = if key.is_empty() { vec![] } else { vec![key] };
    let key_values: Vec<Vec<String>> = keys.iter().map(|_| groups.iter().map(|g| text(g.0)).collect()).collect();
    let nums: Vec<Vec<Option<f64>>> =
        (0..specs.len()).map(|k| groups.iter().map(|g| Some(g.1.spec(k).0)).collect()).collect();
    let dens: Vec<Vec<Option<f64>>> =
        (0..specs.len()).map(|k| groups.iter().map(|g| g.1.spec(k).1).collect()).collect();
    super::agg::level_rows(rows, specs, &keys, &key_values, &nums, &dens, small_sample)
}

/// Add `one` to the group whose slot is `slot` (a new group at the end when it has none yet).
fn add_to(slot: &mut u32, groups: &mut Vec<(u32, Sums)>, key: u32, one: &Sums) {
    if *slot == crate::model::columns::NONE {
        *slot = groups.len() as u32;
        groups.push((key, Sums::default()));
    }
    groups[*slot as usize].1.add(one);
}

impl Sums {
    fn add(&mut self, o: &Sums) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.sl_num += o.sl_num;
        self.sl_den += o.sl_den;
        self.wait += o.wait;
        self.waits += o.waits;
        self.talk += o.talk;
        self.talks += o.talks;
        self.fcr_num += o.fcr_num;
        self.fcr_den += o.fcr_den;
    }
}

/// A day (days since 1970-01-01) as polars writes a date: `YYYY-MM-DD`.
fn day_text(day: i32) -> String {
    chrono::NaiveDate::from_num_days_from_ce_opt(day + 719_163)
        .map_or_else(String::new, |d| d.format("%Y-%m-%d").to_string())
}

/// calls.repeat_caller_rate: callers with another call within `repeat_call_hours` / distinct
/// callers. A caller belongs to the branch of their first call of the month (`code`, below
/// `codes`).
fn repeat_callers(
    n: usize,
    start: &Times,
    caller: &Text,
    ctx: &Ctx,
    code: &(impl Fn(usize) -> u32 + Sync),
    codes: usize,
) -> PolarsResult<Vec<MetricRow>> {
    let window = (ctx.config.calls.repeat_call_hours * 3600.0) as i64 * 1_000_000_000;
    let counts = repeat_counts(n, &start.0, caller, code, codes, window);
    // The rate's rows as a frame of one row per caller would give them (sums of flags,
    // exact in any order; the rows are put in branch order afterwards).
    let specs = [rate(MetricId::CallsRepeatCallerRate, "repeat", "callers")];
    let small = ctx.small_sample();
    let (callers, repeat) = counts.iter().fold((0, 0), |a, c| (a.0 + c.0, a.1 + c.1));
    let mut rows = Vec::new();
    let f = |v: u64| Some(v as f64);
    super::agg::level_rows(&mut rows, &specs, &[], &[], &[vec![f(repeat)]], &[vec![f(callers)]], small)?;
    let groups: Vec<usize> = (0..codes).filter(|&c| counts[c].0 > 0).collect();
    super::agg::level_rows(
        &mut rows,
        &specs,
        &["branch"],
        &[groups.iter().map(usize::to_string).collect()],
        &[groups.iter().map(|&c| f(counts[c].1)).collect()],
        &[groups.iter().map(|&c| f(counts[c].0)).collect()],
        small,
    )?;
    Ok(rows)
}

/// Buckets the repeat-caller search spreads the callers over (by key): each bucket's calls
/// are then looked at on their own, its callers' map small enough to stay in a core's cache.
const CALLER_BUCKET_BITS: u32 = 10;

/// Calls per piece of the repeat-caller search (a few in unit tests, so that callers span
/// pieces).
const CALLER_PIECE: usize = if cfg!(test) { 7 } else { 1 << 18 };

/// A call of the repeat-caller search: its caller's [`caller_key`], time, position and
/// branch code.
#[derive(Clone, Copy, Default)]
struct CallerCall {
    key: u64,
    time: i64,
    pos: u32,
    code: u32,
}

/// A caller as the search tells callers apart: a number as its [`caller_key`], any other
/// text as itself.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Caller<'a> {
    Number(u64),
    Text(&'a str),
}

/// For each branch code below `codes`: (callers, repeat callers) among the calls `0..n` (in
/// time order, `times`) that have a caller. A caller belongs to the branch of its first call
/// and repeats when two of its calls in a row are at most `window` apart. The calls are cut
/// into pieces in order and each piece's calls put into buckets by caller (in order), on
/// every core; then each bucket's calls, piece after piece, are its callers' calls in time
/// order: one pass with a map of its callers finds them (buckets on every core too). No
/// sort, and no map of every caller: a group's month has millions.
fn repeat_counts(
    n: usize,
    times: &[i64],
    caller: &Text,
    code: &(impl Fn(usize) -> u32 + Sync),
    codes: usize,
    window: i64,
) -> Vec<(u64, u64)> {
    use rayon::prelude::*;
    let buckets = 1usize << CALLER_BUCKET_BITS;
    let bucket = |k: u64| (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - CALLER_BUCKET_BITS)) as usize;
    let key = |i: usize| caller.get(i).map(caller_key);
    let pieces = (n / CALLER_PIECE).clamp(1, 64);
    let per = n.div_ceil(pieces).max(1);
    let parts: Vec<(Vec<CallerCall>, Vec<usize>)> = (0..pieces)
        .into_par_iter()
        .map(|p| {
            let range = (p * per).min(n)..((p + 1) * per).min(n);
            // starts[b] = where bucket b begins; after the scatter `next[b]` is where it ends.
            let mut starts = vec![0usize; buckets + 1];
            for k in range.clone().filter_map(key) {
                starts[bucket(k) + 1] += 1;
            }
            for b in 1..starts.len() {
                starts[b] += starts[b - 1];
            }
            let mut next = starts.clone();
            let mut calls = vec![CallerCall::default(); starts[buckets]];
            for i in range {
                if let Some(k) = key(i) {
                    let b = bucket(k);
                    calls[next[b]] = CallerCall { key: k, time: times[i], pos: i as u32, code: code(i) };
                    next[b] += 1;
                }
            }
            (calls, starts)
        })
        .collect();
    let add = |mut a: Vec<(u64, u64)>, b: Vec<(u64, u64)>| {
        for (x, y) in a.iter_mut().zip(b) {
            x.0 += y.0;
            x.1 += y.1;
        }
        a
    };
    (0..buckets)
        .into_par_iter()
        .map(|b| {
            // Each caller's (branch code, last call's time, repeats).
            let mut seen: FxHashMap<Caller<'_>, (u32, i64, bool)> = FxHashMap::default();
            for (calls, starts) in &parts {
                for c in &calls[starts[b]..starts[b + 1]] {
                    let who = if c.key >> 63 == 1 {
                        Caller::Number(c.key)
                    } else {
                        Caller::Text(caller.get(c.pos as usize).unwrap_or_default())
                    };
                    match seen.entry(who) {
                        std::collections::hash_map::Entry::Occupied(mut e) => {
                            let s = e.get_mut();
                            s.2 |= c.time - s.1 <= window;
                            s.1 = c.time;
                        }
                        std::collections::hash_map::Entry::Vacant(e) => {
                            e.insert((c.code, c.time, false));
                        }
                    }
                }
            }
            let mut counts = vec![(0u64, 0u64); codes];
            for (code, _, repeat) in seen.into_values() {
                counts[code as usize].0 += 1;
                counts[code as usize].1 += u64::from(repeat);
            }
            counts
        })
        .reduce(|| vec![(0, 0); codes], add)
}

/// A caller's key: a number of up to 15 digits is itself (with its length, so that `0123`
/// and `123` differ, and the top bit set); any other text is a hash of it (top bit clear;
/// equal texts, equal keys — [`Caller`] tells such texts apart).
fn caller_key(c: &str) -> u64 {
    let b = c.as_bytes();
    if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        let v = b.iter().fold(0u64, |a, d| a * 10 + u64::from(d - b'0'));
        (1 << 63) | ((b.len() as u64) << 50) | v
    } else {
        use std::hash::{BuildHasher as _, Hasher as _};
        let mut h = rustc_hash::FxBuildHasher.build_hasher();
        h.write(b);
        h.finish() & !(1 << 63)
    }
}

/// The branch names by code, and the code of calls without a branch: [`UNKNOWN_BRANCH`]'s
/// (one name, one group, as when grouping on the text).
pub(super) fn branch_names(branch: &Dict) -> (Vec<&str>, u32) {
    let mut names: Vec<&str> = branch.values().iter().map(|v| &**v).collect();
    let unknown = match names.iter().position(|n| *n == UNKNOWN_BRANCH) {
        Some(p) => p as u32,
        None => {
            names.push(UNKNOWN_BRANCH);
            names.len() as u32 - 1
        }
    };
    (names, unknown)
}

/// The call's day as a polars Date column (grouped on, shown as YYYY-MM-DD).
fn day_col(start: &Times) -> PolarsResult<Column> {
    const DAY: i64 = 86_400 * 1_000_000_000;
    let days: Vec<i32> = start.0.iter().map(|&s| s.div_euclid(DAY) as i32).collect();
    Column::new("day".into(), days).cast(&DataType::Date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Call, Source};

    /// (hours after 2026-10-01 08:00, branch, queue, answered, wait, talk, resolved).
    type Row = (i64, u8, Option<u8>, bool, f64, Option<f64>, Option<bool>);

    /// Calls from rows, in time order.
    fn calls(rows: &[Row]) -> Calls {
        let mut rows = rows.to_vec();
        rows.sort_by_key(|r| r.0);
        rows.iter()
            .enumerate()
            .map(|(i, &(day, branch, queue, answered, wait, talk, resolved))| Call {
                src: Source { sheet: 0, row: i as u32 },
                call_id: Some(Cow::Owned(format!("C{i}"))),
                start_time: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap().and_hms_opt(8, 0, 0).unwrap()
                    + chrono::Duration::hours(day),
                branch: (branch > 0).then(|| Cow::Owned(format!("B{branch}"))),
                queue: queue.map(|q| Cow::Owned(format!("Q{q}"))),
                agent_id: None,
                caller: Some(Cow::Owned(format!("1380000{:04}", i % 7))),
                answered,
                talk_seconds: talk,
                wait_seconds: wait,
                resolved,
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn one_pass_sums_are_the_frames_figures(
            rows in proptest::collection::vec(
                (0i64..72, 0u8..4, proptest::option::of(0u8..3), proptest::bool::ANY, 0u32..40,
                 proptest::option::of(0u32..900), proptest::option::of(proptest::bool::ANY)),
                0..80,
            ),
            short in 0u32..4,
            answered_den in proptest::bool::ANY,
            half in proptest::bool::ANY,
        ) {
            // Whole seconds: summed in one pass, with the frame's very figures. A half second
            // anywhere: the frame sums them (the one pass declines).
            let mut config = crate::config::Config::default();
            config.calls.short_abandon_seconds = f64::from(short);
            config.calls.service_level_seconds = 20.0;
            if answered_den {
                config.calls.service_level_denominator = SlDenominator::Answered;
            }
            let ctx = Ctx { config: &config, period: crate::period::Period::month("2026-10".parse().unwrap()) };
            let mut rows: Vec<_> = rows
                .iter()
                .map(|&(d, b, q, a, w, t, r)| (d, b, q, a, f64::from(w), t.map(f64::from), r))
                .collect();
            if half && !rows.is_empty() {
                rows[0].3 = true;
                rows[0].4 += 0.5;
            }
            let t = calls(&rows);
            let (_, unknown) = branch_names(&t.branch);
            let code = |i: usize| match t.branch.code(i) {
                crate::model::columns::NONE => unknown,
                c => c,
            };
            let used = Summed::of(&Columns::borrowed(&t), &code, &config.calls).is_some();
            proptest::prop_assert_eq!(used, !half || rows.is_empty());
            let direct = compute_with(Columns::borrowed(&t), &ctx, true).unwrap();
            let frame = compute_with(Columns::borrowed(&t), &ctx, false).unwrap();
            proptest::prop_assert_eq!(direct, frame);
        }
    }

    proptest::proptest! {
        #[test]
        fn caller_keys_of_numbers_are_equal_exactly_when_the_texts_are(a in "[0-9]{1,15}", b in "[0-9]{1,15}") {
            proptest::prop_assert_eq!(caller_key(&a) == caller_key(&b), a == b, "{} {}", a, b);
            proptest::prop_assert!(caller_key(&a) >> 63 == 1, "a number's key has the top bit");
        }

        #[test]
        fn caller_keys_of_other_texts_are_hashes(a in "[0-9]{16,18}|[0-9a-z+]{1,6}") {
            // Equal texts, equal keys; never a number's key (the search then compares texts).
            proptest::prop_assume!(a.len() > 15 || !a.bytes().all(|b| b.is_ascii_digit()));
            proptest::prop_assert_eq!(caller_key(&a), caller_key(&a.clone()));
            proptest::prop_assert!(caller_key(&a) >> 63 == 0);
        }

        #[test]
        fn repeat_counts_are_those_of_each_callers_calls_in_time_order(
            calls in proptest::collection::vec(
                (0i64..6, proptest::option::of("[0-9]{1,2}|0[0-9]|[a-c+]{1,2}|[0-9]{16}"), 0u32..3),
                0..120,
            ),
            window in 0i64..3,
        ) {
            // Few callers (numbers, numbers with a leading zero, other texts, numbers too long
            // to be keys), calls of equal times, calls without a caller, three branches; the
            // calls span many of the test's pieces.
            let mut calls = calls;
            calls.sort_by_key(|c| c.0);
            let mut times = Vec::new();
            let mut caller = Text::default();
            for c in &calls {
                times.push(c.0);
                caller.push_str(c.1.as_deref());
            }
            let code = |i: usize| calls[i].2;
            let got = repeat_counts(calls.len(), &times, &caller, &code, 3, window);
            let mut by_caller: std::collections::BTreeMap<&str, Vec<usize>> = Default::default();
            for (i, c) in calls.iter().enumerate() {
                if let Some(who) = c.1.as_deref() {
                    by_caller.entry(who).or_default().push(i);
                }
            }
            let mut want = vec![(0u64, 0u64); 3];
            for positions in by_caller.values() {
                let repeat = positions.windows(2).any(|w| times[w[1]] - times[w[0]] <= window);
                let c = &mut want[calls[positions[0]].2 as usize];
                c.0 += 1;
                c.1 += u64::from(repeat);
            }
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn caller_keys_tell_leading_zeros_and_long_numbers_apart() {
        let keys: Vec<u64> = ["123", "0123", "00123", "999999999999999", "1000000000000000", "1000000000000000"]
            .iter()
            .map(|c| caller_key(c))
            .collect();
        assert_eq!(keys[4], keys[5], "the same 16-digit text, the same key");
        let mut distinct = keys[..5].to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 5);
    }
}

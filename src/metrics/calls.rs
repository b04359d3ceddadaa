//! 话务: hotline metrics.

use polars::prelude::*;
use rustc_hash::FxHashMap;

use super::agg::{aggregate, code_col, count, decode_branches, flag, mean, rate, BY_BRANCH};
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
    let cfg = &ctx.config.calls;
    let n = t.n;
    let (names, unknown) = branch_names(&t.branch);
    let branch = &t.branch;
    let code = move |i: usize| match branch.code(i) {
        crate::model::columns::NONE => unknown,
        c => c,
    };
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
    let specs = [
        count(MetricId::CallsOffered, "offered"),
        rate(MetricId::CallsAnswerRate, "answered", "offered"),
        rate(MetricId::CallsServiceLevel, "sl_num", "sl_den"),
        mean(MetricId::CallsAsaSeconds, "wait"),
        mean(MetricId::CallsAhtSeconds, "talk"),
        rate(MetricId::CallsFcrRate, "fcr_num", "fcr_den"),
    ];
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
    rows.extend(repeat_callers(n, &t.start, &t.caller, ctx, &code)?);
    decode_branches(&mut rows, &names);
    rows.extend(days);
    rows.extend(by_queue);
    Ok(rows)
}

/// calls.repeat_caller_rate: callers with another call within `repeat_call_hours` / distinct
/// callers. A caller belongs to the branch of their first call of the month.
fn repeat_callers(
    n: usize,
    start: &Times,
    caller: &Text,
    ctx: &Ctx,
    code: &impl Fn(usize) -> u32,
) -> PolarsResult<Vec<MetricRow>> {
    let window = (ctx.config.calls.repeat_call_hours * 3600.0) as i64 * 1_000_000_000;
    let times = &start.0;
    // The calls are in time order, so grouping their positions by caller and sorting each
    // group puts a caller's calls together in time order (ties in the canonical order). A
    // caller is its number as an integer (no map of a million texts); other texts get
    // numbers of their own.
    let mut others: FxHashMap<&str, u64> = FxHashMap::default();
    let keys: Vec<u64> = (0..n).map(|i| caller.get(i).map_or(NO_CALLER, |c| caller_key(c, &mut others))).collect();
    drop(others);
    let by_caller = group_by_caller(&keys, |pos| (keys[pos], pos as u32, code(pos)));
    drop(keys);
    let mut callers: Vec<(u32, bool)> = Vec::new();
    for run in by_caller.chunk_by(|a, b| a.0 == b.0) {
        let repeat = run.windows(2).any(|w| times[w[1].1 as usize] - times[w[0].1 as usize] <= window);
        callers.push((run[0].2, repeat));
    }
    // No sort needed: the counts are sums of flags (exact in any order) and the rows are put
    // in branch order afterwards.
    let df = DataFrame::new(
        callers.len(),
        vec![
            code_col("branch", &callers, |c| c.0),
            flag("callers", &callers, |_| true),
            flag("repeat", &callers, |c| c.1),
        ],
    )?;
    aggregate(&df, &[rate(MetricId::CallsRepeatCallerRate, "repeat", "callers")], BY_BRANCH, ctx.small_sample())
}

/// The key of a call without a caller (never a [`caller_key`]).
const NO_CALLER: u64 = u64::MAX;

/// The positions whose `keys` are not [`NO_CALLER`], as `item(position)`, grouped by key
/// (an item must order by its key first), each group sorted; the groups in no particular
/// order. A counting sort on a hash of the key into 65,536 buckets, then each bucket (a few
/// dozen items at a province month) sorted on its own: cheaper than one sort of every item.
fn group_by_caller<T: Copy + Ord + Default>(keys: &[u64], item: impl Fn(usize) -> T) -> Vec<T> {
    const BITS: u32 = 16;
    let bucket = |k: u64| (k.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - BITS)) as usize;
    // starts[b] = where bucket b begins; after the scatter, where it ends.
    let mut starts = vec![0usize; (1 << BITS) + 1];
    for &k in keys.iter().filter(|&&k| k != NO_CALLER) {
        starts[bucket(k) + 1] += 1;
    }
    for b in 1..starts.len() {
        starts[b] += starts[b - 1];
    }
    let mut out = vec![T::default(); starts[1 << BITS]];
    let mut next = starts.clone();
    for (pos, &k) in keys.iter().enumerate().filter(|(_, &k)| k != NO_CALLER) {
        let b = bucket(k);
        out[next[b]] = item(pos);
        next[b] += 1;
    }
    for w in starts.windows(2) {
        out[w[0]..w[1]].sort_unstable();
    }
    out
}

/// A caller as an integer: a number of up to 15 digits is itself (with its length, so that
/// `0123` and `123` differ, and the top bit set); any other text is numbered from `others`
/// (below 2^63, so the two never meet). Equal keys are equal texts.
fn caller_key<'a>(c: &'a str, others: &mut FxHashMap<&'a str, u64>) -> u64 {
    let b = c.as_bytes();
    if !b.is_empty() && b.len() <= 15 && b.iter().all(u8::is_ascii_digit) {
        let v = b.iter().fold(0u64, |a, d| a * 10 + u64::from(d - b'0'));
        (1 << 63) | ((b.len() as u64) << 50) | v
    } else {
        let n = others.len() as u64;
        *others.entry(c).or_insert(n)
    }
}

/// The branch names by code, and the code of calls without a branch: [`UNKNOWN_BRANCH`]'s
/// (one name, one group, as when grouping on the text).
fn branch_names(branch: &Dict) -> (Vec<&str>, u32) {
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

    proptest::proptest! {
        #[test]
        fn caller_keys_are_equal_exactly_when_the_texts_are(
            a in "[0-9]{1,17}|[0-9a-z+]{1,6}", b in "[0-9]{1,17}|[0-9a-z+]{1,6}",
        ) {
            let mut others = FxHashMap::default();
            let (ka, kb) = (caller_key(&a, &mut others), caller_key(&b, &mut others));
            proptest::prop_assert_eq!(ka == kb, a == b, "{} {}", a, b);
        }
    }

    proptest::proptest! {
        #[test]
        fn grouping_by_caller_keeps_each_callers_positions_in_order(
            keys in proptest::collection::vec(proptest::prop_oneof![0u64..40, proptest::strategy::Just(NO_CALLER)], 0..400),
        ) {
            let grouped = group_by_caller(&keys, |pos| (keys[pos], pos as u32));
            // Each caller's run is contiguous and holds its positions ascending: the same
            // pairs as a full sort of those with a caller, only the callers' order may differ.
            let mut runs: Vec<Vec<(u64, u32)>> = grouped.chunk_by(|a, b| a.0 == b.0).map(<[_]>::to_vec).collect();
            let mut sorted: Vec<(u64, u32)> =
                keys.iter().enumerate().filter(|(_, &k)| k != NO_CALLER).map(|(p, &k)| (k, p as u32)).collect();
            sorted.sort_unstable();
            let distinct = { let mut k: Vec<u64> = sorted.iter().map(|p| p.0).collect(); k.dedup(); k.len() };
            proptest::prop_assert_eq!(runs.len(), distinct);
            runs.sort();
            proptest::prop_assert_eq!(runs.concat(), sorted);
        }
    }

    #[test]
    fn caller_keys_tell_leading_zeros_and_long_numbers_apart() {
        let mut others = FxHashMap::default();
        let keys: Vec<u64> = ["123", "0123", "00123", "999999999999999", "1000000000000000", "1000000000000000"]
            .iter()
            .map(|c| caller_key(c, &mut others))
            .collect();
        assert_eq!(keys[4], keys[5], "the same 16-digit text, numbered once");
        let mut distinct = keys[..5].to_vec();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 5);
    }
}

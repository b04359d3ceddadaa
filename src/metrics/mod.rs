//! Metrics (SPEC §3): rows of (metric, branch, product, group, numerator, denominator,
//! value, interval, target, previous value, warning), one file per report section.
//!
//! Row-level classification (deadlines, repeat customers) is Rust over the typed records;
//! the group-bys are polars ([`agg`]). Targets, history and early warnings are applied by
//! [`crate::targets`] and [`crate::history`].

mod agg;
pub mod assess;
mod calls;
pub mod change;
pub(crate) mod complaint;
pub mod definitions;
pub(crate) mod fault;
pub mod forecast;
pub mod incident;
mod install;
pub(crate) mod orders;
pub mod rollup;
pub mod staffing;
pub(crate) mod stats;
pub(crate) mod survey;

use polars::prelude::PolarsResult;

pub use crate::catalog::{defs, group, MetricKey, MetricRow};
pub use defs::MetricId;
pub use group::Group;

use crate::config::Config;
pub(crate) use crate::model::columns::{is_whole, key15};
use crate::model::{Calls, Dataset, Ledger, OrderType, SheetLedger};
use crate::period::Period;

/// Branch label for calls and surveys without a branch.
pub const UNKNOWN_BRANCH: &str = "未知分公司";

/// What every section needs to know.
pub struct Ctx<'a> {
    /// The configuration.
    pub config: &'a Config,
    /// The period.
    pub period: Period,
}

impl Ctx<'_> {
    /// The small-sample size.
    pub fn small_sample(&self) -> u64 {
        self.config.statistics.small_sample
    }
}

impl MetricRow {
    /// Add the Wilson interval and the small-sample flag of a rate row.
    pub fn set_interval(&mut self, small_sample: u64) {
        if let (Some(n), Some(d)) = (self.numerator, self.denominator) {
            if let Some((lo, hi)) = stats::wilson(n, d) {
                self.ci_low = Some(lo);
                self.ci_high = Some(hi);
            }
            self.small_sample = Some(d < small_sample as f64);
        }
    }
}

/// The `meta.definitions` row: the definitions fingerprint of `config` in its group (the row
/// a roll-up checks its parts by).
pub fn meta_row(config: &Config) -> MetricRow {
    MetricRow {
        group: Group::Fingerprint(definitions::fingerprint(config)),
        ..MetricRow::new(MetricId::MetaDefinitions)
    }
}

/// The `dq.*` rows: in total and per input sheet.
pub fn dq_rows(ledger: &Ledger) -> Vec<MetricRow> {
    let mut rows = Vec::new();
    let mut push = |s: &SheetLedger, group: Group| {
        for (metric, n) in [
            (MetricId::DqRowsRead, s.rows_read),
            (MetricId::DqRowsUsed, s.used),
            (MetricId::DqOutOfPeriod, s.out_of_period),
            (MetricId::DqDuplicates, s.duplicates),
            (MetricId::DqRejected, s.rejected),
            (MetricId::DqConflicts, s.conflicts),
        ] {
            rows.push(MetricRow::count(metric, group.clone(), n));
        }
        // Footer rows only where there are some (the metrics CSVs of exports without any stay
        // as they were).
        if s.footer > 0 {
            rows.push(MetricRow::count(MetricId::DqFooter, group.clone(), s.footer));
        }
    };
    push(&ledger.total(), Group::None);
    for s in &ledger.sheets {
        push(s, Group::Sheet { file: s.file.clone(), sheet: s.sheet.clone() });
    }
    rows
}

/// What the metrics stage gives: the metric rows, the month's staffing table and the fault
/// customer units (the report's pages read them too, so they are computed once).
pub struct Computed<'a> {
    /// Every service metric of the month, in report order (see [`compute`]).
    pub rows: Vec<MetricRow>,
    /// Calls and agents needed per day and interval of the day.
    pub staffing: staffing::Staffing,
    /// The fault reports' customer units (the repeat detail lists the repeating ones).
    pub(crate) fault_units: fault::Units<'a>,
    /// The month's mass-fault incidents (the report lists those the rows count).
    pub incidents: Vec<incident::Incident>,
    /// The complaints' assessment the assess.* rows sum (the report lists its charges).
    pub assessment: assess::Assessment,
    /// Rows that only serve to split a change (calls per queue, the complaint on-time rate
    /// per department, fault reports per cause and phenomenon): written after every other
    /// row, in this order.
    pub segments: Vec<MetricRow>,
}

/// A row of [`Computed::segments`].
pub fn is_segment_row(r: &MetricRow) -> bool {
    use group::GroupKind as K;
    match r.group.kind() {
        K::Queue | K::Cause | K::Phenomenon => true,
        K::Department => r.metric == MetricId::ComplaintOntimeRate,
        _ => false,
    }
}

/// Every service metric of the month, in report order: calls, installs, faults,
/// complaints, surveys, other orders. Rows of one metric are ordered total first, then
/// branches (configured order, then by name), then products.
pub fn compute<'a>(data: &'a Dataset, config: &Config, month: Period) -> PolarsResult<Computed<'a>> {
    compute_with_calls(data, OrderedCalls::new(data.calls.clone()), false, config, month).map(|(computed, _)| computed)
}

/// The month's calls in the canonical order every figure of theirs is computed in — start
/// time, then call id, caller, branch and wait — so that no sum depends on the order of the
/// input files. Their call ids (read by deduplication and by this order only) are not kept:
/// `calls().call_id` is empty.
pub struct OrderedCalls(Calls);

impl OrderedCalls {
    /// Sort `calls` into the canonical order (their file runs merged by start time, ties
    /// sorted on both cores; the ids are dropped before the columns move, the columns permuted
    /// as jobs for both cores).
    pub fn new(mut calls: Calls) -> OrderedCalls {
        let c = &calls;
        let order = by_time(
            &c.start_time.0,
            |i| c.call_id.get(i),
            |a, b| {
                (c.call_id.get(a), c.caller.get(a), c.branch.get(a))
                    .cmp(&(c.call_id.get(b), c.caller.get(b), c.branch.get(b)))
                    .then(c.wait_seconds[a].total_cmp(&c.wait_seconds[b]))
            },
        );
        calls.call_id = crate::model::columns::Text::default();
        crate::memory::release_freed();
        calls.permute(&order);
        drop(order);
        // The ids, the order and the columns in file order were freed within moments:
        // their pages go back now, before the frames of the calls' figures are built.
        crate::memory::release_freed();
        OrderedCalls(calls)
    }

    /// The calls, in the canonical order, without their ids.
    pub fn calls(&self) -> &Calls {
        &self.0
    }

    /// The calls, in the canonical order, without their ids.
    pub fn into_calls(self) -> Calls {
        self.0
    }

    /// The calls of one branch, in the same order (calls without a branch belong to none).
    pub fn for_branch(&self, branch: &str) -> OrderedCalls {
        let mine: Vec<bool> = (0..self.0.len()).map(|i| self.0.branch.get(i) == Some(branch)).collect();
        OrderedCalls(self.0.select(&mine))
    }
}

/// [`compute`] with the month's calls held apart from `data` (whose own calls are not read),
/// in the canonical order ([`OrderedCalls::new`]: sorted on both cores, their ids — a tenth
/// of the month's memory — gone before the orders' side takes its own). With `keep`
/// false they are used up: each column is freed (or given to the frame) once its figures no
/// longer need it, and none are returned; with `keep`, they are returned in that order (for
/// the branches' reports). Nothing returned borrows them.
pub fn compute_with_calls<'a>(
    data: &'a Dataset,
    ordered: OrderedCalls,
    keep: bool,
    config: &Config,
    month: Period,
) -> PolarsResult<(Computed<'a>, Option<OrderedCalls>)> {
    let ctx = Ctx { config, period: month };
    // Then the calls (most of the rows) run on one core, the orders and surveys on the other.
    // The staffing table is the calls' first figure (before any of their columns is freed).
    let (call_side, other_rows) = rayon::join(
        || {
            let staffing = staffing::staffing(ordered.calls(), config, month);
            if keep {
                let rows = calls::compute(calls::Columns::borrowed(ordered.calls()), &ctx);
                (rows, staffing, Some(ordered))
            } else {
                let rows = calls::compute(calls::Columns::owned(ordered.into_calls()), &ctx);
                (rows, staffing, None)
            }
        },
        || orders_and_surveys(data, &ctx),
    );
    let (call_rows, staffing, ordered) = call_side;
    let mut rows = call_rows?;
    let (other_rows, fault_units, incidents, assessment) = other_rows?;
    rows.extend(staffing::compute(&staffing, &ctx));
    rows.extend(other_rows);
    // The segment rows of the changes' decomposition (queue, department, cause, phenomenon)
    // go after every other row of the metrics CSV (they came in the third round).
    let (segments, mut rows): (Vec<MetricRow>, Vec<MetricRow>) = rows.into_iter().partition(is_segment_row);
    sort_rows(&mut rows, config);
    Ok((Computed { rows, staffing, fault_units, incidents, assessment, segments }, ordered))
}

/// Row indices in the order of a stable sort by (time, `tie`): the rows in (time, index)
/// order, then `tie` only inside each run of equal times (a run is in index order, so a
/// stable sort of it keeps equal rows as read). `tie` compares the rows' `id`s first (a
/// missing id first): a run is sorted on a number made of its ids' first distinct bytes
/// (see [`sort_ties`]), reading each row's id once, and `tie` is called only when two
/// numbers are equal. (A group's month has several calls a second: nearly every call is in
/// a run, and comparing texts row by row there grew faster than the calls.)
fn by_time<'t>(
    times: &[i64],
    id: impl Fn(usize) -> Option<&'t str> + Sync,
    tie: impl Fn(usize, usize) -> std::cmp::Ordering + Sync,
) -> Vec<u32> {
    let mut order = time_order(times);
    // The runs of equal times are sorted on both cores: the order is cut in two between runs.
    let mut mid = order.len() / 2;
    while mid > 0 && mid < order.len() && times[order[mid] as usize] == times[order[mid - 1] as usize] {
        mid += 1;
    }
    let (a, b) = order.split_at_mut(mid);
    rayon::join(|| sort_ties(a, times, &id, &tie), || sort_ties(b, times, &id, &tie));
    order
}

/// Sort each run of equal times in `order` (which holds whole runs) by (`id`, `tie`). The
/// ids of a run mostly share their first bytes (a month's ids, a minute's calls, and more
/// of them as the month grows): each row's key is the sixteen bytes of its id after those
/// every id of the run shares ([`prefix16`]), so that equal keys — where `tie` reads the
/// texts — are rare.
fn sort_ties<'t>(
    order: &mut [u32],
    times: &[i64],
    id: &impl Fn(usize) -> Option<&'t str>,
    tie: &impl Fn(usize, usize) -> std::cmp::Ordering,
) {
    let mut run_keys: Vec<(u128, u32)> = Vec::new();
    let mut from = 0;
    while from < order.len() {
        let t = times[order[from] as usize];
        let to = from + order[from..].iter().take_while(|&&i| times[i as usize] == t).count();
        if to - from > 1 {
            let run = &order[from..to];
            let skip = shared_prefix(run.iter().filter_map(|&i| id(i as usize)));
            run_keys.clear();
            run_keys
                .extend(run.iter().map(|&i| (id(i as usize).map_or(0, |s| prefix16_bytes(&s.as_bytes()[skip..])), i)));
            run_keys.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| tie(a.1 as usize, b.1 as usize)));
            for (slot, k) in order[from..to].iter_mut().zip(&run_keys) {
                *slot = k.1;
            }
        }
        from = to;
    }
}

/// The length in bytes of the prefix every one of `texts` starts with (0 for none).
fn shared_prefix<'t>(mut texts: impl Iterator<Item = &'t str>) -> usize {
    let Some(first) = texts.next() else { return 0 };
    let first = first.as_bytes();
    let mut len = first.len();
    for t in texts {
        if len == 0 {
            break;
        }
        len = first[..len].iter().zip(t.as_bytes()).take_while(|(a, b)| a == b).count();
    }
    len
}

/// Runs of rows already in time order that [`time_order`] merges instead of sorting every
/// row: a month's rows come file by file, each file (or half of one) in time order.
const MERGE_RUNS: usize = 256;

/// Rows in time order shorter than this are not a run of their own for [`time_order`]: they
/// are sorted together into one more run (an export in time order but for a few thousand rows
/// added at its end, say).
const MIN_RUN: usize = if cfg!(test) { 4 } else { 4096 };

/// Rows between those whose times choose [`time_order`]'s pivot (few in unit tests, so that
/// the pivot falls anywhere in their short runs).
const PIVOT_STRIDE: usize = if cfg!(test) { 3 } else { 1024 };

/// Row indices sorted by (time, index), on both cores. Rows that come as a few long runs in
/// time order (each export file is, or most of it) are merged: the rows outside those runs
/// sorted into one more run, then the earlier and the later times merged at once
/// ([`merge_runs`]), the order's 4 bytes a row and little beside them. Otherwise (time,
/// index) pairs are sorted (16 bytes a row).
fn time_order(times: &[i64]) -> Vec<u32> {
    let mut runs: Vec<Run<'_>> = Vec::new();
    let mut rest: Vec<u32> = Vec::new();
    let mut start = 0;
    for end in (1..=times.len()).filter(|&i| i == times.len() || times[i] < times[i - 1]) {
        if end - start >= MIN_RUN {
            runs.push(Run::Rows(start, end));
        } else {
            rest.extend(start as u32..end as u32);
        }
        start = end;
        if runs.len() > MERGE_RUNS || rest.len() > times.len() / 4 {
            use rayon::prelude::*;
            // Built, sorted and read back on both cores (at a group's month, 16 bytes for each
            // of tens of millions of rows).
            let mut keyed: Vec<(i64, u32)> = times.par_iter().copied().zip(0..times.len() as u32).collect();
            keyed.par_sort_unstable();
            return keyed.into_par_iter().map(|k| k.1).collect();
        }
    }
    {
        use rayon::slice::ParallelSliceMut as _;
        rest.par_sort_unstable_by_key(|&i| (times[i as usize], i));
    }
    if !rest.is_empty() {
        runs.push(Run::Listed(&rest));
    }
    // A time near the middle (the median of every [`PIVOT_STRIDE`]th row's): the rows before
    // it and the rows from it on are two merges, one on each core, whose orders follow each
    // other.
    let mut sample: Vec<i64> = times.iter().step_by(PIVOT_STRIDE).copied().collect();
    sample.sort_unstable();
    let pivot = sample.get(sample.len() / 2).copied().unwrap_or(i64::MIN);
    let (early, late): (Vec<Run<'_>>, Vec<Run<'_>>) = runs.iter().map(|r| r.split(times, pivot)).unzip();
    let mut order = vec![0u32; times.len()];
    let (a, b) = order.split_at_mut(early.iter().map(Run::len).sum());
    rayon::join(|| merge_runs(times, &early, a), || merge_runs(times, &late, b));
    order
}

/// Rows in (time, index) order: a range of rows, or listed.
#[derive(Clone, Copy)]
enum Run<'a> {
    Rows(usize, usize),
    Listed(&'a [u32]),
}

impl Run<'_> {
    fn len(&self) -> usize {
        match self {
            Run::Rows(s, e) => e - s,
            Run::Listed(l) => l.len(),
        }
    }

    /// The `k`th row.
    fn row(&self, k: usize) -> usize {
        match self {
            Run::Rows(s, _) => s + k,
            Run::Listed(l) => l[k] as usize,
        }
    }

    /// The rows before `pivot`, and the rows from it on.
    fn split(&self, times: &[i64], pivot: i64) -> (Self, Self) {
        match *self {
            Run::Rows(s, e) => {
                let cut = s + times[s..e].partition_point(|&t| t < pivot);
                (Run::Rows(s, cut), Run::Rows(cut, e))
            }
            Run::Listed(l) => {
                let (a, b) = l.split_at(l.partition_point(|&i| times[i as usize] < pivot));
                (Run::Listed(a), Run::Listed(b))
            }
        }
    }
}

/// Merge `runs` (each in (time, index) order) into `out` by (time, index).
fn merge_runs(times: &[i64], runs: &[Run<'_>], out: &mut [u32]) {
    let mut heads: std::collections::BinaryHeap<std::cmp::Reverse<(i64, u32, usize)>> = runs
        .iter()
        .enumerate()
        .filter(|(_, r)| r.len() > 0)
        .map(|(r, run)| std::cmp::Reverse((times[run.row(0)], run.row(0) as u32, r)))
        .collect();
    let mut at = vec![0usize; runs.len()];
    let mut slots = out.iter_mut();
    while let Some(std::cmp::Reverse((_, i, r))) = heads.pop() {
        if let Some(slot) = slots.next() {
            *slot = i;
        }
        at[r] += 1;
        if at[r] < runs[r].len() {
            let next = runs[r].row(at[r]);
            heads.push(std::cmp::Reverse((times[next], next as u32, r)));
        }
    }
}

/// The rank of each of `texts` by text (equal texts, equal ranks): a dictionary column's
/// codes sorted as their texts, without reading them.
pub(crate) fn text_ranks(texts: &[&str]) -> Vec<u32> {
    let mut by_text: Vec<u32> = (0..texts.len() as u32).collect();
    by_text.sort_unstable_by_key(|&c| texts[c as usize]);
    let mut rank = vec![0u32; texts.len()];
    let mut r = 0;
    for (k, w) in by_text.iter().enumerate() {
        if k > 0 && texts[*w as usize] != texts[by_text[k - 1] as usize] {
            r += 1;
        }
        rank[*w as usize] = r;
    }
    rank
}

/// Each row's rank by its text in a dictionary column, a missing value ranking as the text
/// `missing` ([`text_ranks`] of its values): the rows sorted as their texts without reading
/// them.
pub(crate) fn dict_ranks<'d>(dict: &'d crate::model::columns::Dict, missing: &str) -> impl Fn(usize) -> u32 + 'd {
    let mut names: Vec<&str> = dict.values().iter().map(|v| &**v).collect();
    names.push(missing);
    let rank = text_ranks(&names);
    let none = rank[names.len() - 1];
    move |i| match dict.code(i) {
        crate::model::columns::NONE => none,
        c => rank[c as usize],
    }
}

/// A text's first sixteen bytes as a number whose order is the texts' (big-endian, zero
/// padded; equal numbers say nothing, so a sort compares the texts themselves then).
pub(crate) fn prefix16(s: &str) -> u128 {
    prefix16_bytes(s.as_bytes())
}

/// [`prefix16`] of bytes.
fn prefix16_bytes(s: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    let n = s.len().min(16);
    b[..n].copy_from_slice(&s[..n]);
    u128::from_be_bytes(b)
}

/// Installs, faults, incidents, complaints (and their assessment), surveys and other orders, in that order.
fn orders_and_surveys<'a>(
    data: &'a Dataset,
    ctx: &Ctx,
) -> PolarsResult<(Vec<MetricRow>, fault::Units<'a>, Vec<incident::Incident>, assess::Assessment)> {
    let o = &data.orders;
    // The parts below are independent of each other: they are joined as a tree, so that the
    // core that finishes the calls' side first takes whatever parts are left (at a group's
    // month the faults alone outlast the calls). The rows keep the order written.
    let (ordered, (incidents, survey_rows)) = rayon::join(
        || -> PolarsResult<_> {
            let orders = order_id_order(o);
            let ((install_rows, faults), (complaint_rows, (assess_rows, other_rows))) = rayon::join(
                || {
                    rayon::join(
                        || install::compute(o, &orders, ctx),
                        || fault::compute(o, &orders, &data.earlier_orders, ctx),
                    )
                },
                || {
                    rayon::join(
                        || complaint::compute(o, &orders, ctx),
                        || rayon::join(|| assess::compute(o, &orders, ctx), || other_orders(o, &orders, ctx)),
                    )
                },
            );
            let (fault_rows, units) = faults?;
            let (assess_rows, assessment) = assess_rows;
            Ok(([install_rows?, fault_rows, complaint_rows?, assess_rows, other_rows?], units, assessment))
        },
        || {
            rayon::join(
                || incident::detect(o, &ctx.config.incidents),
                || {
                    let s = &data.surveys;
                    let surveys = by_time(
                        &s.surveyed_at.0,
                        |i| s.survey_id.get(i),
                        |a, b| (s.survey_id.get(a), s.order_id.get(a)).cmp(&(s.survey_id.get(b), s.order_id.get(b))),
                    )
                    .into_iter()
                    .map(|i| i as usize)
                    .collect::<Vec<usize>>();
                    survey::compute(s, &surveys, ctx)
                },
            )
        },
    );
    let ([install_rows, fault_rows, complaint_rows, assess_rows, other_rows], units, assessment) = ordered?;
    let mut rows = install_rows;
    rows.extend(fault_rows);
    rows.extend(incident::compute(&incidents));
    rows.extend(complaint_rows);
    rows.extend(assess_rows);
    rows.extend(survey_rows?);
    rows.extend(other_rows);
    Ok((rows, units, incidents, assessment))
}

/// The rows of `o` by order id. Order ids are unique after deduplication: an unstable sort
/// gives the one order. The first sixteen bytes of the id sit beside each index
/// (big-endian, so their order is the text's; ids of a month share their first eight), so
/// the sort reads the whole id only when those are equal.
fn order_id_order(o: &crate::model::Orders) -> Vec<usize> {
    let mut keyed: Vec<(u128, usize)> = (0..o.len()).map(|i| (prefix16(o.order_id.get(i)), i)).collect();
    keyed.sort_unstable_by(|&(pa, a), &(pb, b)| pa.cmp(&pb).then_with(|| o.order_id.get(a).cmp(o.order_id.get(b))));
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// other.orders: orders of no other kind, per branch and product.
fn other_orders(o: &crate::model::Orders, orders: &[usize], ctx: &Ctx) -> PolarsResult<Vec<MetricRow>> {
    let other: Vec<usize> = orders.iter().copied().filter(|&i| o.order_type[i] == OrderType::Other).collect();
    let df = polars::prelude::DataFrame::new(
        other.len(),
        vec![
            agg::str_col("branch", &other, |&i| o.branch.get(i)),
            agg::str_col("product", &other, |&i| o.product.get(i)),
            agg::flag("orders", &other, |_| true),
        ],
    )?;
    agg::aggregate(&df, &[agg::count(MetricId::OtherOrders, "orders")], agg::BY_BRANCH, ctx.small_sample())
}

/// Stable sort: metrics in first-appearance order; within a metric total first, then
/// branches in the configured order (others by name), then products by name.
pub fn sort_rows(rows: &mut [MetricRow], config: &Config) {
    let mut first: rustc_hash::FxHashMap<MetricId, usize> = rustc_hash::FxHashMap::default();
    for (i, r) in rows.iter().enumerate() {
        first.entry(r.metric).or_insert(i);
    }
    let branch_key = |b: &str| -> (u8, usize, String) {
        if b.is_empty() {
            (0, 0, String::new())
        } else if let Some(i) = config.branches.order.iter().position(|o| o == b) {
            (1, i, String::new())
        } else {
            (2, 0, b.to_string())
        }
    };
    rows.sort_by_cached_key(|r| {
        let has_group = !r.group.is_none();
        (first[&r.metric], has_group, branch_key(&r.branch), !r.product.is_empty(), r.product.clone())
    });
}

#[cfg(test)]
mod tests {
    use super::{is_whole, key15, prefix16, OrderedCalls};
    use crate::model::{Call, Calls, Source};
    use std::borrow::Cow;

    fn call(id: &str, at: &str, caller: &str, branch: &str, row: u32) -> Call<'static> {
        Call {
            src: Source { sheet: 0, row },
            call_id: Some(Cow::Owned(id.into())),
            start_time: chrono::NaiveDateTime::parse_from_str(at, "%Y-%m-%d %H:%M:%S").unwrap(),
            branch: Some(Cow::Owned(branch.into())),
            queue: None,
            agent_id: None,
            caller: Some(Cow::Owned(caller.into())),
            answered: true,
            talk_seconds: Some(f64::from(row)),
            wait_seconds: 1.0,
            resolved: None,
        }
    }

    #[test]
    fn calls_are_ordered_by_time_then_id_and_lose_their_ids() {
        let calls: Calls = [
            call("C3", "2026-10-02 08:00:00", "139", "东区", 2),
            call("C2", "2026-10-01 09:00:00", "138", "西区", 3),
            call("C1", "2026-10-02 08:00:00", "137", "西区", 4),
            call("C0", "2026-10-01 10:00:00", "136", "东区", 5),
        ]
        .into_iter()
        .collect();
        let ordered = OrderedCalls::new(calls);
        let c = ordered.calls();
        // 09:00 (C2), 10:00 (C0), then the two at 08:00 the next day by id: C1, C3.
        let rows: Vec<u32> = c.src.iter().map(|s| s.row).collect();
        assert_eq!(rows, [3, 5, 4, 2]);
        let callers: Vec<&str> = (0..c.len()).map(|i| c.caller.get(i).unwrap()).collect();
        assert_eq!(callers, ["138", "136", "137", "139"]);
        let talk: Vec<f64> = (0..c.len()).map(|i| c.talk_seconds.get(i).unwrap()).collect();
        assert_eq!(talk, [3.0, 5.0, 4.0, 2.0]);
        assert!(c.call_id.is_empty(), "the ids are not kept");
        // A branch's calls are selected from them, in order.
        let west = ordered.for_branch("西区");
        assert_eq!(west.calls().src.iter().map(|s| s.row).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(west.calls().branch.get(1), Some("西区"));
        assert!(ordered.for_branch("南区").calls().is_empty());
    }

    proptest::proptest! {
        #[test]
        fn key15_orders_as_the_texts_and_equal_whole_keys_are_equal_texts(
            a in "[\\x00-\\x7f北]{0,18}",
            b in "[\\x00-\\x7f北]{0,18}",
        ) {
            // NUL bytes (the padding's value) and texts either side of fifteen bytes.
            let (ka, kb) = (key15(&a), key15(&b));
            if ka != kb {
                proptest::prop_assert_eq!(ka.cmp(&kb), a.cmp(&b), "{:?} {:?}", a, b);
            } else if is_whole(ka) {
                proptest::prop_assert_eq!(&a, &b);
            }
            proptest::prop_assert_eq!(is_whole(ka), a.len() < 16);
        }

        #[test]
        fn key15_of_ids_that_share_their_start(a in "\\x00{0,3}[ab\\x00]{0,16}", b in "\\x00{0,3}[ab\\x00]{0,16}") {
            let (ka, kb) = (key15(&a), key15(&b));
            if ka != kb {
                proptest::prop_assert_eq!(ka.cmp(&kb), a.cmp(&b), "{:?} {:?}", a, b);
            } else if is_whole(ka) {
                proptest::prop_assert_eq!(&a, &b);
            }
        }

        #[test]
        fn prefix16_never_contradicts_the_texts_order(a in "[\\x00-\\x7f北]{0,20}", b in "[\\x00-\\x7f北]{0,20}") {
            let (pa, pb) = (prefix16(&a), prefix16(&b));
            if pa != pb {
                proptest::prop_assert_eq!(pa.cmp(&pb), a.cmp(&b), "{:?} {:?}", a, b);
            }
        }

        #[test]
        fn by_time_is_a_stable_sort_by_time_then_the_tie(
            rows in proptest::collection::vec((0i64..4, proptest::option::of("(北|区)?[ab]{0,18}"), 0u8..3), 0..60),
        ) {
            // Few times, ids that often share their first sixteen bytes, missing ids, and
            // rows equal in every compared field (kept in reading order).
            by_time_sorts_as_the_stable_sort(&rows)?;
        }

        #[test]
        fn by_time_sorts_ids_that_share_part_of_a_character(
            rows in proptest::collection::vec((0i64..4, proptest::option::of("(北|区)[ab]{0,18}"), 0u8..3), 0..60),
        ) {
            // Every id starts with 北 or 区, which share two of their three bytes: a run's
            // ids share at least those two, and the keys start inside a character.
            by_time_sorts_as_the_stable_sort(&rows)?;
        }

        #[test]
        fn rows_in_time_order_by_runs_or_not_come_out_by_time_then_index(
            runs in proptest::collection::vec(proptest::collection::vec(0i64..50, 0..30), 0..8),
            shuffled in proptest::collection::vec(0i64..50, 0..400),
        ) {
            // A few runs each in time order (merged), and rows in no order (sorted: over
            // MERGE_RUNS runs when long enough).
            let mut merged: Vec<i64> = Vec::new();
            for mut r in runs {
                r.sort_unstable();
                merged.extend(r);
            }
            // Runs with a few rows in no order after them (sorted into one more run).
            let mut with_tail = merged.clone();
            with_tail.extend(shuffled.iter().take(merged.len() / 5));
            for times in [merged, with_tail, shuffled] {
                let mut want: Vec<u32> = (0..times.len() as u32).collect();
                want.sort_by_key(|&i| (times[i as usize], i));
                proptest::prop_assert_eq!(super::time_order(&times), want);
            }
        }

        #[test]
        fn text_ranks_order_as_the_texts(texts in proptest::collection::vec("[ab北]{0,3}", 0..20)) {
            // Short texts over three letters: many equal ones (equal ranks).
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let rank = super::text_ranks(&texts);
            for a in 0..texts.len() {
                for b in 0..texts.len() {
                    proptest::prop_assert_eq!(rank[a].cmp(&rank[b]), texts[a].cmp(texts[b]));
                }
            }
        }

        #[test]
        fn prefix16_tells_apart_texts_that_differ_in_sixteen_bytes(a in "[0-9A-Z]{16}", b in "[0-9A-Z]{16}") {
            proptest::prop_assert_eq!(prefix16(&a) == prefix16(&b), a == b);
        }
    }

    /// [`by_time`] of (time, id, other) rows is the stable sort by time then id.
    fn by_time_sorts_as_the_stable_sort(
        rows: &[(i64, Option<String>, u8)],
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let tie = |a: usize, b: usize| rows[a].1.cmp(&rows[b].1);
        let times: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let got = super::by_time(&times, |i| rows[i].1.as_deref(), tie);
        let mut want: Vec<u32> = (0..rows.len() as u32).collect();
        want.sort_by(|&a, &b| rows[a as usize].0.cmp(&rows[b as usize].0).then(tie(a as usize, b as usize)));
        proptest::prop_assert_eq!(got, want);
        Ok(())
    }
}

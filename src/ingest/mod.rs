//! Ingest: find the input files, read their sheets, classify each sheet by its header,
//! parse rows into typed records, and account for every row in the [`Ledger`].
//!
//! Order of the accounting (documented in docs/inputs.md): rows that cannot be parsed are
//! *rejected*; surveys without a branch get it from their work order or are rejected;
//! then records with the same id are *duplicates* (identical, or a conflict: the row with
//! the latest completion time is kept); then records of other months are *out of period*;
//! the rest are *used*.

mod dedupe;
mod delimited;
mod discover;
pub(crate) mod format;
pub(crate) mod guard;
pub(crate) mod header;
mod markup;
mod profile;
mod read;
mod record;
pub(crate) mod sheet;
pub(crate) mod value;

use std::path::PathBuf;

use crate::config::Config;
use crate::model::{Calls, Dataset, Ledger, Orders, Rejected, Source, Surveys};
use crate::period::Period;
use format::ReadError;
use header::{Aliases, Kind};
use read::FileOutcome;

pub use discover::{discover, wildcard, InputFile, Skipped};
pub use record::map_order_type;

/// Days before the month whose work orders are kept for the rolling repeat window.
pub const EARLIER_DAYS: i64 = 60;

/// Why ingest failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An input path does not exist.
    #[error("input {0} does not exist")]
    Missing(PathBuf),
    /// A folder could not be listed.
    #[error("cannot list folder {path}: {source}")]
    List {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No input files at all.
    #[error("no spreadsheet or CSV files found in {0}")]
    NoFiles(String),
    /// One or more files could not be read.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Unreadable(Vec<ReadError>),
}

/// Sheets that look like exports but cannot be read: the run stops (SPEC §8.1), naming each
/// sheet, the kind it looks like, the fields missing and the columns proposed for them.
#[derive(Debug, thiserror::Error)]
#[error("{}", unreadable_text(.0))]
pub struct UnreadableSheets(pub Ledger);

fn unreadable_text(ledger: &Ledger) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let n = ledger.unreadable.len();
    let _ = writeln!(
        s,
        "{n} sheet{} look{} like exports but cannot be read; nothing was written (svcq check shows every sheet's columns):",
        if n == 1 { "" } else { "s" },
        if n == 1 { "s" } else { "" }
    );
    for u in &ledger.unreadable {
        let sh = &ledger.sheets[u.sheet as usize];
        let place = if sh.format == "csv" { sh.file.clone() } else { format!("{} / {}", sh.file, sh.sheet) };
        let _ = writeln!(s, "  {place}: looks like {} ({}): {}", u.kind.id(), u.kind.label(), u.why);
        let _ = writeln!(s, "    missing {}", u.missing.join(", "));
        for p in &sh.proposals {
            let _ = writeln!(s, "    proposed: {} <- column {} ({})", p.field, p.column, p.evidence);
        }
        if u.missing.contains(&"branch") {
            let _ = writeln!(
                s,
                "    a file of one branch takes it from its name or title row: [[files]] pattern = {:?}, kind = {:?}, branch = \"from_name\" (or branch = \"…\")",
                sh.file,
                u.kind.id()
            );
        }
        if u.missing.contains(&"order_type") {
            let _ = writeln!(
                s,
                "    a file without a type column takes its type from svcq.toml: [[files]] pattern = {:?}, kind = \"work_orders\", order_type = \"投诉\" (or 故障, 装机)",
                sh.file
            );
        }
        if !sh.proposals.is_empty() {
            let _ = writeln!(s, "    add to svcq.toml (or run `svcq init-config --input ...`):");
            let _ = writeln!(s, "      [aliases.{}]", u.kind.id());
            for p in &sh.proposals {
                let _ = writeln!(s, "      {} = [{:?}]", p.field, p.header);
            }
        }
    }
    s.trim_end().to_string()
}

/// How ingest reads (defaults for the command line; tests and benchmarks change them).
#[derive(Debug, Clone, Copy)]
pub struct IngestOptions {
    /// CSV files at least this big are parsed on two cores.
    pub csv_split_bytes: u64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions { csv_split_bytes: 8 << 20 }
    }
}

/// Read all inputs for `month` into a [`Dataset`].
pub fn ingest(
    inputs: &[PathBuf],
    config: &Config,
    month: Period,
    options: IngestOptions,
) -> Result<Dataset, IngestError> {
    let (files, skipped) = discover(inputs)?;
    if files.is_empty() {
        let shown: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(IngestError::NoFiles(shown.join(", ")));
    }
    let aliases = Aliases::new(&config.alias_map());
    // Files decode in parallel, biggest first, each core taking the next file when it is done
    // (the small files last, so the cores finish close together); results are merged in file
    // order, so the outcome never depends on which thread finished first.
    let mut order: Vec<(u64, usize)> =
        files.iter().enumerate().map(|(i, f)| (std::fs::metadata(&f.path).map_or(0, |m| m.len()), i)).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let slots: Vec<std::sync::Mutex<Option<FileOutcome>>> = files.iter().map(|_| Default::default()).collect();
    // Files whose branch comes from their name (`branch = "from_name"`) are read second, when
    // the branch names of the others are known.
    let later: Vec<bool> =
        files.iter().map(|f| read::rule_for(config, f).is_some_and(|r| r.branch_from_name())).collect();
    let read_all = |second: bool, known: &[String]| {
        rayon::scope_fifo(|scope| {
            for &(_, i) in order.iter().filter(|(_, i)| later[*i] == second) {
                let (slot, file, aliases) = (&slots[i], &files[i], &aliases);
                scope.spawn_fifo(move |_| {
                    let outcome = read::read_one(file, config, aliases, options, month, known);
                    *slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(outcome);
                });
            }
        });
    };
    read_all(false, &[]);
    if later.iter().any(|l| *l) {
        let mut known: std::collections::BTreeSet<String> = config.branches.order.iter().cloned().collect();
        known.extend(config.branches.aliases.iter().flat_map(|(a, b)| [a.clone(), b.clone()]));
        for slot in &slots {
            if let Some(FileOutcome::Read(part)) = &*slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
                known.extend(part.calls.branch.values().iter().map(|b| b.to_string()));
                known.extend(part.orders.branch.values().iter().map(|b| b.to_string()));
                known.extend(part.surveys.branch.values().iter().map(|b| b.to_string()));
                for (c, o) in &part.later {
                    known.extend(c.branch.values().iter().map(|b| b.to_string()));
                    known.extend(o.branch.values().iter().map(|b| b.to_string()));
                }
            }
        }
        read_all(true, &known.into_iter().collect::<Vec<_>>());
    }
    let outcomes = slots.into_iter().map(|slot| {
        slot.into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .expect("every file's job ran in the scope above (a panic there ends the run)")
    });
    let mut state = State::new(config, &aliases);
    state.ledger.skipped_files = skipped;
    let mut errors = Vec::new();
    let (mut calls, mut orders, mut surveys) = (Vec::new(), Vec::new(), Vec::new());
    for (file, outcome) in files.iter().zip(outcomes) {
        match outcome {
            FileOutcome::Read(part) => {
                let mut part = *part;
                let offset = state.ledger.sheets.len() as u32;
                state.ledger.sheets.append(&mut part.ledger.sheets);
                take(&mut state.ledger.rejected, part.ledger.rejected, offset, |r| &mut r.src);
                state.ledger.unreadable.extend(part.ledger.unreadable.into_iter().map(|mut u| {
                    u.sheet += offset;
                    u
                }));
                state.pending.extend(part.pending.into_iter().map(|mut p| {
                    p.sheet += offset;
                    p
                }));
                part.calls.shift_sheets(offset);
                part.orders.shift_sheets(offset);
                part.surveys.shift_sheets(offset);
                calls.push(part.calls);
                orders.push(part.orders);
                surveys.push(part.surveys);
                for (mut c, mut o) in part.later {
                    c.shift_sheets(offset);
                    o.shift_sheets(offset);
                    calls.push(c);
                    orders.push(o);
                }
            }
            FileOutcome::Empty => {
                state.ledger.skipped_files.push((file.display.clone(), "empty file (0 bytes)".into()))
            }
            FileOutcome::Failed(e) => errors.push(e),
        }
    }
    // Each column is copied once into its final size (no regrowing, no second copy of the
    // month at once).
    let (c, (o, s)) = rayon::join(|| Calls::concat(calls), || (Orders::concat(orders), Surveys::concat(surveys)));
    (state.calls, state.orders, state.surveys) = (c, o, s);
    // The files' pieces of a big month are freed: their pages go back before the duplicates
    // are searched (a province month's are left to the allocator to reuse).
    let bytes = state.calls.heap_total() + state.orders.heap_total() + state.surveys.heap_total();
    crate::memory::set_month_bytes(bytes);
    crate::memory::release_freed();
    // Proposals for what sheets lack, now that every input's branch names are known.
    if !state.pending.is_empty() {
        let mut branches: std::collections::BTreeSet<String> = config.branches.order.iter().cloned().collect();
        branches.extend(config.branches.aliases.iter().flat_map(|(a, b)| [a.clone(), b.clone()]));
        branches.extend(state.calls.branch.values().iter().map(|b| b.to_string()));
        branches.extend(state.orders.branch.values().iter().map(|b| b.to_string()));
        branches.extend(state.surveys.branch.values().iter().map(|b| b.to_string()));
        let branches: Vec<String> = branches.into_iter().collect();
        for p in std::mem::take(&mut state.pending) {
            state.ledger.sheets[p.sheet as usize].proposals = p.propose(&branches, month, config.report.lang);
        }
    }
    if !errors.is_empty() {
        return Err(IngestError::Unreadable(errors));
    }
    Ok(state.finish(month))
}

/// Everything read so far.
pub(crate) struct State<'a> {
    pub(crate) config: &'a Config,
    pub(crate) aliases: &'a Aliases,
    pub(crate) ledger: Ledger,
    pub(crate) calls: Calls,
    pub(crate) orders: Orders,
    pub(crate) surveys: Surveys,
    /// Calls and orders of the same sheet read after this state's own (the second half of a
    /// big CSV), kept apart until the month's columns are joined: no copy into this state.
    pub(crate) later: Vec<(Calls, Orders)>,
    /// Sheets whose missing fields get proposals once every file is read (the branch names
    /// of all inputs are then known).
    pub(crate) pending: Vec<profile::Pending>,
}

impl<'a> State<'a> {
    pub(crate) fn new(config: &'a Config, aliases: &'a Aliases) -> Self {
        State {
            config,
            aliases,
            ledger: Ledger::default(),
            calls: Calls::default(),
            orders: Orders::default(),
            surveys: Surveys::default(),
            later: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// Reserve room for `n` more records of a kind.
    pub(crate) fn reserve(&mut self, kind: Option<Kind>, n: usize) {
        match kind {
            Some(Kind::Calls) => self.calls.reserve(n),
            Some(Kind::WorkOrders) => self.orders.reserve(n),
            Some(Kind::Surveys) => self.surveys.reserve(n),
            None => {}
        }
    }

    /// Take in the second half of a sheet read in two (both states hold that sheet as index 0).
    pub(crate) fn absorb_same_sheet(&mut self, part: State<'a>) {
        if let (Some(mine), Some(theirs)) = (self.ledger.sheets.first_mut(), part.ledger.sheets.first()) {
            mine.rows_read += theirs.rows_read;
            mine.rejected += theirs.rejected;
            mine.footer += theirs.footer;
        }
        take(&mut self.ledger.rejected, part.ledger.rejected, 0, |r| &mut r.src);
        self.later.push((part.calls, part.orders));
        self.later.extend(part.later);
        // Surveys are few, and a sheet's score scale is decided on all of them at its end.
        self.surveys.append(part.surveys, 0);
    }

    /// Fill survey branches, drop duplicates, split by period, and close the ledger.
    fn finish(mut self, month: Period) -> Dataset {
        // Surveys without a branch take their work order's: the ids those surveys name, then
        // one pass over the orders (the last order of an id wins), not a map of every order.
        let asked = (0..self.surveys.len())
            .filter(|&i| self.surveys.branch.get(i).is_none())
            .filter_map(|i| self.surveys.order_id.get(i));
        let branch_of = self.orders.last_values(asked, |i| Some(self.orders.branch.get(i)));
        let mut keep = vec![true; self.surveys.len()];
        for (i, keep) in keep.iter_mut().enumerate() {
            if self.surveys.branch.get(i).is_some() {
                continue;
            }
            let id = self.surveys.order_id.get(i);
            match id.and_then(|id| branch_of.get(id)) {
                Some(b) => self.surveys.branch.set(i, Some(b)),
                None => {
                    let src = self.surveys.src[i];
                    *keep = false;
                    self.ledger.sheets[src.sheet as usize].rejected += 1;
                    self.ledger.rejected.push(Rejected {
                        src,
                        column: self.ledger.column(src, "branch"),
                        raw: String::new(),
                        reason: format!(
                            "分公司为空，关联工单号{id}在工单中找不到 (no branch, and order id {id} is not in the work orders)",
                            id = id.unwrap_or("-")
                        ),
                    });
                }
            }
        }
        drop(branch_of);
        let mut surveys = std::mem::take(&mut self.surveys);
        if !keep.iter().all(|k| *k) {
            surveys.retain(&keep);
        }

        let mut calls = std::mem::take(&mut self.calls);
        let mut orders = std::mem::take(&mut self.orders);
        // The calls' duplicates are searched on one core, the orders' and surveys' on the other.
        let (dup_calls, (dup_orders, dup_surveys)) = rayon::join(
            || dedupe::find(&calls, Kind::Calls),
            || (dedupe::find(&orders, Kind::WorkOrders), dedupe::find(&surveys, Kind::Surveys)),
        );
        let drop_calls = dup_calls.count(&mut self.ledger);
        let drop_orders = dup_orders.count(&mut self.ledger);
        let drop_surveys = dup_surveys.count(&mut self.ledger);

        // A duplicate is counted as such only; every other row is used or out of period (the
        // calls on one core, the rest on the other).
        let sheets = self.ledger.sheets.len();
        let ((in_calls, c), ((in_surveys, s), ((in_orders, o), earlier))) = rayon::join(
            || in_period(&drop_calls, &calls.src, calls.start_time.window(month.times()), sheets),
            || {
                let earlier = orders.created_at.window(month.days_before(EARLIER_DAYS));
                (
                    in_period(&drop_surveys, &surveys.src, surveys.surveyed_at.window(month.times()), sheets),
                    (
                        in_period(&drop_orders, &orders.src, orders.created_at.window(month.times()), sheets),
                        (0..orders.len()).map(|i| !drop_orders[i] && earlier(i)).collect::<Vec<bool>>(),
                    ),
                )
            },
        );
        for counts in [c, s, o] {
            for (sheet, (used, out)) in self.ledger.sheets.iter_mut().zip(counts) {
                sheet.used += used;
                sheet.out_of_period += out;
            }
        }
        // One pass over each table's columns (the calls on one core, the rest on the other).
        let earlier_orders = rayon::join(
            || calls.retain(&in_calls),
            || {
                surveys.retain(&in_surveys);
                let earlier_orders = orders.select(&earlier);
                orders.retain(&in_orders);
                earlier_orders
            },
        )
        .1;
        self.ledger.rejected.sort_by_key(|r| r.src);
        Dataset { calls, orders, earlier_orders, surveys, ledger: self.ledger }
    }
}

/// Which rows of a table are kept for the period (`inside`), not being dropped duplicates;
/// with each sheet's count of rows used and rows out of period.
fn in_period(
    dropped: &[bool],
    src: &[Source],
    inside: impl Fn(usize) -> bool,
    sheets: usize,
) -> (Vec<bool>, Vec<(u64, u64)>) {
    let mut counts = vec![(0, 0); sheets];
    let keep = (0..src.len())
        .map(|i| {
            if dropped[i] {
                return false;
            }
            let c = &mut counts[src[i].sheet as usize];
            let inside = inside(i);
            if inside {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
            inside
        })
        .collect();
    (keep, counts)
}

/// Move `src` records to the end of `dst`, shifting their sheet index by `offset` (the first
/// file's vectors are moved, not copied).
fn take<T>(dst: &mut Vec<T>, mut src: Vec<T>, offset: u32, source: impl Fn(&mut T) -> &mut Source) {
    if offset > 0 {
        for r in &mut src {
            source(r).sheet += offset;
        }
    }
    if dst.is_empty() {
        *dst = src;
    } else {
        dst.append(&mut src);
    }
}

//! Dedupe: one record per id; identical copies counted as duplicates, differing ones listed
//! as conflicts (the latest completion is kept).

use chrono::NaiveDateTime;

use super::header::Kind;
use crate::model::{Calls, Conflict, Ledger, Orders, Source, Surveys};

/// What deduplication needs to know of a table's rows.
pub(super) trait Records: Sized {
    fn len(&self) -> usize;
    fn src(&self, i: usize) -> Source;
    fn id(&self, i: usize) -> Option<&str>;
    /// Latest completion time (work orders); `None` sorts first.
    fn completion(&self, _i: usize) -> Option<NaiveDateTime> {
        None
    }
    /// Field names and values of row `i`, for comparing content.
    fn fields(&self, i: usize) -> Vec<(&'static str, String)>;
}

macro_rules! fields {
    ($row:ident: $($f:ident),*) => {
        vec![$((stringify!($f), format!("{:?}", $row.$f))),*]
    };
}

impl Records for Calls {
    fn len(&self) -> usize {
        Calls::len(self)
    }
    fn src(&self, i: usize) -> Source {
        self.src[i]
    }
    fn id(&self, i: usize) -> Option<&str> {
        self.call_id.get(i)
    }
    fn fields(&self, i: usize) -> Vec<(&'static str, String)> {
        let r = self.row(i);
        fields!(r: start_time, branch, queue, agent_id, caller, answered, talk_seconds, wait_seconds, resolved)
    }
}

impl Records for Orders {
    fn len(&self) -> usize {
        Orders::len(self)
    }
    fn src(&self, i: usize) -> Source {
        self.src[i]
    }
    fn id(&self, i: usize) -> Option<&str> {
        Some(self.order_id.get(i))
    }
    fn completion(&self, i: usize) -> Option<NaiveDateTime> {
        self.completed_at.get(i)
    }
    fn fields(&self, i: usize) -> Vec<(&'static str, String)> {
        let r = self.row(i);
        fields!(r: order_type, branch, product, customer_id, created_at, deadline, completed_at, department,
            channel, category, phenomenon, cause, preprocessed, justified, first_close, content, result, reply_ok,
            human_error, site)
    }
}

impl Records for Surveys {
    fn len(&self) -> usize {
        Surveys::len(self)
    }
    fn src(&self, i: usize) -> Source {
        self.src[i]
    }
    fn id(&self, i: usize) -> Option<&str> {
        self.survey_id.get(i)
    }
    fn fields(&self, i: usize) -> Vec<(&'static str, String)> {
        let r = self.row(i);
        fields!(r: order_id, branch, surveyed_at, contacted, satisfied, score, timely, attitude, reason)
    }
}

/// The duplicates of one table, found without touching it (so the three kinds can be
/// searched at once) and applied after.
pub(super) struct Duplicates {
    /// Rows dropped.
    drop_row: Vec<bool>,
    /// Sources of the rows dropped.
    dropped: Vec<Source>,
    /// The dropped rows whose content differed, by dropped source.
    conflicts: Vec<Conflict>,
}

impl Duplicates {
    /// Count the duplicates in the ledger; returns which rows to drop (the caller drops them
    /// together with the rows of other periods, in one pass over the columns).
    pub(super) fn count(self, ledger: &mut Ledger) -> Vec<bool> {
        for src in &self.dropped {
            ledger.sheets[src.sheet as usize].duplicates += 1;
        }
        for c in &self.conflicts {
            ledger.sheets[c.dropped.sheet as usize].conflicts += 1;
        }
        ledger.conflicts.extend(self.conflicts);
        self.drop_row
    }
}

/// Find the duplicates: one record per id is kept. Identical copies: the first read is kept. Different content:
/// the one with the latest completion time is kept (ties: the greatest content, so the
/// choice never depends on file order) and each differing copy is listed as a conflict.
pub(super) fn find<T: Records>(records: &T, kind: Kind) -> Duplicates {
    // Ids seen more than once, each with its rows in reading order: one sort of (hash of the
    // id, row) — 16 bytes a row instead of a hash map of ids — then rows of equal hash are
    // told apart by the id itself (a collision of two ids is two groups, never one).
    let hash = |id: &str| {
        let mut h = rustc_hash::FxHasher::default();
        std::hash::Hash::hash(id, &mut h);
        std::hash::Hasher::finish(&h)
    };
    let mut keyed: Vec<(u64, u32)> =
        (0..records.len()).filter_map(|i| records.id(i).map(|id| (hash(id), i as u32))).collect();
    keyed.sort_unstable();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for run in keyed.chunk_by(|a, b| a.0 == b.0).filter(|r| r.len() > 1) {
        let mut rows: Vec<(&str, usize)> =
            run.iter().map(|&(_, i)| (records.id(i as usize).unwrap_or_default(), i as usize)).collect();
        rows.sort_unstable();
        groups
            .extend(rows.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1).map(|g| g.iter().map(|r| r.1).collect()));
    }
    drop(keyed);
    let mut drop_row = vec![false; records.len()];
    let mut dropped = Vec::new();
    let mut conflicts = Vec::new();
    for idx in groups {
        let id = records.id(idx[0]).unwrap_or_default();
        let contents: Vec<Vec<(&'static str, String)>> = idx.iter().map(|&i| records.fields(i)).collect();
        let best = (0..idx.len())
            .max_by(|&a, &b| {
                let (ra, rb) = (idx[a], idx[b]);
                records
                    .completion(ra)
                    .cmp(&records.completion(rb))
                    .then_with(|| contents[a].cmp(&contents[b]))
                    // identical content: the earlier-read row wins
                    .then_with(|| records.src(rb).cmp(&records.src(ra)))
            })
            .unwrap_or(0);
        for (k, &i) in idx.iter().enumerate() {
            if k == best {
                continue;
            }
            drop_row[i] = true;
            let src = records.src(i);
            dropped.push(src);
            if contents[k] != contents[best] {
                let fields =
                    contents[k].iter().zip(&contents[best]).filter(|(a, b)| a.1 != b.1).map(|(a, _)| a.0).collect();
                conflicts.push(Conflict {
                    kind,
                    id: id.to_string(),
                    kept: records.src(idx[best]),
                    dropped: src,
                    fields,
                });
            }
        }
    }
    conflicts.sort_by_key(|c| c.dropped);
    Duplicates { drop_row, dropped, conflicts }
}

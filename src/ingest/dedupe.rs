//! Dedupe: one record per id; identical copies counted as duplicates, differing ones listed
//! as conflicts (the latest completion is kept).

use std::collections::hash_map::Entry;

use chrono::NaiveDateTime;
use rustc_hash::FxHashMap;

use super::header::Kind;
use crate::model::{Call, Conflict, Ledger, Source, Survey, WorkOrder};

/// What deduplication needs to know of a record.
pub(super) trait Record {
    fn src(&self) -> Source;
    fn id(&self) -> Option<&str>;
    /// Latest completion time (work orders); `None` sorts first.
    fn completion(&self) -> Option<NaiveDateTime> {
        None
    }
    /// Field names and values, for comparing content.
    fn fields(&self) -> Vec<(&'static str, String)>;
}

macro_rules! fields {
    ($self:ident: $($f:ident),*) => {
        vec![$((stringify!($f), format!("{:?}", $self.$f))),*]
    };
}

impl Record for Call {
    fn src(&self) -> Source {
        self.src
    }
    fn id(&self) -> Option<&str> {
        self.call_id.as_deref()
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        fields!(self: start_time, branch, queue, agent_id, caller, answered, talk_seconds, wait_seconds, resolved)
    }
}

impl Record for WorkOrder {
    fn src(&self) -> Source {
        self.src
    }
    fn id(&self) -> Option<&str> {
        Some(&self.order_id)
    }
    fn completion(&self) -> Option<NaiveDateTime> {
        self.completed_at
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        fields!(self: order_type, branch, product, customer_id, created_at, deadline, completed_at, department,
            channel, category, phenomenon, cause, preprocessed, justified, first_close, content, result, reply_ok,
            human_error, site)
    }
}

impl Record for Survey {
    fn src(&self) -> Source {
        self.src
    }
    fn id(&self) -> Option<&str> {
        self.survey_id.as_deref()
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        fields!(self: order_id, branch, surveyed_at, contacted, satisfied, score, timely, attitude, reason)
    }
}

/// Keep one record per id. Identical copies: the first read is kept. Different content:
/// the one with the latest completion time is kept (ties: the greatest content, so the
/// choice never depends on file order) and each differing copy is listed as a conflict.
pub(super) fn dedupe<T: Record>(records: Vec<T>, kind: Kind, ledger: &mut Ledger) -> Vec<T> {
    // First index of each id; only ids seen more than once get a group.
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    first.reserve(records.len());
    let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (i, r) in records.iter().enumerate() {
        if let Some(id) = r.id() {
            match first.entry(id) {
                Entry::Occupied(e) => groups.entry(*e.get()).or_insert_with(|| vec![*e.get()]).push(i),
                Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
    }
    drop(first);
    let mut drop_row = vec![false; records.len()];
    let mut conflicts = Vec::new();
    for idx in groups.into_values() {
        let id = records[idx[0]].id().unwrap_or_default();
        let contents: Vec<Vec<(&'static str, String)>> = idx.iter().map(|&i| records[i].fields()).collect();
        let best = (0..idx.len())
            .max_by(|&a, &b| {
                let (ra, rb) = (&records[idx[a]], &records[idx[b]]);
                ra.completion()
                    .cmp(&rb.completion())
                    .then_with(|| contents[a].cmp(&contents[b]))
                    // identical content: the earlier-read row wins
                    .then_with(|| rb.src().cmp(&ra.src()))
            })
            .unwrap_or(0);
        for (k, &i) in idx.iter().enumerate() {
            if k == best {
                continue;
            }
            drop_row[i] = true;
            let src = records[i].src();
            ledger.sheets[src.sheet as usize].duplicates += 1;
            if contents[k] != contents[best] {
                let fields =
                    contents[k].iter().zip(&contents[best]).filter(|(a, b)| a.1 != b.1).map(|(a, _)| a.0).collect();
                ledger.sheets[src.sheet as usize].conflicts += 1;
                conflicts.push(Conflict {
                    kind,
                    id: id.to_string(),
                    kept: records[idx[best]].src(),
                    dropped: src,
                    fields,
                });
            }
        }
    }
    conflicts.sort_by_key(|c| c.dropped);
    ledger.conflicts.extend(conflicts);
    records.into_iter().zip(drop_row).filter(|(_, d)| !d).map(|(r, _)| r).collect()
}

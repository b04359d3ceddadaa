//! Dedupe: one record per id; identical copies counted as duplicates, differing ones listed
//! as conflicts (the latest completion is kept).

use chrono::NaiveDateTime;

use rayon::iter::{IntoParallelIterator as _, ParallelIterator as _};
use rayon::slice::{ParallelSlice as _, ParallelSliceMut};

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
    /// Whether rows `a` and `b` have the same [`fields`](Records::fields), without writing
    /// them out (most duplicates are exact copies).
    fn same(&self, a: usize, b: usize) -> bool;
}

/// Equality exactly as the values' `Debug` text compares: floats by their bits (`0.0` and
/// `-0.0` differ), every NaN alike.
trait Same {
    fn same(&self, other: &Self) -> bool;
}

impl Same for f64 {
    fn same(&self, other: &f64) -> bool {
        self.to_bits() == other.to_bits() || (self.is_nan() && other.is_nan())
    }
}

impl<T: Same> Same for Option<T> {
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.same(b),
            (None, None) => true,
            _ => false,
        }
    }
}

macro_rules! same_by_eq {
    ($($t:ty),*) => {
        $(impl Same for $t {
            fn same(&self, other: &Self) -> bool {
                self == other
            }
        })*
    };
}

same_by_eq!(bool, NaiveDateTime, crate::model::OrderType, std::borrow::Cow<'_, str>);

/// The content of a table's rows: `fields` (names and `Debug` text) and `same` from one list.
macro_rules! content {
    ($($f:ident),*) => {
        fn fields(&self, i: usize) -> Vec<(&'static str, String)> {
            let r = self.row(i);
            vec![$((stringify!($f), format!("{:?}", r.$f))),*]
        }
        fn same(&self, a: usize, b: usize) -> bool {
            let (ra, rb) = (self.row(a), self.row(b));
            $(Same::same(&ra.$f, &rb.$f))&&*
        }
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
    content!(start_time, branch, queue, agent_id, caller, answered, talk_seconds, wait_seconds, resolved);
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
    content!(
        order_type,
        branch,
        product,
        customer_id,
        created_at,
        deadline,
        completed_at,
        department,
        channel,
        category,
        phenomenon,
        cause,
        preprocessed,
        justified,
        first_close,
        content,
        result,
        reply_ok,
        human_error,
        site
    );
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
    content!(order_id, branch, surveyed_at, contacted, satisfied, score, timely, attitude, reason);
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
pub(super) fn find<T: Records + Sync>(records: &T, kind: Kind) -> Duplicates {
    // Ids seen more than once, each with its rows in reading order: one sort of (hash of the
    // id, row) — 12 bytes a row (the hash's two halves and the row, as three `u32`s: the
    // order of (hash, row) without a pair's padding) instead of a hash map of ids — then rows
    // of equal hash are told apart by the id itself (a collision of two ids is two groups,
    // never one).
    let hash = |id: &str| {
        let mut h = rustc_hash::FxHasher::default();
        std::hash::Hash::hash(id, &mut h);
        std::hash::Hasher::finish(&h)
    };
    // Keyed, sorted and searched on both cores (the orders' and surveys' search is the
    // shorter job on the other: at a group's month the calls' keys alone took a core ~0.5 s).
    // A row without an id gets the greatest hash (one list, written in place on both cores);
    // it is left out of the groups below, where every row's id is read.
    let mut keyed: Vec<[u32; 3]> = (0..records.len())
        .into_par_iter()
        .map(|i| {
            let h = records.id(i).map_or(u64::MAX, &hash);
            [(h >> 32) as u32, h as u32, i as u32]
        })
        .collect();
    keyed.par_sort_unstable();
    // Runs of one hash, in order (the rows of an id in reading order).
    let runs: Vec<&[[u32; 3]]> = keyed.par_chunk_by(|a, b| a[..2] == b[..2]).filter(|r| r.len() > 1).collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for run in runs {
        let mut rows: Vec<(&str, usize)> =
            run.iter().filter_map(|k| Some((records.id(k[2] as usize)?, k[2] as usize))).collect();
        rows.sort_unstable();
        groups
            .extend(rows.chunk_by(|a, b| a.0 == b.0).filter(|g| g.len() > 1).map(|g| g.iter().map(|r| r.1).collect()));
    }
    drop(keyed);
    let mut drop_row = vec![false; records.len()];
    let mut dropped = Vec::new();
    let mut conflicts = Vec::new();
    for idx in groups {
        if idx[1..].iter().all(|&i| records.same(idx[0], i)) {
            // Exact copies (equal completion, equal content): the first read is kept.
            let best = idx.iter().copied().min_by_key(|&i| records.src(i)).unwrap_or(idx[0]);
            for &i in idx.iter().filter(|&&i| i != best) {
                drop_row[i] = true;
                dropped.push(records.src(i));
            }
            continue;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Call;
    use std::borrow::Cow;

    fn call(row: u32, talk: Option<f64>) -> Call<'static> {
        Call {
            src: Source { sheet: 0, row },
            call_id: Some(Cow::Borrowed("C1")),
            start_time: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap().and_hms_opt(9, 0, 0).unwrap(),
            branch: Some(Cow::Borrowed("雁江")),
            queue: None,
            agent_id: None,
            caller: Some(Cow::Borrowed("13800000000")),
            answered: true,
            talk_seconds: talk,
            wait_seconds: 5.0,
            resolved: None,
        }
    }

    #[test]
    fn floats_are_the_same_exactly_when_their_text_is() {
        assert!(Same::same(&0.5, &0.5));
        assert!(!Same::same(&0.0, &-0.0), "0.0 and -0.0 print differently");
        assert!(Same::same(&f64::NAN, &-f64::NAN), "every NaN prints NaN");
        assert!(!Same::same(&Some(1.0), &None));
    }

    #[test]
    fn exact_copies_keep_the_first_read_and_a_differing_copy_is_a_conflict() {
        // Rows 4 and 2 are exact copies; row 3 differs only in the sign of a zero.
        let copies: Calls = [call(4, Some(0.0)), call(2, Some(0.0))].into_iter().collect();
        let d = find(&copies, Kind::Calls);
        assert_eq!(d.drop_row, vec![true, false]);
        assert_eq!(d.dropped, vec![Source { sheet: 0, row: 4 }]);
        assert!(d.conflicts.is_empty());

        let differing: Calls = [call(4, Some(0.0)), call(2, Some(0.0)), call(3, Some(-0.0))].into_iter().collect();
        assert!(!differing.same(0, 2) && differing.same(0, 1));
        let d = find(&differing, Kind::Calls);
        assert_eq!(d.drop_row.iter().filter(|d| **d).count(), 2);
        assert_eq!(d.conflicts.len(), 1);
        assert_eq!(d.conflicts[0].fields, vec!["talk_seconds"]);
    }

    #[test]
    fn rows_without_an_id_are_never_duplicates() {
        // Identical calls without an id (their key is the greatest hash) beside copies of
        // one id: only the id's copy is dropped.
        let no_id = |row: u32| Call { call_id: None, ..call(row, Some(1.0)) };
        let calls: Calls = [no_id(2), call(3, Some(1.0)), no_id(4), call(5, Some(1.0)), no_id(6)].into_iter().collect();
        let d = find(&calls, Kind::Calls);
        assert_eq!(d.drop_row, vec![false, false, false, true, false]);
        assert_eq!(d.dropped, vec![Source { sheet: 0, row: 5 }]);
    }
}

//! 数据质量: the row ledger per file and sheet, rejected rows and conflicts.

use super::prelude::*;
use crate::model::Kind;

/// The section.
pub(super) fn section(b: &Builder, data: &Dataset) -> Section {
    let mut s = new_section("quality", L::SheetQuality, b);
    let l = &data.ledger;
    let kind = |k: Option<Kind>| kind_text(b, k);
    let mut rows: Vec<Vec<V>> = l
        .sheets
        .iter()
        .map(|sh| {
            vec![
                V::Text(sh.file.clone()),
                V::Text(sh.sheet.clone()),
                V::Text(kind(sh.kind)),
                V::Count(sh.rows_read as f64),
                V::Count(sh.used as f64),
                V::Count(sh.out_of_period as f64),
                V::Count(sh.duplicates as f64),
                V::Count(sh.rejected as f64),
                V::Count(sh.conflicts as f64),
                V::Text(sh.note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    for (file, why) in &l.skipped_files {
        rows.push(vec![
            V::Text(file.clone()),
            V::Empty,
            V::Text(b.text(L::Skipped)),
            V::Empty,
            V::Empty,
            V::Empty,
            V::Empty,
            V::Empty,
            V::Empty,
            V::Text(why.clone()),
        ]);
    }
    let tot = l.total();
    s.tables.push(Table::with_columns(
        "quality.ledger",
        L::LedgerTitle,
        b,
        &[
            (L::File, ColKind::Text),
            (L::Sheet, ColKind::Text),
            (L::Kind, ColKind::Text),
            (L::Read, ColKind::Number),
            (L::Used, ColKind::Number),
            (L::OutOfPeriod, ColKind::Number),
            (L::Duplicates, ColKind::Number),
            (L::Rejected, ColKind::Number),
            (L::Conflicts, ColKind::Number),
            (L::Note, ColKind::Text),
        ],
        rows,
        Some(vec![
            V::Text(b.text(L::Total)),
            V::Empty,
            V::Empty,
            V::Count(tot.rows_read as f64),
            V::Count(tot.used as f64),
            V::Count(tot.out_of_period as f64),
            V::Count(tot.duplicates as f64),
            V::Count(tot.rejected as f64),
            V::Count(tot.conflicts as f64),
            V::Empty,
        ]),
    ));
    let place = |src: crate::model::Source| {
        let sh = &l.sheets[src.sheet as usize];
        (V::Text(sh.file.clone()), V::Text(sh.sheet.clone()), V::Count(f64::from(src.row)))
    };
    let rejected = l
        .rejected
        .iter()
        .map(|r| {
            let (f, sh, row) = place(r.src);
            vec![f, sh, row, V::Text(r.column.clone()), V::Text(r.raw.clone()), V::Text(r.reason.clone())]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "quality.rejected",
        L::RejectedRows,
        b,
        &[
            (L::File, ColKind::Text),
            (L::Sheet, ColKind::Text),
            (L::Row, ColKind::Number),
            (L::Column, ColKind::Text),
            (L::RawValue, ColKind::Text),
            (L::Reason, ColKind::Text),
        ],
        rejected,
        None,
    ));
    let conflicts = l
        .conflicts
        .iter()
        .map(|c| {
            vec![
                V::Text(c.id.clone()),
                V::Text(l.locate(c.kept)),
                V::Text(l.locate(c.dropped)),
                V::Text(c.fields.join(", ")),
            ]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "quality.conflicts",
        L::ConflictsTitle,
        b,
        &[
            (L::Id, ColKind::Text),
            (L::Kept, ColKind::Text),
            (L::Dropped, ColKind::Text),
            (L::FieldsThatDiffer, ColKind::Text),
        ],
        conflicts,
        None,
    ));
    s
}

/// A branch's own 数据质量: the records of the branch used, per file and sheet. The ledger of
/// rows read, rejected, duplicated and conflicting belongs to the whole run (a rejected row
/// has no trusted branch) and is in the whole report, beside the inputs' fingerprints.
pub(super) fn branch_section(b: &Builder, data: &Dataset) -> Section {
    let mut s = new_section("quality", L::SheetQuality, b);
    let sheets: Vec<_> = data.ledger.sheets.iter().filter(|sh| sh.used > 0).collect();
    let rows = sheets
        .iter()
        .map(|sh| {
            let kind = kind_text(b, sh.kind);
            vec![V::Text(sh.file.clone()), V::Text(sh.sheet.clone()), V::Text(kind), V::Count(sh.used as f64)]
        })
        .collect();
    let used: u64 = sheets.iter().map(|sh| sh.used).sum();
    s.tables.push(Table::with_columns(
        "quality.branch",
        L::BranchSourcesTitle,
        b,
        &[(L::File, ColKind::Text), (L::Sheet, ColKind::Text), (L::Kind, ColKind::Text), (L::Used, ColKind::Number)],
        rows,
        Some(vec![V::Text(b.text(L::Total)), V::Empty, V::Empty, V::Count(used as f64)]),
    ));
    s
}

/// A sheet's kind in the report's language.
fn kind_text(b: &Builder, k: Option<Kind>) -> String {
    k.map_or(b.text(L::NotClassified), |k| if b.lang == Lang::Zh { k.label().to_string() } else { k.id().to_string() })
}

/// A roll-up's 数据质量: the parts read (their CSV, its SHA-256, their definitions fingerprint
/// and rows read, used and rejected).
pub(super) fn rollup_section(b: &Builder, parts: &[super::RollupPart]) -> Section {
    let mut s = new_section("quality", L::SheetQuality, b);
    let n = |v: Option<f64>| v.map_or(V::Empty, V::Count);
    let rows = parts
        .iter()
        .map(|p| {
            vec![
                V::Text(p.name.clone()),
                V::Text(p.file.clone()),
                n(p.dq[0]),
                n(p.dq[1]),
                n(p.dq[2]),
                V::Text(p.fingerprint.clone().unwrap_or_else(|| b.text(L::NoFingerprint))),
                V::Text(p.sha256.clone()),
            ]
        })
        .collect();
    let sum = |k: usize| parts.iter().map(|p| p.dq[k]).try_fold(0.0, |a, v| v.map(|v| a + v));
    s.tables.push(Table::with_columns(
        "quality.parts",
        L::RollupPartsTitle,
        b,
        &[
            (L::Part, ColKind::Text),
            (L::File, ColKind::Text),
            (L::Read, ColKind::Number),
            (L::Used, ColKind::Number),
            (L::Rejected, ColKind::Number),
            (L::Fingerprint, ColKind::Text),
            (L::Sha256, ColKind::Text),
        ],
        rows,
        Some(vec![V::Text(b.text(L::Total)), V::Empty, n(sum(0)), n(sum(1)), n(sum(2)), V::Empty, V::Empty]),
    ));
    s
}

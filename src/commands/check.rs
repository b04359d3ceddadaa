//! `svcq check`: read the exports and print the data-quality summary of the ledger.

use std::fmt::Write;

use crate::cli::InputArgs;
use crate::exit::Exit;
use crate::model::{Ledger, SheetLedger};
use crate::period::Period;

/// Read, print the summary (every rejected row with -v, the first 10 otherwise).
pub(super) fn run(args: &InputArgs) -> anyhow::Result<Exit> {
    let (config, month, data) = super::ingest_args(args)?;
    let max = if args.verbose { usize::MAX } else { 10 };
    let text = summary(&data.ledger, month, config.quality.max_rejected_share, max);
    if !args.quiet {
        say!("{}", text.strip_suffix('\n').unwrap_or(&text));
    }
    if !data.ledger.unreadable.is_empty() {
        // A report of these inputs would stop: so does the check (exit 1), saying why.
        return Err(crate::ingest::UnreadableSheets(data.ledger).into());
    }
    Ok(super::quality_exit(&config, &data))
}

/// Render the summary: one line per sheet, the conservation equation, the rejected share,
/// skipped files and sheets, conflicts, and the first `max_rejected` rejected rows.
fn summary(ledger: &Ledger, month: Period, threshold: f64, max_rejected: usize) -> String {
    let mut s = String::new();
    let t = ledger.total();
    let files: std::collections::BTreeSet<&str> = ledger.sheets.iter().map(|s| s.file.as_str()).collect();
    let _ = writeln!(s, "svcq check {month}: {} files, {} sheets", files.len(), ledger.sheets.len());
    let _ = writeln!(
        s,
        "{:>9} {:>9} {:>9} {:>9} {:>9}  {:<12} file / sheet",
        "read", "used", "period", "dup", "rejected", "kind"
    );
    for sh in &ledger.sheets {
        let kind = sh.kind.map_or("-", |k| k.id());
        let _ = writeln!(
            s,
            "{:>9} {:>9} {:>9} {:>9} {:>9}  {:<12} {}{}",
            sh.rows_read,
            sh.used,
            sh.out_of_period,
            sh.duplicates,
            sh.rejected,
            kind,
            place(sh),
            sh.note.as_ref().map(|n| format!("  [{n}]")).unwrap_or_default()
        );
        if let Some(line) = mapping(sh) {
            let _ = writeln!(s, "{:>52}{line}", "");
        }
        for p in &sh.proposals {
            let _ = writeln!(s, "{:>52}proposed: {} <- {}: {}", "", p.field, p.column, p.evidence);
        }
    }
    let _ = writeln!(
        s,
        "{:>9} {:>9} {:>9} {:>9} {:>9}  total",
        t.rows_read, t.used, t.out_of_period, t.duplicates, t.rejected
    );
    let _ = writeln!(
        s,
        "rows read {} = used {} + out of period {} + duplicates {} + rejected {}{}{}",
        t.rows_read,
        t.used,
        t.out_of_period,
        t.duplicates,
        t.rejected,
        if t.footer > 0 { format!(" + footer rows {} (totals, notes)", t.footer) } else { String::new() },
        if t.balances() { "" } else { "  (DOES NOT BALANCE: please report this)" }
    );
    let share = ledger.rejected_share();
    let _ = writeln!(
        s,
        "rejected {:.2}% of rows (threshold {:.2}%): {}",
        share * 100.0,
        threshold * 100.0,
        if share > threshold { "ABOVE THRESHOLD" } else { "ok" }
    );
    for (file, why) in &ledger.skipped_files {
        let _ = writeln!(s, "skipped file {file}: {why}");
    }
    if !ledger.conflicts.is_empty() {
        let _ = writeln!(
            s,
            "conflicts (same id, different content; the row completed last is kept): {}",
            ledger.conflicts.len()
        );
        for c in ledger.conflicts.iter().take(max_rejected) {
            let _ = writeln!(
                s,
                "  {} {}: kept {}, dropped {} (differs in {})",
                c.kind,
                c.id,
                ledger.locate(c.kept),
                ledger.locate(c.dropped),
                c.fields.join(", ")
            );
        }
    }
    if !ledger.rejected.is_empty() {
        let shown = ledger.rejected.len().min(max_rejected);
        let _ = writeln!(s, "rejected rows (first {shown} of {}):", ledger.rejected.len());
        for r in ledger.rejected.iter().take(max_rejected) {
            let _ = writeln!(s, "  {}, column {}, value {:?}: {}", ledger.locate(r.src), r.column, r.raw, r.reason);
        }
    }
    s
}

/// The columns a sheet was read by: `row 3: call_id=A「呼叫流水号」, start_time=B「呼入开始时间」
/// (by containment), …`.
fn mapping(sh: &SheetLedger) -> Option<String> {
    if sh.columns.is_empty() {
        return None;
    }
    let cols: Vec<String> = sh
        .columns
        .iter()
        .zip(sh.matched_by.iter().chain(std::iter::repeat(&"alias")))
        .map(|((f, c), how)| if *how == "alias" { format!("{f}={c}") } else { format!("{f}={c} ({how})") })
        .collect();
    Some(format!("row {}: {}", sh.header_row.map_or("?".to_string(), |r| r.to_string()), cols.join(", ")))
}

fn place(sh: &SheetLedger) -> String {
    let enc = sh.encoding.as_ref().map(|e| format!(" ({e})")).unwrap_or_default();
    if sh.format == "csv" {
        format!("{}{enc}", sh.file)
    } else {
        format!("{} / {}", sh.file, sh.sheet)
    }
}

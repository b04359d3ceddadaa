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
    }
    let _ = writeln!(
        s,
        "{:>9} {:>9} {:>9} {:>9} {:>9}  total",
        t.rows_read, t.used, t.out_of_period, t.duplicates, t.rejected
    );
    let _ = writeln!(
        s,
        "rows read {} = used {} + out of period {} + duplicates {} + rejected {}{}",
        t.rows_read,
        t.used,
        t.out_of_period,
        t.duplicates,
        t.rejected,
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

fn place(sh: &SheetLedger) -> String {
    let enc = sh.encoding.as_ref().map(|e| format!(" ({e})")).unwrap_or_default();
    if sh.format == "csv" {
        format!("{}{enc}", sh.file)
    } else {
        format!("{} / {}", sh.file, sh.sheet)
    }
}

//! `svcq check`: read the exports and print the data-quality summary of the ledger.

use std::fmt::Write;

use crate::cli::InputArgs;
use crate::config::Lang;
use crate::exit::Exit;
use crate::model::{Ledger, SheetLedger};
use crate::period::Period;

/// Read, print the summary (every rejected row with -v, the first 10 otherwise).
pub(super) fn run(args: &InputArgs, lang: Option<Lang>) -> anyhow::Result<Exit> {
    let (config, month, data) = super::ingest_args(args, lang)?;
    let max = if args.verbose { usize::MAX } else { 10 };
    let text = summary(&data.ledger, month, config.quality.max_rejected_share, max, config.report.lang);
    if !args.quiet {
        say!("{}", text.strip_suffix('\n').unwrap_or(&text));
    }
    if !data.ledger.unreadable.is_empty() {
        // A report of these inputs would stop: so does the check (exit 1), saying why.
        return Err(crate::ingest::UnreadableSheets(data.ledger).into());
    }
    Ok(super::quality_exit(&config, &data))
}

/// The words of the summary in one language.
struct Words {
    head: fn(Period, usize, usize) -> String,
    columns: [&'static str; 7],
    total: &'static str,
    equation: &'static str,
    footer: &'static str,
    unbalanced: &'static str,
    share: fn(f64, f64, bool) -> String,
    skipped: &'static str,
    conflicts: &'static str,
    conflict: fn(&str, &str, &str, &str, &str) -> String,
    rejected: fn(usize, usize) -> String,
    reject: fn(&str, &str, &str, &str) -> String,
    row: &'static str,
    proposed: &'static str,
}

const ZH: Words = Words {
    head: |m, f, s| format!("svcq check {m}：{f}个文件，{s}个工作表"),
    columns: ["读取", "使用", "期外", "重复", "拒收", "类型", "文件 / 工作表"],
    total: "合计",
    equation: "读取 {read} 行 = 使用 {used} + 期外 {period} + 重复 {dup} + 拒收 {rejected}",
    footer: " + 表尾 {footer}（合计行、说明行）",
    unbalanced: "（不平衡：请报告此问题）",
    share: |s, t, above| {
        format!("拒收 {:.2}%（阈值 {:.2}%）：{}", s * 100.0, t * 100.0, if above { "超过阈值" } else { "正常" })
    },
    skipped: "跳过文件",
    conflicts: "冲突（同一编号内容不同，保留完成时间最晚者）",
    conflict: |k, id, kept, dropped, f| format!("  {k} {id}：保留 {kept}，舍弃 {dropped}（不同字段：{f}）"),
    rejected: |shown, n| format!("拒收行（前{shown}行，共{n}行）："),
    reject: |at, col, raw, why| format!("  {at}，{col}列，值 {raw}：{why}"),
    row: "表头第{row}行",
    proposed: "建议",
};

const EN: Words = Words {
    head: |m, f, s| format!("svcq check {m}: {f} files, {s} sheets"),
    columns: ["read", "used", "period", "dup", "rejected", "kind", "file / sheet"],
    total: "total",
    equation: "rows read {read} = used {used} + out of period {period} + duplicates {dup} + rejected {rejected}",
    footer: " + footer rows {footer} (totals, notes)",
    unbalanced: "  (DOES NOT BALANCE: please report this)",
    share: |s, t, above| {
        format!(
            "rejected {:.2}% of rows (threshold {:.2}%): {}",
            s * 100.0,
            t * 100.0,
            if above { "ABOVE THRESHOLD" } else { "ok" }
        )
    },
    skipped: "skipped file",
    conflicts: "conflicts (same id, different content; the row completed last is kept)",
    conflict: |k, id, kept, dropped, f| format!("  {k} {id}: kept {kept}, dropped {dropped} (differs in {f})"),
    rejected: |shown, n| format!("rejected rows (first {shown} of {n}):"),
    reject: |at, col, raw, why| format!("  {at}, column {col}, value {raw}: {why}"),
    row: "row {row}",
    proposed: "proposed",
};

/// Display width: CJK and full-width characters take two columns.
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

fn right(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(width(s))))
}

fn left(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

/// Render the summary in the report language: one line per sheet (with the columns it was
/// read by and the proposals for what it lacks), the conservation equation, the rejected
/// share, skipped files and sheets, conflicts, and the first `max_rejected` rejected rows.
fn summary(ledger: &Ledger, month: Period, threshold: f64, max_rejected: usize, lang: Lang) -> String {
    let w = if lang == Lang::Zh { &ZH } else { &EN };
    let mut s = String::new();
    let t = ledger.total();
    let files: std::collections::BTreeSet<&str> = ledger.sheets.iter().map(|s| s.file.as_str()).collect();
    let _ = writeln!(s, "{}", (w.head)(month, files.len(), ledger.sheets.len()));
    let numbers = |v: [String; 5]| v.iter().map(|x| right(x, 9)).collect::<Vec<_>>().join(" ");
    let c = w.columns;
    let _ = writeln!(s, "{}  {} {}", numbers([c[0], c[1], c[2], c[3], c[4]].map(String::from)), left(c[5], 12), c[6]);
    let indent = " ".repeat(52);
    for sh in &ledger.sheets {
        let kind = sh.kind.map_or("-", |k| if lang == Lang::Zh { k.label() } else { k.id() });
        let counts = [sh.rows_read, sh.used, sh.out_of_period, sh.duplicates, sh.rejected].map(|n| n.to_string());
        let _ = writeln!(
            s,
            "{}  {} {}{}",
            numbers(counts),
            left(kind, 12),
            place(sh),
            sh.note.as_ref().map(|n| format!("  [{n}]")).unwrap_or_default()
        );
        if let Some(line) = mapping(sh, w, lang) {
            let _ = writeln!(s, "{indent}{line}");
        }
        for p in &sh.proposals {
            let sep = if lang == Lang::Zh { "：" } else { ": " };
            let _ = writeln!(s, "{indent}{}{sep}{} <- {}{sep}{}", w.proposed, p.field, p.column, p.evidence);
        }
    }
    let totals = [t.rows_read, t.used, t.out_of_period, t.duplicates, t.rejected].map(|n| n.to_string());
    let _ = writeln!(s, "{}  {}", numbers(totals), w.total);
    let equation = w
        .equation
        .replace("{read}", &t.rows_read.to_string())
        .replace("{used}", &t.used.to_string())
        .replace("{period}", &t.out_of_period.to_string())
        .replace("{dup}", &t.duplicates.to_string())
        .replace("{rejected}", &t.rejected.to_string());
    let footer = if t.footer > 0 { w.footer.replace("{footer}", &t.footer.to_string()) } else { String::new() };
    let _ = writeln!(s, "{equation}{footer}{}", if t.balances() { "" } else { w.unbalanced });
    let share = ledger.rejected_share();
    let _ = writeln!(s, "{}", (w.share)(share, threshold, share > threshold));
    let sep = if lang == Lang::Zh { "：" } else { ": " };
    for (file, why) in &ledger.skipped_files {
        let _ = writeln!(s, "{} {file}{sep}{why}", w.skipped);
    }
    if !ledger.conflicts.is_empty() {
        let _ = writeln!(s, "{}{sep}{}", w.conflicts, ledger.conflicts.len());
        for c in ledger.conflicts.iter().take(max_rejected) {
            let kind = if lang == Lang::Zh { c.kind.label() } else { c.kind.id() };
            let _ = writeln!(
                s,
                "{}",
                (w.conflict)(kind, &c.id, &ledger.locate(c.kept), &ledger.locate(c.dropped), &c.fields.join(", "))
            );
        }
    }
    if !ledger.rejected.is_empty() {
        let shown = ledger.rejected.len().min(max_rejected);
        let _ = writeln!(s, "{}", (w.rejected)(shown, ledger.rejected.len()));
        for r in ledger.rejected.iter().take(max_rejected) {
            let _ = writeln!(s, "{}", (w.reject)(&ledger.locate(r.src), &r.column, &format!("{:?}", r.raw), &r.reason));
        }
    }
    s
}

/// The columns a sheet was read by: `row 3: call_id=A「呼叫流水号」, start_time=B「呼入开始时间」
/// (by containment), …` (表头第3行：… in Chinese).
fn mapping(sh: &SheetLedger, w: &Words, lang: Lang) -> Option<String> {
    if sh.columns.is_empty() {
        return None;
    }
    let how = |h: &str| -> String {
        match (lang, h) {
            (Lang::Zh, "by containment") => "（按包含匹配）".into(),
            (Lang::Zh, "group header joined") => "（合并表头拼接）".into(),
            (_, h) => format!(" ({h})"),
        }
    };
    let cols: Vec<String> = sh
        .columns
        .iter()
        .zip(sh.matched_by.iter().chain(std::iter::repeat(&"alias")))
        .map(|((f, c), h)| if *h == "alias" { format!("{f}={c}") } else { format!("{f}={c}{}", how(h)) })
        .collect();
    let row = w.row.replace("{row}", &sh.header_row.map_or("?".to_string(), |r| r.to_string()));
    let (sep, comma) = if lang == Lang::Zh { ("：", "，") } else { (": ", ", ") };
    Some(format!("{row}{sep}{}", cols.join(comma)))
}

fn place(sh: &SheetLedger) -> String {
    let enc = sh.encoding.as_ref().map(|e| format!(" ({e})")).unwrap_or_default();
    if sh.format == "csv" {
        format!("{}{enc}", sh.file)
    } else {
        format!("{} / {}", sh.file, sh.sheet)
    }
}

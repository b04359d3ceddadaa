//! The workbook: golden comparison part by part, figures read back equal the metrics CSV,
//! input text stays text, reproducible bytes.

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx};

use crate::util::{read_metrics, Workdir};

/// Unzip a workbook into part name → bytes.
fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    crate::util::zip_parts(bytes, false)
}

/// The sample month with the previous month in history, as a user runs it.
fn sample_report(w: &Workdir) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for m in ["2026-09", "2026-10"] {
        let input = root.join("sample-data").join(m);
        let out = w.run(&["report", "--input", input.to_str().unwrap(), "--month", m, "--out", "out"]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    }
}

/// Compare with tests/golden/service-quality-2026-10.xlsx part by part.
/// Re-bless after an intended change: `SVCQ_BLESS=1 cargo test golden_workbook`.
#[test]
fn golden_workbook() {
    let w = Workdir::new();
    sample_report(&w);
    let got = std::fs::read(w.join("out/service-quality-2026-10.xlsx")).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/service-quality-2026-10.xlsx");
    crate::util::assert_golden(&got, &golden, false);
}

#[test]
fn workbook_is_reproducible_and_has_every_sheet() {
    let (a, b) = (Workdir::new(), Workdir::new());
    sample_report(&a);
    sample_report(&b);
    let bytes = std::fs::read(a.join("out/service-quality-2026-10.xlsx")).unwrap();
    assert_eq!(bytes, std::fs::read(b.join("out/service-quality-2026-10.xlsx")).unwrap(), "byte-identical");
    let wb: Xlsx<_> = calamine::open_workbook(a.join("out/service-quality-2026-10.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "概览",
            "话务",
            "话务人力",
            "装机履约",
            "故障",
            "投诉",
            "考核",
            "回访满意度",
            "趋势",
            "变化归因",
            "明细-服务支撑",
            "明细-重复申告",
            "明细-超时工单",
            "明细-考核",
            "明细-越级投诉",
            "明细-不满意客户",
            "数据质量",
            "指标口径"
        ]
    );
    // Native charts, not pictures.
    let p = parts(&bytes);
    assert!(p.keys().filter(|k| k.starts_with("xl/charts/chart")).count() >= 8, "{:?}", p.keys());
    assert!(!p.keys().any(|k| k.starts_with("xl/media/")), "no pictures");
    let core = String::from_utf8(p["docProps/core.xml"].clone()).unwrap();
    assert!(core.contains("2026-10") && core.contains("2026-11-01T00:00:00Z"), "{core}");
}

fn find_row<'a>(range: &'a calamine::Range<Data>, first: &str) -> Option<&'a [Data]> {
    range.rows().find(|r| matches!(r.first(), Some(Data::String(s)) if s == first))
}

#[test]
fn workbook_figures_equal_the_metrics_csv() {
    let w = Workdir::new();
    sample_report(&w);
    let csv = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let value = |metric: &str, branch: &str| -> f64 {
        csv.iter()
            .find(|r| {
                r["metric"] == metric && r["branch"] == branch && r["product"].is_empty() && r["group"].is_empty()
            })
            .unwrap_or_else(|| panic!("{metric} {branch}"))["value"]
            .parse()
            .unwrap()
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    let mut wb: Xlsx<_> = calamine::open_workbook(w.join("out/service-quality-2026-10.xlsx")).unwrap();

    // 概览: 本月 column.
    let overview = wb.worksheet_range("概览").unwrap();
    for (label, metric) in [
        ("人工接通率", "calls.answer_rate"),
        ("履约准时率", "install.ontime_rate"),
        ("重复申告率", "fault.repeat_rate"),
        ("投诉量", "complaint.count"),
    ] {
        let row = find_row(&overview, label).unwrap_or_else(|| panic!("overview row {label}"));
        let got = row[1].as_f64().unwrap();
        assert!(close(got, value(metric, "")), "{label}: {got} vs {}", value(metric, ""));
    }
    // 装机履约: every branch's on-time rate.
    let sheet = wb.worksheet_range("装机履约").unwrap();
    let branches: Vec<String> = csv
        .iter()
        .filter(|r| r["metric"] == "install.ontime_rate" && !r["branch"].is_empty() && r["product"].is_empty())
        .map(|r| r["branch"].clone())
        .collect();
    assert!(branches.len() >= 4);
    for b in &branches {
        let row = find_row(&sheet, b).unwrap_or_else(|| panic!("install row {b}"));
        assert!(close(row[3].as_f64().unwrap(), value("install.ontime_rate", b)), "{b}");
        assert!(close(row[1].as_f64().unwrap(), value("install.orders", b)), "{b}");
    }
    let total = find_row(&sheet, "合计").unwrap();
    assert!(close(total[3].as_f64().unwrap(), value("install.ontime_rate", "")));
    // 回访满意度: satisfaction per branch.
    let sheet = wb.worksheet_range("回访满意度").unwrap();
    for r in csv.iter().filter(|r| r["metric"] == "survey.satisfaction_rate" && !r["branch"].is_empty()) {
        let row = find_row(&sheet, &r["branch"]).unwrap();
        assert!(close(row[3].as_f64().unwrap(), r["value"].parse().unwrap()), "{}", r["branch"]);
    }
    // 数据质量: the ledger total.
    let sheet = wb.worksheet_range("数据质量").unwrap();
    let total = find_row(&sheet, "合计").unwrap();
    let dq: f64 =
        csv.iter().find(|r| r["metric"] == "dq.rows_read" && r["group"].is_empty()).unwrap()["value"].parse().unwrap();
    assert_eq!(total[3].as_f64().unwrap(), dq);
}

#[test]
fn formula_like_input_is_stored_as_text() {
    let w = Workdir::new();
    w.write(
        "in/complaints.csv",
        "受理单号,工单类型,分公司,受理时间,归档时间,投诉渠道,投诉类别,责任部门\n\
         T1,投诉,\"=HYPERLINK(\"\"http://evil\"\",\"\"点此\"\")\",2026-10-02 09:00,2026-10-05 09:00,+1-2,@SUM(A1),-3+4\n",
    );
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bytes = std::fs::read(w.join("out/service-quality-2026-10.xlsx")).unwrap();
    for (name, xml) in parts(&bytes) {
        if name.starts_with("xl/worksheets/") {
            let xml = String::from_utf8(xml).unwrap();
            assert!(!xml.contains("<f>") && !xml.contains("<f "), "{name} holds a formula");
        }
    }
    let mut wb: Xlsx<_> = calamine::open_workbook(w.join("out/service-quality-2026-10.xlsx")).unwrap();
    let all: Vec<String> = wb
        .sheet_names()
        .iter()
        .flat_map(|s| wb.worksheet_range(s).unwrap().used_cells().map(|(_, _, d)| d.to_string()).collect::<Vec<_>>())
        .collect();
    for text in ["=HYPERLINK(\"http://evil\",\"点此\")", "+1-2", "@SUM(A1)", "-3+4"] {
        assert!(all.iter().any(|c| c == text), "{text} is in the workbook as text");
    }
}

/// A summary sheet's table longer than a printed page (变化归因's segments) starts a page of
/// its own and repeats its header row on every page; one that opens its sheet (指标口径) only
/// repeats it.
#[test]
fn long_summary_tables_print_with_their_header_on_every_page() {
    let w = Workdir::new();
    sample_report(&w);
    let path = w.join("out/service-quality-2026-10.xlsx");
    let parts = parts(&std::fs::read(&path).unwrap());
    let book = String::from_utf8(parts["xl/workbook.xml"].clone()).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let names = wb.sheet_names();
    for (sheet, breaks) in [("变化归因", true), ("指标口径", false)] {
        let index = names.iter().position(|n| n == sheet).unwrap();
        let prefix = format!("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{index}\">{sheet}!$");
        let at = book.find(&prefix).unwrap_or_else(|| panic!("{sheet} has print titles: {book}"));
        let rest = &book[at + prefix.len()..];
        let row: u32 = rest[..rest.find(':').unwrap()].parse().unwrap();
        assert!(rest.starts_with(&format!("{row}:${row}<")), "{sheet}: one header row repeated: {rest:.40}");
        let range = wb.worksheet_range(sheet).unwrap();
        // The repeated row is a table's header (its first column names the rows below) and
        // the table runs past a page.
        let header = range.get_value((row - 1, 0)).and_then(|c| c.get_string()).unwrap_or_default().to_string();
        assert!(["指标", "指标编号"].contains(&header.as_str()), "{sheet}: row {row} is a header, not {header:?}");
        let below =
            (row..range.end().unwrap().0).filter(|&r| range.get_value((r, 0)).is_some_and(|c| !c.is_empty())).count();
        assert!(below > 40, "{sheet}: {below} rows under the header");
        let xml = String::from_utf8(parts[&format!("xl/worksheets/sheet{}.xml", index + 1)].clone()).unwrap();
        let brk = format!("<brk id=\"{}\"", row - 2);
        assert_eq!(xml.contains(&brk), breaks, "{sheet}: a page break above the table's title: {breaks}");
        assert_eq!(xml.contains("<rowBreaks"), breaks, "{sheet}: no other page break");
    }
}

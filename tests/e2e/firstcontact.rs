//! First contact with a site's own exports (issue 29, SPEC §8.1): a sheet that looks like an
//! export but cannot be read stops the run and says what to add; `init-config --input` adds
//! it; then the report has exactly the figures of the same rows in SPEC §2 shape. The
//! fixtures are written by `tests/fixtures/firstcontact/make-firstcontact.py` (openpyxl and
//! Python's GBK codec).

use std::collections::BTreeMap;

use crate::util::{fixtures, read_metrics, Workdir};

/// The figures of a metrics CSV: (metric, branch, product, group) → (numerator, denominator,
/// value), without the rows that describe the inputs (dq.*, meta.*).
fn figures(path: &std::path::Path) -> BTreeMap<String, String> {
    read_metrics(path)
        .into_iter()
        .filter(|r| !r["metric"].starts_with("dq.") && !r["metric"].starts_with("meta."))
        .map(|r| {
            (
                format!("{} {} {} {}", r["metric"], r["branch"], r["product"], r["group"]),
                format!("{} {} {}", r["numerator"], r["denominator"], r["value"]),
            )
        })
        .collect()
}

#[test]
fn a_sites_own_exports_fail_loudly_then_read_right_with_the_proposed_config() {
    let w = Workdir::new();
    let dir = fixtures().join("firstcontact");
    let site = dir.join("site");
    let site = site.to_str().unwrap();
    // 1. Without config: exit 1, nothing written, the sheet, kind, missing field and the
    //    proposed column named.
    let out = w.run(&["report", "--input", site, "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!w.join("out/metrics-2026-10.csv").exists() && !w.join("out/service-quality-2026-10.xlsx").exists());
    for want in [
        "calls-vendor.csv: looks like calls (话务明细): row 1 holds start_time, branch, caller, talk_seconds",
        "missing wait_seconds",
        "proposed: wait_seconds <- column B「排队等待(秒)」 (100% durations or seconds",
        "wait_seconds = [\"排队等待(秒)\"]",
    ] {
        assert!(out.stderr.contains(want), "{want}\n{}", out.stderr);
    }
    // check says the same per sheet, with the mapping used and how.
    let out = w.run(&["check", "--input", site, "--month", "2026-10"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("start_time=A「呼入开始时间」 (by containment)"), "{}", out.stdout);
    assert!(out.stdout.contains("attitude=G「满意度评价/态度」 (group header joined)"), "{}", out.stdout);
    assert!(out.stdout.contains("proposed: wait_seconds <- B「排队等待(秒)」"), "{}", out.stdout);

    // 2. init-config --input: the default config plus the alias, under its evidence.
    let out = w.run(&["init-config", "--input", site, "--month", "2026-10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("[aliases.calls]\n# calls-vendor.csv, column B「排队等待(秒)」: 100% durations or seconds"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\nwait_seconds = [\"排队等待(秒)\"]\n"), "{}", out.stdout);
    w.write("svcq.toml", &out.stdout);

    // 3. The report of the site's exports equals the report of the same rows in SPEC shape.
    let out = w.run(&["report", "--input", site, "--month", "2026-10", "--out", "site-out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let spec = dir.join("spec");
    let out = w.run(&["report", "--input", spec.to_str().unwrap(), "--month", "2026-10", "--out", "spec-out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (a, b) = (figures(&w.join("site-out/metrics-2026-10.csv")), figures(&w.join("spec-out/metrics-2026-10.csv")));
    assert!(a.len() > 100, "{} figures", a.len());
    assert_eq!(a.get("calls.offered   "), Some(&"48  48".to_string()));
    assert_eq!(a.get("survey.contacted   "), b.get("survey.contacted   "));
    let differ: Vec<String> = b
        .iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: spec {v}, site {:?}", a.get(k)))
        .collect();
    assert!(differ.is_empty() && a.len() == b.len(), "{} differ:\n{}", differ.len(), differ.join("\n"));

    // The ledger: the 合计 rows and the notes are footer rows, the row of "-" is blank.
    let rows = read_metrics(&w.join("site-out/metrics-2026-10.csv"));
    let dq = |m: &str, g: &str| rows.iter().find(|r| r["metric"] == m && r["group"] == g).map(|r| r["value"].clone());
    assert_eq!(dq("dq.footer", ""), Some("4".into()), "2 totals + 2 notes");
    assert_eq!(dq("dq.rows_read", ""), Some("82".into()), "48 calls + 30 surveys + 4 footer rows");
    assert_eq!(dq("dq.rows_used", ""), Some("78".into()));
    assert_eq!(dq("dq.rejected", ""), Some("0".into()));
    let spec_rows = read_metrics(&w.join("spec-out/metrics-2026-10.csv"));
    assert!(spec_rows.iter().all(|r| r["metric"] != "dq.footer"), "no footer rows, no dq.footer rows");
}

#[test]
fn notes_and_pivots_are_listed_but_an_unreadable_export_stops_the_run() {
    let w = Workdir::new();
    std::fs::create_dir_all(w.join("in")).unwrap();
    std::fs::create_dir_all(w.join("in2")).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet().set_name("填表说明").unwrap();
    notes.write(0, 0, "填表说明").unwrap();
    notes.write(1, 0, "1. 分公司填写全称；2. 受理时间精确到分。").unwrap();
    let pivot = wb.add_worksheet().set_name("汇总").unwrap();
    pivot.write_row(0, 0, ["分公司", "投诉量"]).unwrap();
    for (i, b) in ["东区", "西区", "北区", "城区", "安岳", "乐至", "雁江", "简阳"].iter().enumerate() {
        pivot.write(i as u32 + 1, 0, *b).unwrap();
        pivot.write(i as u32 + 1, 1, (i * 7 + 3) as f64).unwrap();
    }
    let orders = wb.add_worksheet().set_name("明细").unwrap();
    orders.write_row(0, 0, ["受理单号", "工单类型", "分公司", "受理时间"]).unwrap();
    orders.write_row(1, 0, ["T1", "投诉", "东区", "2026-10-03 09:00"]).unwrap();
    wb.save(w.join("in/complaints.xlsx")).unwrap();
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "notes and a pivot do not stop the run: {}", out.stderr);
    let out = w.run(&["check", "--input", "in", "--month", "2026-10"]);
    assert!(out.stdout.contains("complaints.xlsx / 汇总  [未识别 (matches no kind)"), "{}", out.stdout);
    assert!(out.stdout.contains("complaints.xlsx / 填表说明  [未识别 (matches no kind)"), "{}", out.stdout);

    // A sheet named for calls with 25 rows under a header svcq knows nothing of: it looks
    // like an export, so the report stops rather than leave the calls out.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet().set_name("话务明细").unwrap();
    s.write_row(0, 0, ["进线时刻", "排队", "状态", "区域"]).unwrap();
    for r in 1..=25u32 {
        s.write_row(r, 0, [format!("2026-10-{:02} 09:00", r), "12".into(), "接起".into(), "东区".into()]).unwrap();
    }
    wb.save(w.join("in2/hotline.xlsx")).unwrap();
    let out = w.run(&["report", "--input", "in2", "--month", "2026-10", "--out", "out2", "-q"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("hotline.xlsx / 话务明细: looks like calls (话务明细): 25 rows below a header row"),
        "{}",
        out.stderr
    );
    assert!(!w.join("out2/metrics-2026-10.csv").exists(), "nothing written");
}

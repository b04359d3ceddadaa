//! `svcq report --per-branch` (SPEC §7.8): each branch's own workbook, HTML report and metrics
//! CSV under `branches/<branch>/`, its figures beside the whole's, nothing of another branch.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use calamine::{Data, DataType, Reader, Xlsx};
use sha2::{Digest, Sha256};

use crate::util::{read_metrics, CsvRow, Workdir};

/// Customer-level metrics: the whole report puts a customer in the branch of their first
/// record across branches; a branch's own report sees its own records only (docs/usage.md).
const CUSTOMER_LEVEL: &[&str] =
    &["calls.repeat_caller_rate", "fault.customers", "fault.repeat_customers", "fault.repeat_rate"];

/// Every work order id of the input workbooks with its branch, read with calamine from the
/// sheets the generator wrote (id and branch columns found by their headers).
fn order_branches(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "xlsx") {
            continue;
        }
        let mut wb: Xlsx<_> = calamine::open_workbook(&p).unwrap();
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).unwrap();
            let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
            let Some(h) =
                rows.iter().position(|r| r.iter().any(|c| ["工单编号", "工单号", "受理单号"].contains(&c.as_str())))
            else {
                continue;
            };
            let col = |names: &[&str]| rows[h].iter().position(|c| names.contains(&c.as_str()));
            let (Some(id), Some(branch)) =
                (col(&["工单编号", "工单号", "受理单号"]), col(&["所属分公司", "分公司", "区县分公司"]))
            else {
                continue;
            };
            for r in &rows[h + 1..] {
                if !r[id].is_empty() && !r[branch].is_empty() {
                    out.insert(r[id].clone(), r[branch].clone());
                }
            }
        }
    }
    out
}

/// The text of every part of a workbook (shared strings, sheets, charts, properties).
fn xlsx_text(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        f.read_to_string(&mut text).unwrap();
    }
    text
}

fn total<'a>(rows: &'a [CsvRow], metric: &str, branch: &str) -> &'a CsvRow {
    rows.iter()
        .find(|r| r["metric"] == metric && r["branch"] == branch && r["product"].is_empty() && r["group"].is_empty())
        .unwrap_or_else(|| panic!("{metric} {branch}"))
}

#[test]
fn each_branch_gets_its_own_report_with_nothing_of_another_branch() {
    let w = Workdir::new();
    let o = w.run(&["sample", "--month", "2026-10", "--out", "in", "--format", "xlsx", "--scale", "2"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // A branch of an earlier run that has no rows now: its files of this month go, others stay.
    w.write("out/branches/旧分公司/metrics-2026-10.csv", "stale");
    w.write("out/branches/旧分公司/service-quality-2026-10.html", "stale");
    w.write("out/branches/旧分公司/service-quality-2026-09.html", "last month's");
    let o = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "--per-branch"]);
    assert!(o.code == 0 || o.code == 3, "{}{}", o.stdout, o.stderr);
    assert!(!w.join("out/branches/旧分公司/metrics-2026-10.csv").exists(), "a rerun replaces the month's files");
    assert!(!w.join("out/branches/旧分公司/service-quality-2026-10.html").exists());
    assert!(w.join("out/branches/旧分公司/service-quality-2026-09.html").exists(), "other months stay");
    let orders = order_branches(&w.join("in"));
    let branches: BTreeSet<&str> = orders.values().map(String::as_str).collect();
    assert!(branches.len() >= 4 && orders.len() > 1000, "{branches:?}, {} orders", orders.len());
    assert!(o.stdout.contains(&format!("wrote out/branches ({} branches", branches.len())), "{}", o.stdout);
    let whole = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.join("out/manifest-2026-10.json")).unwrap()).unwrap();
    let listed: BTreeMap<String, String> = manifest["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["file"].as_str().unwrap().to_string(), o["sha256"].as_str().unwrap().to_string()))
        .collect();
    for branch in &branches {
        let dir = format!("out/branches/{branch}");
        let names = ["service-quality-2026-10.xlsx", "service-quality-2026-10.html", "metrics-2026-10.csv"];
        // Every file is in the whole run's manifest, as written.
        for n in names {
            let bytes = std::fs::read(w.join(&format!("{dir}/{n}"))).unwrap();
            let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(listed.get(&format!("branches/{branch}/{n}")), Some(&sha), "{branch}/{n} in the manifest");
        }
        let xlsx = xlsx_text(&w.join(&format!("{dir}/{}", names[0])));
        let html = std::fs::read_to_string(w.join(&format!("{dir}/{}", names[1]))).unwrap();
        let csv = std::fs::read_to_string(w.join(&format!("{dir}/{}", names[2]))).unwrap();
        for (what, text) in [("workbook", &xlsx), ("HTML", &html), ("CSV", &csv)] {
            assert!(text.contains(branch), "{branch}'s {what} names it");
            for other in branches.iter().filter(|b| *b != branch) {
                assert!(!text.contains(other), "{branch}'s {what} names {other}");
            }
        }
        // Order ids: the branch's detail sheets list some of its own, none of another's.
        let tokens: BTreeSet<&str> =
            [&xlsx, &html].into_iter().flat_map(|t| t.split(|c: char| !c.is_ascii_alphanumeric())).collect();
        let mut own = 0;
        for (id, b) in &orders {
            let seen = tokens.contains(id.as_str());
            if b == branch {
                own += usize::from(seen);
            } else {
                assert!(!seen, "{branch}'s report shows order {id} of {b}");
            }
        }
        assert!(own > 0, "{branch}'s details list its own orders");
        // Its figures are the whole report's figures of the branch (customer-level metrics
        // count the branch's own records: see docs/usage.md), its totals those of its rows.
        let mine = read_metrics(&w.join(&format!("{dir}/{}", names[2])));
        let mut compared = 0;
        for r in whole.iter().filter(|r| r["branch"] == *branch && !CUSTOMER_LEVEL.contains(&r["metric"].as_str())) {
            let m = mine
                .iter()
                .find(|m| {
                    let same = m["metric"] == r["metric"] && m["product"] == r["product"] && m["group"] == r["group"];
                    // Rows only ever per branch (justified complaints) keep the branch.
                    same && (m["branch"].is_empty() || m["branch"] == *branch)
                })
                .unwrap_or_else(|| panic!("{branch}: no {} {} {}", r["metric"], r["product"], r["group"]));
            for col in ["numerator", "denominator", "value", "small_sample", "met", "target"] {
                assert_eq!(m[col], r[col], "{branch} {} {} {} {col}", r["metric"], r["product"], r["group"]);
            }
            compared += 1;
        }
        assert!(compared > 40, "{branch}: {compared} rows compared");
        // The overview shows the whole beside the branch.
        let mut wb: Xlsx<_> = calamine::open_workbook(w.join(&format!("{dir}/{}", names[0]))).unwrap();
        let sheet = wb.worksheet_range("概览").unwrap();
        let rows: Vec<&[Data]> = sheet.rows().collect();
        let h = rows.iter().position(|r| r.iter().any(|c| *c == "全市")).expect("a 全市 column");
        let col = |name: &str| rows[h].iter().position(|c| *c == name).unwrap();
        let answer = rows.iter().find(|r| r[0] == "人工接通率").unwrap();
        let value = |c: &Data| c.get_float().unwrap();
        let expect = |rows: &[CsvRow], b: &str| total(rows, "calls.answer_rate", b)["value"].parse::<f64>().unwrap();
        assert!((value(&answer[col("本月")]) - expect(&whole, branch)).abs() < 1e-6, "{branch}: its answer rate");
        assert!((value(&answer[col("全市")]) - expect(&whole, "")).abs() < 1e-6, "{branch}: the whole's");
        assert!(html.contains(&format!("<h1>客户服务质量月报（{branch}）</h1>")), "{branch}: its title");
        // The branch tables end with the whole's row: 全市 and the whole's install orders.
        let orders = total(&whole, "install.orders", "")["value"].parse::<f64>().unwrap();
        let orders = if orders >= 1000.0 {
            format!("{},{:03}", orders as u64 / 1000, orders as u64 % 1000)
        } else {
            format!("{orders}")
        };
        assert!(
            html.contains(&format!("<tfoot><tr><td>全市</td><td class=\"num\">{orders}</td>")),
            "{branch}: the 全市 row of 各分公司装机履约"
        );
        assert!(!html.contains("话务与人力"), "{branch}: the hotline's staffing is the whole's page");
    }
    // Without --per-branch there are no branch folders.
    let o = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "plain", "-q"]);
    assert!(o.code == 0 || o.code == 3);
    assert!(!w.join("plain/branches").exists());
}

#[test]
fn rows_of_no_branch_have_no_branch_report() {
    let w = Workdir::new();
    w.write("in/calls.csv", "来电时间,等待时长,是否接通\n2026-10-01 08:00,5,是\n");
    let o = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "--per-branch"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.ends_with("no branch reports: no row names a branch\n"), "{}", o.stdout);
    assert!(!w.join("out/branches").exists());
}

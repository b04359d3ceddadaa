//! End-to-end tests: the real `svcq` binary on real files.

mod util;

#[path = "e2e/accountability.rs"]
mod accountability;
#[path = "e2e/architecture.rs"]
mod architecture;
#[path = "e2e/branches.rs"]
mod branches;
#[path = "e2e/change.rs"]
mod change;
#[path = "e2e/columnar.rs"]
mod columnar;
#[path = "e2e/damaged.rs"]
mod damaged;
#[path = "e2e/deck.rs"]
mod deck;
#[path = "e2e/delivery.rs"]
mod delivery;
#[path = "e2e/firstcontact.rs"]
mod firstcontact;
#[path = "e2e/html.rs"]
mod html;
#[path = "e2e/incidents.rs"]
mod incidents;
#[path = "e2e/manifest.rs"]
mod manifest;
#[path = "e2e/metrics.rs"]
mod metrics;
#[path = "e2e/mutants.rs"]
mod mutants;
#[path = "e2e/ops.rs"]
mod ops;
#[path = "e2e/props.rs"]
mod props;
#[path = "e2e/rollup.rs"]
mod rollup;
#[path = "e2e/sentences.rs"]
mod sentences;
#[path = "e2e/staffing.rs"]
mod staffing;
#[path = "e2e/workbook.rs"]
mod workbook;

use std::collections::BTreeMap;
use std::path::Path;

use svcq::sample::{SheetTruth, Truth};
use util::{dq_by_sheet, read_metrics, Workdir};

/// Compare the per-sheet dq.* rows of a metrics CSV with a sample's truth file.
fn assert_ledger_matches_truth(metrics: &Path, truth_file: &Path) {
    let truth = Truth::parse(&std::fs::read_to_string(truth_file).unwrap());
    assert!(!truth.is_empty());
    let dq = dq_by_sheet(&read_metrics(metrics));
    for t in &truth {
        let group = format!("file={};sheet={}", t.file, t.sheet);
        let got = dq.get(&group).unwrap_or_else(|| panic!("no dq rows for {group}; have {:?}", dq.keys()));
        let want = BTreeMap::from([
            ("dq.rows_read".to_string(), t.read),
            ("dq.rows_used".to_string(), t.used),
            ("dq.out_of_period".to_string(), t.out_of_period),
            ("dq.duplicates".to_string(), t.duplicates),
            ("dq.rejected".to_string(), t.rejected),
        ]);
        let got_main: BTreeMap<String, u64> =
            got.iter().filter(|(k, _)| *k != "dq.conflicts").map(|(k, v)| (k.clone(), *v)).collect();
        assert_eq!(got_main, want, "ledger of {group}");
    }
    // Every sheet the tool saw is in the truth, and the totals are the sums.
    assert_eq!(dq.len(), truth.len() + 1, "sheets: {:?}", dq.keys());
    let total = &dq[""];
    let sum = |f: fn(&SheetTruth) -> u64| truth.iter().map(f).sum::<u64>();
    assert_eq!(total["dq.rows_read"], sum(|t| t.read));
    assert_eq!(total["dq.rows_used"], sum(|t| t.used));
    assert_eq!(
        total["dq.rows_read"],
        total["dq.rows_used"] + total["dq.out_of_period"] + total["dq.duplicates"] + total["dq.rejected"]
    );
}

#[test]
fn sample_in_every_format_is_read_exactly_as_generated() {
    for format in ["mixed", "xlsx", "csv", "xls-compatible", "html-xls", "xml-xls"] {
        let w = Workdir::new();
        let out = w.run(&["sample", "--month", "2026-10", "--out", "in", "--format", format, "--scale", "0.5"]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
        assert_eq!(out.code, 0, "{format}: {}{}", out.stdout, out.stderr);
        assert_ledger_matches_truth(&w.join("out/metrics-2026-10.csv"), &w.join("in/.truth.txt"));
    }
}

#[test]
fn the_same_month_as_xlsx_html_xls_and_xml_xls_gives_identical_metrics() {
    let w = Workdir::new();
    let mut metrics = Vec::new();
    for format in ["xlsx", "html-xls", "xml-xls"] {
        let out = w.run(&["sample", "--month", "2026-10", "--out", format, "--format", format, "--scale", "0.5"]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        let out = w.run(&["report", "--input", format, "--month", "2026-10", "--out", &format!("out-{format}")]);
        assert_eq!(out.code, 0, "{format}: {}{}", out.stdout, out.stderr);
        let csv = std::fs::read_to_string(w.join(&format!("out-{format}/metrics-2026-10.csv"))).unwrap();
        // Every figure, and the ledger's totals; per-sheet rows name the files, which differ.
        let rows: Vec<String> = csv.lines().filter(|l| !l.contains(",file=")).map(String::from).collect();
        assert!(rows.len() > 400, "{format}: {} rows", rows.len());
        metrics.push((format, rows));
    }
    for (format, rows) in &metrics[1..] {
        assert_eq!(rows, &metrics[0].1, "{format} gives the figures xlsx gives");
    }
    // The web exports really are what their names say.
    let html = std::fs::read(w.join("html-xls/故障工单-202610.xls")).unwrap();
    assert!(html.starts_with(b"<html"), "an HTML page named .xls");
    assert!(String::from_utf8(html.clone()).is_err(), "GBK, not UTF-8");
    let xml = std::fs::read_to_string(w.join("xml-xls/故障工单-202610.xls")).unwrap();
    assert!(xml.contains("urn:schemas-microsoft-com:office:spreadsheet") && xml.contains("ss:Index="));
}

#[test]
fn shipped_sample_data_matches_its_truth_and_the_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for month in ["2026-09", "2026-10"] {
        let shipped = root.join("sample-data").join(month);
        let w = Workdir::new();
        let out = w.run(&["report", "--input", shipped.to_str().unwrap(), "--month", month, "--out", "out"]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
        assert_ledger_matches_truth(&w.join(&format!("out/metrics-{month}.csv")), &shipped.join(".truth.txt"));
        // The shipped files are exactly what the generator writes today (same seed).
        let out = w.run(&["sample", "--month", month, "--out", "regen"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        for entry in std::fs::read_dir(&shipped).unwrap() {
            let p = entry.unwrap().path();
            let name = p.file_name().unwrap().to_str().unwrap().to_string();
            let regen = std::fs::read(w.join("regen").join(&name)).unwrap_or_else(|_| panic!("{name} not regenerated"));
            assert!(std::fs::read(&p).unwrap() == regen, "{month}/{name} differs from the generator's output: run `svcq sample --month {month} --out sample-data/{month}`");
        }
    }
}

#[test]
fn sample_is_deterministic() {
    let w = Workdir::new();
    assert_eq!(w.run(&["sample", "--month", "2026-10", "--out", "a", "--scale", "0.3"]).code, 0);
    assert_eq!(w.run(&["sample", "--month", "2026-10", "--out", "b", "--scale", "0.3"]).code, 0);
    let mut names: Vec<_> = std::fs::read_dir(w.join("a")).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.len() >= 7);
    for n in names {
        assert_eq!(std::fs::read(w.join("a").join(&n)).unwrap(), std::fs::read(w.join("b").join(&n)).unwrap(), "{n:?}");
    }
}

/// The real-world fixtures (written by LibreOffice, openpyxl and Python's GBK codec; see
/// tests/fixtures/make-fixtures.sh): the expected figures follow from how the rows were made.
#[test]
fn realworld_files_check_output_is_exact() {
    let w = Workdir::new();
    let dir = util::fixtures().join("realworld");
    let out = w.run(&["check", "--input", dir.to_str().unwrap(), "--month", "2026-10"]);
    // 8 of 36 rows are bad on purpose: above the 1 % threshold, so exit code 3.
    assert_eq!(out.code, 3, "{}", out.stderr);
    let expected = r#"svcq check 2026-10：5个文件，7个工作表
     读取      使用      期外      重复      拒收  类型         文件 / 工作表
        2         2         0         0         0  话务明细     calls-1904.xlsx / 话务
                                                    表头第1行：call_id=A「流水号」，start_time=B「进线时间」，branch=C「分公司」，answered=D「接通标志」，wait_seconds=E「排队时长」
       10         5         2         1         2  话务明细     calls.ods / calls
                                                    表头第1行：call_id=A「呼叫流水号」，start_time=B「来电时间」，branch=C「分公司」，caller=D「主叫号码」，answered=E「是否接通」，talk_seconds=F「通话时长(秒)」，wait_seconds=G「等待时长(秒)」
        5         3         0         1         1  工单明细     complaints-gbk.csv (GBK/GB18030)
                                                    表头第2行：order_id=A「受理单号」，order_type=B「工单类型」，branch=C「区县分公司」，customer_id=D「客户号码」，created_at=E「受理时间」，completed_at=F「归档时间」，channel=G「投诉来源」，category=H「投诉分类」
       12         6         1         2         3  工单明细     faults.xls / faults
                                                    表头第3行：order_id=A「工单编号」，order_type=B「工单类型」，branch=C「所属分公司」，product=D「产品」，customer_id=E「用户号码」，created_at=F「申告时间」，completed_at=G「修复时间」，cause=H「故障原因」
        7         4         1         0         2  回访明细     surveys.xlsx / 回访明细
                                                    表头第2行：survey_id=A「回访编号」，order_id=B「工单号」，branch=C「分公司」，surveyed_at=D「回访时间」，contacted=E「回访结果」，satisfaction=F「满意度」
        0         0         0         0         0  回访明细     surveys.xlsx / 仅表头  [只有表头 (header only): no data rows]
                                                    表头第1行：survey_id=A「回访编号」，order_id=B「工单号」，branch=C「分公司」，surveyed_at=D「回访时间」，contacted=E「回访结果」，satisfaction=F「满意度」
        0         0         0         0         0  -            surveys.xlsx / 备注  [未识别 (matches no kind): no known column names in the first 20 rows]
       36        20         4         4         8  合计
读取 36 行 = 使用 20 + 期外 4 + 重复 4 + 拒收 8
拒收 22.22%（阈值 1.00%）：超过阈值
冲突（同一编号内容不同，保留完成时间最晚者）：1
  工单明细 GZ2：保留 faults.xls / faults row 12，舍弃 faults.xls / faults row 5（不同字段：completed_at）
拒收行（前8行，共8行）：
  calls.ods / calls row 9，B「来电时间」列，值 "2026-10-32 08:00"：无法识别的日期时间 (unrecognised date-time)
  calls.ods / calls row 10，G「等待时长(秒)」列，值 "abc"：不是时长 (not a duration)
  complaints-gbk.csv row 7，E「受理时间」列，值 "NULL"：必填项为空 (required value missing)
  faults.xls / faults row 8，E「用户号码」列，值 ""：故障工单缺少用户号码 (fault order without customer id)
  faults.xls / faults row 9，C「所属分公司」列，值 ""：必填项为空 (required value missing)
  faults.xls / faults row 15，G「修复时间」列，值 "2026-10-08 08:00:00"：完成时间早于受理时间 (completed before created)
  surveys.xlsx / 回访明细 row 5，C「分公司」列，值 ""：分公司为空，关联工单号GZX在工单中找不到 (no branch, and order id GZX is not in the work orders)
  surveys.xlsx / 回访明细 row 9，D「回访时间」列，值 "2026-10-07 25:00"：无法识别的日期时间 (unrecognised date-time)
"#;
    assert_eq!(out.stdout, expected);
    // With a looser threshold the same input passes.
    w.write("svcq.toml", "[quality]\nmax_rejected_share = 0.25\n");
    let out = w.run(&["check", "--lang", "en", "--input", dir.to_str().unwrap(), "--month", "2026-10", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "", "-q prints nothing");
}

#[test]
fn web_system_exports_named_xls_are_read_as_workbooks() {
    let w = Workdir::new();
    let dir = util::fixtures().join("webexport");
    let out = w.run(&["check", "--lang", "en", "--input", dir.to_str().unwrap(), "--month", "2026-10", "-v"]);
    assert_eq!(out.code, 3, "1 of 15 rows rejected: {}", out.stderr);
    let expected = "svcq check 2026-10: 4 files, 5 sheets
     read      used    period       dup  rejected  kind         file / sheet
        3         2         1         0         0  calls        calls.xlsb / 话务明细
                                                    row 2: call_id=A「流水号」, start_time=B「来电时间」, branch=C「分公司」, answered=D「是否接通」, wait_seconds=E「排队时长」, caller=F「主叫号码」
        5         4         1         0         0  work_orders  ngcc-faults.xls / Table1
                                                    row 2: order_id=A「工单编号」, order_type=B「工单类型」, branch=C「所属分公司」, product=D「产品类型」, customer_id=E「申告号码」, created_at=F「申告时间」, completed_at=G「修复时间」, cause=H「故障原因」
        0         0         0         0         0  -            portal-complaints.xls / 汇总  [未识别 (matches no kind): no known column names in the first 20 rows]
        3         2         0         0         1  work_orders  portal-complaints.xls / 投诉明细
                                                    row 1: order_id=A「工单号」, order_type=B「工单类型」, branch=C「分公司」, created_at=D「受理时间」, completed_at=E「完成时间」, channel=F「投诉渠道」, category=G「投诉类别」, department=H「责任部门」
        4         3         1         0         0  calls        zongdiao-calls.xls / 话务明细
                                                    row 3: call_id=A「流水号」, start_time=B「来电时间」, branch=C「分公司」, answered=D「是否接通」, wait_seconds=E「排队时长」, caller=F「主叫号码」
       15        11         3         0         1  total
rows read 15 = used 11 + out of period 3 + duplicates 0 + rejected 1
rejected 6.67% of rows (threshold 1.00%): ABOVE THRESHOLD
skipped file make-webexport.py: not a spreadsheet or CSV file name
rejected rows (first 1 of 1):
  portal-complaints.xls / 投诉明细 row 4, column D「受理时间」, value \"不是时间\": 无法识别的日期时间 (unrecognised date-time)
";
    assert_eq!(out.stdout, expected);
    // The values, as Excel would show them.
    let config = svcq::config::Config::default();
    let data = svcq::ingest::ingest(&[dir], &config, "2026-10".parse().unwrap(), Default::default()).unwrap();
    let order = |id: &str| data.orders.iter().find(|o| o.order_id == id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(order("GZ20261001").customer_id.as_deref(), Some("02884561234"), "the leading zero stays");
    assert_eq!(order("GZ20261001").cause.as_deref(), Some("光猫故障\n已更换"), "<br> is a line break");
    assert_eq!(order("GZ20261003").customer_id.as_deref(), Some("13350690999"));
    assert_eq!(order("GZ20261003").completed_at, None);
    assert_eq!(order("GZ20261004").cause.as_deref(), Some("<不明原因>"), "entities decoded");
    assert_eq!(order("GZ20261004").created_at.to_string(), "2026-10-20 14:05:00");
    assert_eq!(order("TS002").channel.as_deref(), Some("工信部"));
    assert_eq!(data.calls.len(), 5);
    let b1 = data.calls.iter().find(|c| c.call_id.as_deref() == Some("B001")).unwrap();
    assert_eq!((b1.start_time.to_string().as_str(), b1.wait_seconds), ("2026-10-03 09:00:00", 15.0), "xlsb");
    assert_eq!(b1.caller.as_deref(), Some("13350690999"));
    let c = data.calls.iter().find(|c| c.call_id.as_deref() == Some("C001")).unwrap();
    assert_eq!((c.start_time.to_string().as_str(), c.wait_seconds, c.answered), ("2026-10-01 08:05:00", 12.0, true));
    assert_eq!(c.caller.as_deref(), Some("13350690999"), "a Number cell id keeps its digits");
    let c3 = data.calls.iter().find(|c| c.call_id.as_deref() == Some("C003")).unwrap();
    assert_eq!(c3.branch, None, "the ss:Index gap leaves the branch empty");
    assert_eq!(c3.wait_seconds, 3.0);
}

#[test]
fn optional_work_order_fields_of_spec_7_1_under_their_aliases() {
    let w = Workdir::new();
    let dir = util::fixtures().join("fields71");
    let out = w.run(&["check", "--lang", "en", "--input", dir.to_str().unwrap(), "--month", "2026-10"]);
    assert!(
        out.stdout.contains(
            "complaints.xlsx / 投诉 row 4, column H「回单规范」, value \"大概\": 不是是/否值 (not a yes/no value)"
        ),
        "{}",
        out.stdout
    );
    let config = svcq::config::Config::default();
    let data = svcq::ingest::ingest(&[dir], &config, "2026-10".parse().unwrap(), Default::default()).unwrap();
    let order = |id: &str| data.orders.iter().find(|o| o.order_id == id).unwrap_or_else(|| panic!("{id}"));
    let ts1 = order("TS1");
    assert_eq!(ts1.content.as_deref(), Some("=HYPERLINK(\"http://x\",\"点此\")"), "text, not a formula");
    assert_eq!(ts1.result.as_deref(), Some("<b>已退费</b>"));
    assert_eq!((ts1.reply_ok, ts1.human_error, ts1.site.as_deref()), (Some(false), Some(true), Some("孙家坝5300")));
    let ts2 = order("TS2");
    assert_eq!((ts2.reply_ok, ts2.human_error, ts2.site.as_deref()), (Some(true), Some(false), None));
    let (gz1, gz2) = (order("GZ1"), order("GZ2"));
    assert_eq!((gz1.content.as_deref(), gz1.result.as_deref()), (Some("无法上网"), Some("已修复")));
    assert_eq!((gz1.reply_ok, gz1.human_error), (Some(true), Some(false)), "√ and 0");
    assert_eq!((gz2.reply_ok, gz2.human_error), (Some(false), Some(true)), "× and 1");
    assert_eq!(gz2.site.as_deref(), Some("孙家坝5300"));
}

#[test]
fn realworld_values_are_parsed_exactly() {
    let dir = util::fixtures().join("realworld");
    let config = svcq::config::Config::default();
    let data = svcq::ingest::ingest(&[dir], &config, "2026-10".parse().unwrap(), Default::default()).unwrap();
    let dt = |s: &str| chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();

    // calls.ods (LibreOffice): phone numbers typed as numbers stay exact text.
    let c1 = data.calls.iter().find(|c| c.call_id.as_deref() == Some("C001")).unwrap();
    assert_eq!(c1.caller.as_deref(), Some("13350690999"));
    assert_eq!(c1.start_time, dt("2026-10-01 08:00:00"));
    assert!(c1.answered);
    assert_eq!(c1.wait_seconds, 5.0);
    let c9 = data.calls.iter().find(|c| c.call_id.as_deref() == Some("C009")).unwrap();
    assert_eq!(c9.start_time, dt("2026-10-06 08:05:00"));
    let c4 = data.calls.iter().find(|c| c.call_id.as_deref() == Some("C004")).unwrap();
    assert_eq!(c4.start_time, dt("2026-10-31 23:59:59"), "the last second of the month is in it");
    // calls-1904.xlsx (openpyxl, 1904 date system): a date cell and a plain serial agree.
    for id in ["M1", "M2"] {
        let m = data.calls.iter().find(|c| c.call_id.as_deref() == Some(id)).unwrap();
        assert_eq!(m.start_time, dt("2026-10-10 12:00:00"), "{id}");
    }
    assert!(!data.calls.iter().find(|c| c.call_id.as_deref() == Some("M2")).unwrap().answered);

    // faults.xls (LibreOffice, Excel 97): Chinese and compact date forms, conflict resolution.
    let gz2 = data.orders.iter().find(|o| o.order_id == "GZ2").unwrap();
    assert_eq!(gz2.completed_at, Some(dt("2026-10-12 09:00:00")), "the later completion is kept");
    assert_eq!(gz2.customer_id.as_deref(), Some("13350000001"));
    let gz8 = data.orders.iter().find(|o| o.order_id == "GZ8").unwrap();
    assert_eq!(gz8.created_at, dt("2026-10-07 09:05:00"));
    assert_eq!(gz8.order_type, svcq::model::OrderType::Install);
    let gz9 = data.orders.iter().find(|o| o.order_id == "GZ9").unwrap();
    assert_eq!(gz9.created_at, dt("2026-10-08 08:00:00"));
    assert_eq!(gz9.order_type, svcq::model::OrderType::Complaint);
    assert_eq!(data.orders.iter().find(|o| o.order_id == "GZ7").unwrap().order_type, svcq::model::OrderType::Other);
    assert_eq!(data.orders.iter().find(|o| o.order_id == "GZ3").unwrap().completed_at, None);
    // The September fault is out of period but kept for the rolling repeat window.
    assert_eq!(data.earlier_orders.iter().map(|o| o.order_id.into_owned()).collect::<Vec<_>>(), ["GZ4"]);

    // complaints-gbk.csv: GBK decoded; formula-like text kept verbatim as data.
    let ts3 = data.orders.iter().find(|o| o.order_id == "TS3").unwrap();
    assert_eq!(ts3.category.as_deref(), Some("=HYPERLINK(\"http://x\")"));
    assert_eq!(ts3.created_at, dt("2026-10-04 00:00:00"));
    assert_eq!(data.orders.iter().find(|o| o.order_id == "TS1").unwrap().channel.as_deref(), Some("工信部"));

    // surveys.xlsx (openpyxl): branch filled from the work order; scores on a 1–5 scale.
    let hf2 = data.surveys.iter().find(|s| s.survey_id.as_deref() == Some("HF2")).unwrap();
    assert_eq!(hf2.branch.as_deref(), Some("西区"));
    assert_eq!(hf2.satisfied, Some(false));
    let hf6 = data.surveys.iter().find(|s| s.survey_id.as_deref() == Some("HF6")).unwrap();
    assert_eq!(hf6.satisfied, Some(true), "score 4 of 5 is satisfied");
    assert_eq!(hf6.surveyed_at, dt("2026-10-07 08:05:00"));
    let hf4 = data.surveys.iter().find(|s| s.survey_id.as_deref() == Some("HF4")).unwrap();
    assert!(!hf4.contacted, "关机 is a failed callback");
}

#[test]
fn shuffled_inputs_give_the_same_figures() {
    let w = Workdir::new();
    assert_eq!(w.run(&["sample", "--month", "2026-10", "--out", "in", "--scale", "0.3"]).code, 0);
    let all = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "o1"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    // The same files given one by one, in reverse order.
    let mut files: Vec<String> = std::fs::read_dir(w.join("in"))
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_string())
        .filter(|p| !p.ends_with(".truth.txt"))
        .collect();
    files.sort();
    files.reverse();
    let mut args = vec!["report", "--month", "2026-10", "--out", "o2", "--input"];
    args.extend(files.iter().map(String::as_str));
    let rev = w.run(&args);
    assert_eq!(rev.code, 0, "{}", rev.stderr);
    let total = |p: &str| dq_by_sheet(&read_metrics(&w.join(p)))[""].clone();
    let (a, b) = (total("o1/metrics-2026-10.csv"), total("o2/metrics-2026-10.csv"));
    assert_eq!(a, b);
    // Every metric line is identical, in the same order. (Per-sheet dq rows are not: which
    // copy of an identical duplicate counts as "the duplicate" follows the reading order.)
    let lines = |p: &str| {
        let text = std::fs::read_to_string(w.join(p)).unwrap();
        text.lines().filter(|l| !l.contains(",file=")).map(String::from).collect::<Vec<_>>()
    };
    assert_eq!(lines("o1/metrics-2026-10.csv"), lines("o2/metrics-2026-10.csv"));
}

#[test]
fn bad_files_give_clear_messages_and_never_panic() {
    let w = Workdir::new();
    assert_eq!(w.run(&["sample", "--month", "2026-10", "--out", "good", "--scale", "0.2", "--format", "xlsx"]).code, 0);
    let good = std::fs::read(w.join("good/投诉工单-202610.xlsx")).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated.xlsx", good[..good.len() / 2].to_vec(), "truncated.xlsx: corrupt or truncated xlsx file"),
        ("picture.xlsx", b"\x89PNG\r\n\x1a\nrest of a png".to_vec(), "picture.xlsx: not a spreadsheet: it is an image"),
        (
            // A web system's session-expired page saved as the export.
            "web.xls",
            "<html><body><p>会话已过期，请重新登录</p></body></html>".as_bytes().to_vec(),
            "web.xls: not a spreadsheet: it is an HTML or XML page without a table or worksheet",
        ),
        (
            "cut.xls",
            b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet><Table><Row><Cell><Data>x".to_vec(),
            "cut.xls: corrupt or truncated XML Spreadsheet file",
        ),
        (
            "garbage.xls",
            [&[0xD0u8, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..], &[7u8; 3000][..]].concat(),
            "garbage.xls: corrupt or truncated xls file",
        ),
        (
            "report.pdf.xlsx",
            b"%PDF-1.4 not really".to_vec(),
            "report.pdf.xlsx: not a spreadsheet: it is a PDF document",
        ),
        ("zip.ods", b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0".to_vec(), "zip.ods: not a spreadsheet"),
    ];
    for (name, bytes, message) in cases {
        let p = w.write(&format!("bad/{name}"), bytes);
        let out = w.run(&["check", "--lang", "en", "--input", p.to_str().unwrap(), "--month", "2026-10"]);
        assert_eq!(out.code, 1, "{name}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{name}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked") && !out.stderr.contains("RUST_BACKTRACE"), "{}", out.stderr);
        // report writes nothing when an input cannot be read.
        let out = w.run(&["report", "--input", p.to_str().unwrap(), "--month", "2026-10", "--out", "r"]);
        assert_eq!(out.code, 1);
        assert!(!w.join("r/metrics-2026-10.csv").exists());
    }
}

#[test]
fn empty_files_header_only_sheets_and_stray_files_are_reported() {
    let w = Workdir::new();
    w.write("in/empty.csv", b"");
    w.write("in/only-header.csv", "来电时间,等待时长,是否接通\r\n");
    w.write("in/notes.txt", "这不是表格\n只是说明\n");
    w.write("in/readme.docx", b"PK\x03\x04");
    w.write("in/~$calls.xlsx", b"lock");
    w.write("in/calls.csv", "来电时间,等待时长,是否接通\r\n2026-10-01 08:00,5,是\r\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("skipped file empty.csv: empty file (0 bytes)"), "{}", out.stdout);
    assert!(out.stdout.contains("skipped file readme.docx: not a spreadsheet or CSV file name"), "{}", out.stdout);
    assert!(out.stdout.contains("skipped file ~$calls.xlsx: Excel lock file"), "{}", out.stdout);
    assert!(out.stdout.contains("only-header.csv (UTF-8)  [只有表头 (header only): no data rows]"), "{}", out.stdout);
    assert!(out.stdout.contains("notes.txt (UTF-8)  [未识别 (matches no kind)"), "{}", out.stdout);
    assert!(
        out.stdout.contains("rows read 1 = used 1 + out of period 0 + duplicates 0 + rejected 0"),
        "{}",
        out.stdout
    );

    // A folder with nothing to read is an error that names it.
    std::fs::create_dir_all(w.join("nothing")).unwrap();
    let out = w.run(&["check", "--lang", "en", "--input", "nothing", "--month", "2026-10"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no spreadsheet or CSV files found in nothing"), "{}", out.stderr);
    // A missing input is a usage error.
    let out = w.run(&["check", "--lang", "en", "--input", "missing-folder", "--month", "2026-10"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("input missing-folder does not exist"), "{}", out.stderr);
}

#[test]
fn closest_kind_is_named_when_a_sheet_matches_nothing() {
    let w = Workdir::new();
    w.write("in/orders.csv", "工单号,分公司,受理时间\r\nW1,东区,2026-10-01 08:00\r\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    // Three fields of a work order, one of them required: it looks like an export, so the
    // check fails (a report would not be written) and says what to add (SPEC §8.1).
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains(
            "looks like work_orders but cannot be read): row 1 holds order_id, branch, created_at; missing order_type"
        ),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("kind = \"work_orders\"") && out.stderr.contains("order_type = \""), "{}", out.stderr);
    // A sheet of two unknown columns is only listed, with the closest kind.
    w.write("other/notes.csv", "姓名,分公司\r\n张三,东区\r\n");
    let out = w.run(&["check", "--lang", "en", "--input", "other", "--month", "2026-10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("closest is calls (话务明细), missing start_time, wait_seconds"), "{}", out.stdout);
    // A [files] rule supplies the kind and the order type.
    w.write("svcq.toml", "[[files]]\npattern = \"orders*\"\nkind = \"work_orders\"\norder_type = \"投诉\"\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert!(out.stdout.contains("work_orders  orders.csv"), "{}", out.stdout);
    assert!(out.stdout.contains("rows read 1 = used 1"), "{}", out.stdout);
}

#[test]
fn header_variants_aliases_and_encodings() {
    let w = Workdir::new();
    // Full-width brackets, units, spaces and case in headers; UTF-16 text as Excel's
    // "Unicode text" export writes it; a config alias.
    let text = "呼叫ID\t进线时间\t排队等候\t通话时长（秒）\r\nX1\t2026/10/1 8:05\t00:12\t65\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    w.write("in/calls.txt", utf16);
    w.write("svcq.toml", "[aliases.calls]\nwait_seconds = [\"排队等候\"]\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("        1         1         0         0         0  calls        calls.txt (UTF-16LE)"),
        "{}",
        out.stdout
    );
}

#[test]
fn config_errors_name_the_key_and_line() {
    let w = Workdir::new();
    w.write("c.toml", "[report]\ntitle = \"x\"\n\n[calls]\nservice_levle_seconds = 15\n");
    w.write("in/calls.csv", "来电时间,等待时长,是否接通\r\n2026-10-01 08:00,5,是\r\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--config", "c.toml", "--month", "2026-10"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("c.toml"), "{}", out.stderr);
    assert!(out.stderr.contains("line 5"), "{}", out.stderr);
    assert!(out.stderr.contains("unknown field `service_levle_seconds`"), "{}", out.stderr);
    w.write("c.toml", "[statistics]\nsmall_sample = \"thirty\"\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--config", "c.toml", "--month", "2026-10"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("line 2") && out.stderr.contains("small_sample"), "{}", out.stderr);
    // A misspelled metric id in a target is an error naming the key, the line and the
    // closest id; so is a target on a metric that has only grouped rows.
    w.write("c.toml", "[[targets]]\nmetric = \"install.ontime_rate\"\nop = \">=\"\nvalue = 0.95\n\n[[targets]]\nmetric = \"install.ontime_rat\"\nop = \">=\"\nvalue = 0.9\n");
    let out = w.run(&["report", "--input", "in", "--config", "c.toml", "--month", "2026-10", "--out", "o"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("c.toml") && out.stderr.contains("line 7"), "{}", out.stderr);
    assert!(out.stderr.contains("targets.metric"), "{}", out.stderr);
    assert!(
        out.stderr.contains("unknown metric id `install.ontime_rat` (did you mean `install.ontime_rate`?)"),
        "{}",
        out.stderr
    );
    assert!(!w.join("o/metrics-2026-10.csv").exists(), "nothing written");
    w.write("c.toml", "[[targets]]\nmetric = \"fault.top_causes\"\nop = \"<=\"\nvalue = 0.2\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--config", "c.toml", "--month", "2026-10"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("line 2") && out.stderr.contains("only grouped rows"), "{}", out.stderr);
}

#[test]
fn every_defined_metric_is_emitted_on_the_sample_and_nothing_else() {
    let w = Workdir::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let out = w.run(&["report", "--input", sample.to_str().unwrap(), "--month", "2026-10", "--out", "out", "-q"]);
    assert!(out.code == 0 || out.code == 3, "{}", out.stderr);
    let emitted: std::collections::BTreeSet<String> =
        util::read_metrics(&w.join("out/metrics-2026-10.csv")).into_iter().map(|r| r["metric"].clone()).collect();
    let defs = w.run(&["definitions"]);
    assert_eq!(defs.code, 0);
    let defined: std::collections::BTreeSet<String> =
        defs.stdout.lines().map(|l| l.split('\t').next().unwrap().to_string()).collect();
    assert_eq!(defined.len(), 64, "{defined:?}");
    // The forecast needs two months of history (tests/e2e/staffing.rs runs three months).
    let needs_history: std::collections::BTreeSet<String> =
        ["forecast.offered", "forecast.mape", "forecast.agents_needed"].map(String::from).into();
    assert!(emitted.is_disjoint(&needs_history), "no forecast without history");
    // dq.footer rows are written only when an export has rows of totals or notes after its
    // data (the sample's have none; tests/e2e/firstcontact.rs has them).
    assert!(!emitted.contains("dq.footer"), "no footer rows in the sample");
    // change.* rows need the period before in history (tests/e2e/change.rs).
    assert!(!emitted.contains("change.effect"), "no change rows without history");
    let needs_history: std::collections::BTreeSet<String> = needs_history
        .into_iter()
        .chain(["dq.footer", "change.effect", "change.rate_effect", "change.mix_effect"].map(String::from))
        .collect();
    let emitted: std::collections::BTreeSet<String> = emitted.union(&needs_history).cloned().collect();
    assert_eq!(emitted, defined, "every definition is emitted on the sample data, and only those");
}

#[test]
fn init_config_prints_a_config_that_loads_to_the_defaults() {
    let w = Workdir::new();
    let out = w.run(&["init-config"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("# svcq configuration"));
    assert!(out.stdout.contains("[[targets]]"));
    w.write("svcq.toml", &out.stdout);
    let parsed = svcq::config::Config::load(&w.join("svcq.toml")).unwrap();
    assert_eq!(parsed, svcq::config::Config::default());
}

#[test]
fn usage_errors_exit_2_and_month_defaults_to_last_month() {
    let w = Workdir::new();
    let out = w.run(&["check", "--lang", "en", "--input", "x", "--month", "2026-13"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("invalid month"), "{}", out.stderr);
    w.write("in/calls.csv", "来电时间,等待时长,是否接通\r\n2026-10-01 08:00,5,是\r\n2026-11-01 08:00,5,是\r\n");
    // SVCQ_TODAY=2026-11-23 in the test runner: the default month is 2026-10.
    let out = w.run(&["check", "--lang", "en", "--input", "in"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.starts_with("svcq check 2026-10:"), "{}", out.stdout);
    assert!(out.stdout.contains("rows read 2 = used 1 + out of period 1"), "{}", out.stdout);
}

#[test]
fn report_writes_the_dq_rows_and_the_history_copy() {
    let w = Workdir::new();
    let dir = util::fixtures().join("realworld");
    let out = w.run(&["report", "--input", dir.to_str().unwrap(), "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 3, "22 % rejected is above the threshold: {}", out.stderr);
    let csv = std::fs::read(w.join("out/metrics-2026-10.csv")).unwrap();
    assert_eq!(csv, std::fs::read(w.join("out/history/metrics-2026-10.csv")).unwrap());
    let text = String::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{FEFF}month,metric,branch,product,group,numerator,denominator,value,ci_low,ci_high,small_sample,target,met,prev_value,warning"
    );
    assert!(text.contains("\n2026-10,dq.rows_read,,,,36,,36,,,,,,,\n"), "{text}");
    assert!(text.contains("\n2026-10,dq.rejected,,,,8,,8,,,,,,,\n"), "{text}");
    assert!(text.contains("\n2026-10,dq.conflicts,,,file=faults.xls;sheet=faults,1,,1,,,,,,,\n"), "{text}");
    // No temporary files are left behind.
    let leftovers: Vec<_> = std::fs::read_dir(w.join("out"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().starts_with(".svcq-tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn xlsm_and_text_named_xls_are_read_by_content() {
    let w = Workdir::new();
    // A macro-enabled workbook is an xlsx inside.
    w.fixture("realworld/surveys.xlsx", "in/回访.xlsm");
    w.fixture("realworld/faults.xls", "in/故障.xls");
    // Many web systems export tab-separated text under a .xls name.
    w.write("in/calls.xls", "来电时间\t等待时长\t是否接通\n2026-10-01 08:00\t5\t是\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert!(
        out.stdout.contains("        7         4         1         0         2  surveys      回访.xlsm / 回访明细"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("       12         6         1         2         3  work_orders  故障.xls / faults"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("        1         1         0         0         0  calls        calls.xls (UTF-8)"),
        "{}",
        out.stdout
    );
}

#[test]
fn extreme_dates_and_huge_cells_are_rejected_or_truncated_not_panics() {
    let w = Workdir::new();
    let long = "长".repeat(40_000);
    w.write(
        "in/orders.csv",
        format!(
            "工单号,工单类型,分公司,用户号码,受理时间,预约时间,投诉类别\n\
             W1,故障,东区,c1,9999-12-31 23:00,,\n\
             W2,投诉,东区,c2,2026-10-02 09:00,9999-12-31,\n\
             W3,投诉,东区,c3,2026-10-03 09:00,,{long}\n"
        ),
    );
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 3, "two of three rows rejected: {}{}", out.stdout, out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert!(out.stdout.contains("rejected 2"), "{}", out.stdout);
    let check = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert!(check.stdout.contains("year outside 1970-2200"), "{}", check.stdout);
    assert!(w.join("out/service-quality-2026-10.xlsx").exists(), "a 40,000-character cell is truncated, not fatal");
}

#[test]
fn csv_row_numbers_are_the_rows_excel_shows() {
    let w = Workdir::new();
    // Line 1 title, line 2 blank, line 3 header, lines 4-5 one record with a line break in a
    // quoted field (Excel row 4), line 6 a bad record: Excel shows it as row 5.
    w.write(
        "in/complaints.csv",
        "2026年10月投诉明细\r\n\r\n受理单号,工单类型,分公司,受理时间,投诉类别\r\nT1,投诉,东区,2026-10-02 09:00,\"两行\r\n备注\"\r\nT2,投诉,东区,不是时间,费用争议\r\n",
    );
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert!(out.stdout.contains("complaints.csv row 5, column D「受理时间」, value \"不是时间\""), "{}", out.stdout);
}

#[test]
fn a_quoted_gbk_csv_read_on_two_cores_gives_exactly_what_one_core_gives() {
    let w = Workdir::new();
    // 60 complaints in GBK, each with a line break inside a quoted field (and a doubled
    // quote), a title and a blank line first; record 45 has a bad time, so its Excel row
    // (header on row 3, one row per record) is 48.
    let mut text = String::from("2026年10月投诉明细\r\n\r\n受理单号,工单类型,分公司,受理时间,投诉类别\r\n");
    for k in 1..=60 {
        let time = if k == 45 { "不是时间".to_string() } else { format!("2026-10-{:02} 09:00", k % 28 + 1) };
        text.push_str(&format!("T{k},投诉,东区,{time},\"两行,\"\"费用\"\"\r\n备注{k}\"\r\n"));
    }
    w.write("in/complaints.csv", encoding_rs::GBK.encode(&text).0);
    let one = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10", "-v"]);
    let two = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10", "-v", "--csv-split-bytes", "1"]);
    assert!(one.stdout.contains("complaints.csv row 48, column D「受理时间」, value \"不是时间\""), "{}", one.stdout);
    assert!(one.stdout.contains("       60        59"), "60 read, 59 used: {}", one.stdout);
    assert_eq!(one.stdout, two.stdout, "the same ledger, rejected rows and row numbers");
    let r1 = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "o1", "-q"]);
    let r2 = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "o2", "-q", "--csv-split-bytes", "1"]);
    assert_eq!(r1.code, r2.code);
    assert_eq!(
        std::fs::read(w.join("o1/metrics-2026-10.csv")).unwrap(),
        std::fs::read(w.join("o2/metrics-2026-10.csv")).unwrap()
    );
}

#[test]
fn a_big_csv_read_on_two_cores_gives_exactly_what_one_core_gives() {
    let w = Workdir::new();
    assert_eq!(w.run(&["sample", "--month", "2026-10", "--out", "in", "--scale", "3", "--format", "csv"]).code, 0);
    // A title, a blank line and rejected rows in both halves of the call files.
    let one = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10", "-v"]);
    let two = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10", "-v", "--csv-split-bytes", "1"]);
    assert_eq!(one.code, two.code);
    assert!(one.stdout.matches("话务明细-202610-0").count() >= 2, "{}", one.stdout);
    assert_eq!(one.stdout, two.stdout, "the same ledger, rejected rows and row numbers");
    let r1 = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "o1", "-q"]);
    let r2 = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "o2", "-q", "--csv-split-bytes", "1"]);
    assert_eq!((r1.code, r2.code), (0, 0));
    assert_eq!(
        std::fs::read(w.join("o1/metrics-2026-10.csv")).unwrap(),
        std::fs::read(w.join("o2/metrics-2026-10.csv")).unwrap()
    );
    assert_ledger_matches_truth(&w.join("o2/metrics-2026-10.csv"), &w.join("in/.truth.txt"));
}

#[test]
fn weeks_and_periods_report_like_months_with_their_own_history() {
    let w = Workdir::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let input = sample.to_str().unwrap();
    for week in ["2026-W41", "2026-W42"] {
        let out = w.run(&["report", "--input", input, "--week", week, "--out", "out", "-q"]);
        assert_eq!(out.code, 0, "{week}: {}", out.stderr);
    }
    let csv = read_metrics(&w.join("out/metrics-2026-W42.csv"));
    let total = |rows: &[util::CsvRow], m: &str| {
        rows.iter().find(|r| r["metric"] == m && r["branch"].is_empty() && r["group"].is_empty()).unwrap().clone()
    };
    let offered = total(&csv, "calls.offered");
    assert_eq!(offered["month"], "2026-W42", "the CSV's month column holds the period label");
    let w41 = read_metrics(&w.join("out/history/metrics-2026-W41.csv"));
    assert_eq!(offered["prev_value"], total(&w41, "calls.offered")["value"], "last week is W41");
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-W42.html")).unwrap();
    assert!(html.contains("<h1>客户服务质量周通报</h1>"), "the weekly bulletin's title");
    assert!(html.contains("2026年第42周（10月12日—10月18日）"));
    assert!(html.contains("本周人工接通率为") && html.contains("较上周"), "本周…较上周…");
    assert!(!html.contains("本月") && !html.contains("上月"), "no month words in a weekly report");
    let warning = csv.iter().find(|r| r["warning"].starts_with("no baseline")).unwrap();
    assert_eq!(warning["warning"], "no baseline yet (1 of 6 weeks in history)");
    // A monthly run in the same folder never takes a week for its last month.
    let out = w.run(&["report", "--input", input, "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let month = read_metrics(&w.join("out/metrics-2026-10.csv"));
    assert_eq!(total(&month, "calls.offered")["prev_value"], "", "no 2026-09 in history");
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("<h1>客户服务质量月报</h1>") && html.contains("本月"));
    // --week without a value is last week (SVCQ_TODAY is Monday 2026-11-23).
    let out = w.run(&["check", "--lang", "en", "--input", input, "--week"]);
    assert!(out.stdout.starts_with("svcq check 2026-W47:"), "{}", out.stdout);
    // Usage errors: a week that does not exist, a reversed period, two periods at once.
    for (args, message) in [
        (&["--week", "2009-W54"][..], "invalid week \"2009-W54\": 2009 has no week 54"),
        (&["--week", "2026-43"][..], "invalid week"),
        (&["--period", "2026-10-11..2026-10-05"][..], "the last day is before the first"),
        (&["--period", "2026-10"][..], "invalid period"),
        (&["--week", "2026-W40", "--month", "2026-10"][..], "cannot be used with"),
    ] {
        let mut a = vec!["check", "--input", input];
        a.extend_from_slice(args);
        let out = w.run(&a);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn a_week_ends_at_monday_midnight_across_the_year_end() {
    let w = Workdir::new();
    w.write(
        "in/calls.csv",
        "来电时间,等待时长,是否接通\r\n2009-12-28 00:00:00,5,是\r\n2010-01-03 23:59:59,5,是\r\n2010-01-04 00:00:00,5,是\r\n",
    );
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--week", "2009-W53"]);
    assert!(out.stdout.contains("rows read 3 = used 2 + out of period 1"), "{}", out.stdout);
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--week", "2010-W01"]);
    assert!(out.stdout.starts_with("svcq check 2010-W01:"), "{}", out.stdout);
    assert!(out.stdout.contains("rows read 3 = used 1 + out of period 2"), "{}", out.stdout);
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--period", "2010-01-03..2010-01-03"]);
    assert!(out.stdout.contains("rows read 3 = used 1 + out of period 2"), "{}", out.stdout);
}

#[test]
fn a_month_is_the_sum_of_its_days_for_every_count() {
    let w = Workdir::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let input = sample.to_str().unwrap();
    let additive = [
        "calls.offered",
        "install.orders",
        "fault.reports",
        "complaint.count",
        "survey.attempted",
        "other.orders",
        "dq.rows_used",
    ];
    // (metric, branch) -> value, for plain rows (no product, no group).
    let counts = |path: &std::path::Path| -> BTreeMap<(String, String), f64> {
        read_metrics(path)
            .into_iter()
            .filter(|r| additive.contains(&r["metric"].as_str()) && r["product"].is_empty() && r["group"].is_empty())
            .map(|r| ((r["metric"].clone(), r["branch"].clone()), r["value"].parse().unwrap()))
            .collect()
    };
    let out = w.run(&["report", "--input", input, "--month", "2026-10", "--out", "month", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let month = counts(&w.join("month/metrics-2026-10.csv"));
    let mut sum: BTreeMap<(String, String), f64> = BTreeMap::new();
    for day in 1..=31 {
        let d = format!("2026-10-{day:02}");
        let period = format!("{d}..{d}");
        let out = w.run(&["report", "--input", input, "--period", &period, "--out", "days", "-q"]);
        assert!(out.code == 0 || out.code == 3, "{period}: {}", out.stderr);
        for (k, v) in counts(&w.join(&format!("days/metrics-{period}.csv"))) {
            *sum.entry(k).or_default() += v;
        }
    }
    assert!(month.len() > 20, "{month:?}");
    assert_eq!(sum, month, "the days add up to the month");
}

//! Metrics on fixtures whose true values are known by construction (SPEC §3's worked
//! examples among them), through the real binary and the metrics CSV.

use std::fmt::Write;

use crate::util::{read_metrics, CsvRow, Workdir};

/// The fixture month: 2026-10. Rows are written as CSV (UTF-8) by the test itself; every
/// count below is stated where the rows are made.
fn write_fixture(w: &Workdir) {
    // ---- installs: the SPEC example (branch 东区) plus 西区.
    let mut s = String::from("工单号,工单类型,分公司,产品,用户号码,受理时间,预约时间,竣工时间\n");
    let mut n = 0;
    let mut install = |s: &mut String, branch: &str, appt: Option<&str>, done: Option<&str>| {
        n += 1;
        let _ = writeln!(
            s,
            "ZJ{n:04},装机,{branch},E8,1890000{n:04},2026-10-10 09:00,{},{}",
            appt.unwrap_or(""),
            done.unwrap_or("")
        );
    };
    // 东区: 500 orders; 480 appointed: 440 on time, 28 late, 12 open and not yet due; 20 not appointed.
    for _ in 0..440 {
        install(&mut s, "东区", Some("2026-10-12 18:00"), Some("2026-10-12 10:00"));
    }
    for _ in 0..28 {
        install(&mut s, "东区", Some("2026-10-12 18:00"), Some("2026-10-13 10:00"));
    }
    for _ in 0..12 {
        install(&mut s, "东区", Some("2026-11-03"), None);
    }
    for _ in 0..20 {
        install(&mut s, "东区", None, Some("2026-10-11 10:00"));
    }
    // 西区: 100 orders, all appointed: 90 on time, 7 late, 3 open and overdue (late).
    for _ in 0..90 {
        install(&mut s, "西区", Some("2026-10-15"), Some("2026-10-15 21:00")); // date-only = end of day
    }
    for _ in 0..7 {
        install(&mut s, "西区", Some("2026-10-15"), Some("2026-10-16 00:30"));
    }
    for _ in 0..3 {
        install(&mut s, "西区", Some("2026-10-20 12:00"), None);
    }
    w.write("in/installs.csv", s);

    // ---- faults: the SPEC example E9 (东区) — 90 reports from 80 customers: 72 once,
    // 6 twice, 2 three times — plus 40 E8 reports (西区) from 40 customers, one of whom
    // also reported in September (only the rolling window sees that).
    let mut s = String::from("工单号,工单类型,分公司,产品,用户号码,受理时间,修复时间,故障原因\n");
    let mut customers: Vec<String> = Vec::new();
    for c in 0..72 {
        customers.push(format!("e9-{c:03}"));
    }
    for c in 72..78 {
        customers.extend([format!("e9-{c:03}"), format!("e9-{c:03}")]);
    }
    for c in 78..80 {
        customers.extend([format!("e9-{c:03}"), format!("e9-{c:03}"), format!("e9-{c:03}")]);
    }
    assert_eq!(customers.len(), 90);
    // Causes: 30 查中自复, 20 光猫故障, 15 线路故障, 15 用户原因, 10 不明原因.
    let causes: Vec<&str> = [("查中自复", 30), ("光猫故障", 20), ("线路故障", 15), ("用户原因", 15), ("不明原因", 10)]
        .iter()
        .flat_map(|(c, k)| std::iter::repeat_n(*c, *k))
        .collect();
    for (i, (cust, cause)) in customers.iter().zip(&causes).enumerate() {
        // 80 restored in 2 h, the last 10 in 30 h (late against the 24 h SLA).
        let day = 1 + i % 28;
        let hours = if i < 80 { 2 } else { 30 };
        let created = format!("2026-10-{day:02} 08:00");
        let done =
            chrono::NaiveDateTime::parse_from_str(&created, "%Y-%m-%d %H:%M").unwrap() + chrono::Duration::hours(hours);
        let _ = writeln!(s, "GZ9{i:03},故障,东区,E9,{cust},{created},{},{cause}", done.format("%Y-%m-%d %H:%M"));
    }
    for i in 0..40 {
        let _ = writeln!(s, "GZ8{i:03},故障,西区,E8,e8-{i:03},2026-10-05 08:00,2026-10-05 12:00,查中自复");
    }
    let _ = writeln!(s, "GZ7000,故障,西区,E8,e8-000,2026-09-20 08:00,2026-09-20 12:00,查中自复");
    w.write("in/faults.csv", s);

    // ---- complaints: 10 in 东区; channels 工信部 2, 省公司 2, 10000号 6 (4 escalated);
    // 7 handled within 24 h, 2 after 72 h (late, 网络运维部), 1 opened on the last day (pending).
    // Justified: 客服部 3, 网络运维部 1.
    let mut s = String::from("受理单号,工单类型,分公司,受理时间,归档时间,投诉渠道,投诉类别,责任部门,是否有理由\n");
    let rows = [
        ("工信部", "费用争议", "客服部", "2026-10-02 09:00", "2026-10-02 18:00", "是"),
        ("工信部", "费用争议", "客服部", "2026-10-03 09:00", "2026-10-03 18:00", "是"),
        ("省公司", "网络质量", "客服部", "2026-10-04 09:00", "2026-10-04 18:00", "是"),
        ("省公司", "网络质量", "客服部", "2026-10-05 09:00", "2026-10-05 18:00", "否"),
        ("10000号", "网络质量", "客服部", "2026-10-06 09:00", "2026-10-06 18:00", "否"),
        ("10000号", "装维服务", "客服部", "2026-10-07 09:00", "2026-10-07 18:00", "否"),
        ("10000号", "装维服务", "客服部", "2026-10-08 09:00", "2026-10-08 18:00", "否"),
        ("10000号", "装维服务", "网络运维部", "2026-10-09 09:00", "2026-10-12 09:00", "是"),
        ("10000号", "装维服务", "网络运维部", "2026-10-10 09:00", "2026-10-13 10:00", "否"),
        ("10000号", "费用争议", "客服部", "2026-10-31 09:00", "", "否"),
    ];
    for (i, (ch, cat, dept, created, done, just)) in rows.iter().enumerate() {
        let _ = writeln!(s, "TS{i:03},投诉,东区,{created},{done},{ch},{cat},{dept},{just}");
    }
    w.write("in/complaints.csv", s);

    // ---- surveys: 东区 50 (40 contacted: 30 满意, 5 不满意, 5 no answer); 西区 10 (8 contacted, all 满意).
    let mut s = String::from("回访编号,分公司,回访时间,回访结果,满意度\n");
    let mut k = 0;
    let mut survey = |s: &mut String, branch: &str, result: &str, sat: &str| {
        k += 1;
        let _ = writeln!(s, "HF{k:03},{branch},2026-10-15 10:00,{result},{sat}");
    };
    for _ in 0..30 {
        survey(&mut s, "东区", "成功", "满意");
    }
    for _ in 0..5 {
        survey(&mut s, "东区", "成功", "不满意");
    }
    for _ in 0..5 {
        survey(&mut s, "东区", "成功", "");
    }
    for _ in 0..10 {
        survey(&mut s, "东区", "无人接听", "");
    }
    for _ in 0..8 {
        survey(&mut s, "西区", "成功", "满意");
    }
    for _ in 0..2 {
        survey(&mut s, "西区", "关机", "");
    }
    w.write("in/surveys.csv", s);

    // ---- calls: 100 in 东区 from 95 callers (90 once, 5 twice 2 h apart); 90 answered
    // (72 waited 10 s, 18 waited 30 s; talk 100 s), 10 abandoned after 5 s.
    let mut s = String::from("呼叫流水号,来电时间,分公司,主叫号码,是否接通,通话时长,等待时长\n");
    for i in 0..100 {
        let caller = if i < 90 { 13_300_000_000u64 + i } else { 13_300_000_000u64 + 90 + (i - 90) % 5 };
        let hour = if i < 95 { 9 } else { 11 };
        let day = if i < 90 { 1 + i % 28 } else { 1 };
        let (answered, talk, wait) = match i {
            0..72 => ("是", 100, 10),
            72..90 => ("是", 100, 30),
            _ => ("否", 0, 5),
        };
        let _ = writeln!(s, "C{i:03},2026-10-{day:02} {hour:02}:00,东区,{caller},{answered},{talk},{wait}");
    }
    w.write("in/calls.csv", s);
}

fn find<'a>(rows: &'a [CsvRow], metric: &str, branch: &str, product: &str, group: &str) -> &'a CsvRow {
    rows.iter()
        .find(|r| r["metric"] == metric && r["branch"] == branch && r["product"] == product && r["group"] == group)
        .unwrap_or_else(|| panic!("no row {metric} / {branch} / {product} / {group}"))
}

/// numerator, denominator, value as written.
fn ndv(rows: &[CsvRow], metric: &str, branch: &str, product: &str, group: &str) -> (String, String, String) {
    let r = find(rows, metric, branch, product, group);
    (r["numerator"].clone(), r["denominator"].clone(), r["value"].clone())
}

fn t(n: &str, d: &str, v: &str) -> (String, String, String) {
    (n.to_string(), d.to_string(), v.to_string())
}

fn run(w: &Workdir, config: Option<&str>) -> Vec<CsvRow> {
    if let Some(c) = config {
        w.write("svcq.toml", c);
    }
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    read_metrics(&w.join("out/metrics-2026-10.csv"))
}

#[test]
fn installs_faults_complaints_surveys_calls_by_construction() {
    let w = Workdir::new();
    write_fixture(&w);
    let m = run(&w, None);

    // Installs (SPEC §3 example): 480/500 = 96.00 %, 440/468 = 94.02 %.
    assert_eq!(ndv(&m, "install.orders", "东区", "", ""), t("500", "", "500"));
    assert_eq!(ndv(&m, "install.appointment_rate", "东区", "", ""), t("480", "500", "0.96"));
    assert_eq!(ndv(&m, "install.ontime_rate", "东区", "", ""), t("440", "468", "0.940171"));
    assert_eq!(ndv(&m, "install.pending", "东区", "", ""), t("12", "", "12"));
    assert_eq!(ndv(&m, "install.late", "东区", "", ""), t("28", "", "28"));
    assert_eq!(ndv(&m, "install.ontime_rate", "西区", "", ""), t("90", "100", "0.9"));
    assert_eq!(ndv(&m, "install.late", "西区", "", ""), t("10", "", "10"));
    assert_eq!(ndv(&m, "install.ontime_rate", "", "", ""), t("530", "568", "0.933099"));
    assert_eq!(ndv(&m, "install.ontime_rate", "东区", "E8", ""), t("440", "468", "0.940171"));
    let r = find(&m, "install.ontime_rate", "", "", "");
    assert_eq!((r["target"].as_str(), r["met"].as_str(), r["small_sample"].as_str()), ("0.95", "false", "false"));

    // Faults (SPEC §3 example): E9 80 customers, 8 repeat, 10.00 %.
    assert_eq!(ndv(&m, "fault.reports", "", "E9", ""), t("90", "", "90"));
    assert_eq!(ndv(&m, "fault.customers", "", "E9", ""), t("80", "", "80"));
    assert_eq!(ndv(&m, "fault.repeat_customers", "", "E9", ""), t("8", "", "8"));
    assert_eq!(ndv(&m, "fault.repeat_rate", "", "E9", ""), t("8", "80", "0.1"));
    assert_eq!(ndv(&m, "fault.repeat_rate", "东区", "E9", ""), t("8", "80", "0.1"));
    assert_eq!(ndv(&m, "fault.repeat_rate", "", "E8", ""), t("0", "40", "0"));
    assert_eq!(ndv(&m, "fault.repeat_rate", "", "", ""), t("8", "120", "0.0666667"));
    let r = find(&m, "fault.repeat_rate", "", "E9", "");
    assert_eq!((r["target"].as_str(), r["met"].as_str()), ("0.08", "false"));
    assert_eq!(ndv(&m, "fault.restore_ontime_rate", "", "E9", ""), t("80", "90", "0.888889"));
    assert_eq!(ndv(&m, "fault.mean_restore_hours", "", "E9", ""), t("460", "90", "5.11111"));
    assert_eq!(ndv(&m, "fault.restore_hours_p50", "", "E9", ""), t("", "90", "2"));
    assert_eq!(ndv(&m, "fault.restore_hours_p90", "", "E9", ""), t("", "90", "30"));
    assert_eq!(ndv(&m, "fault.unknown_cause_rate", "", "E9", ""), t("10", "90", "0.111111"));
    assert_eq!(ndv(&m, "fault.top_causes", "", "E9", "rank=1;value=查中自复"), t("30", "90", "0.333333"));
    assert_eq!(ndv(&m, "fault.top_causes", "", "E9", "rank=2;value=光猫故障"), t("20", "90", "0.222222"));
    // A tie (15 and 15) is broken by the value's name.
    assert_eq!(ndv(&m, "fault.top_causes", "", "E9", "rank=3;value=用户原因"), t("15", "90", "0.166667"));
    assert_eq!(ndv(&m, "fault.top_causes", "", "", "rank=1;value=查中自复"), t("70", "130", "0.538462"));
    assert!(m.iter().all(|r| r["metric"] != "fault.preprocess_rate"), "no 预处理 column: the rate is absent");

    // Complaints.
    assert_eq!(ndv(&m, "complaint.count", "", "", ""), t("10", "", "10"));
    assert_eq!(ndv(&m, "complaint.count", "", "", "channel=10000号"), t("6", "", "6"));
    assert_eq!(ndv(&m, "complaint.count", "", "", "category=装维服务"), t("4", "", "4"));
    assert_eq!(ndv(&m, "complaint.escalated", "", "", ""), t("4", "", "4"));
    assert_eq!(ndv(&m, "complaint.escalated", "", "", "channel=工信部"), t("2", "", "2"));
    assert_eq!(ndv(&m, "complaint.ontime_rate", "东区", "", ""), t("7", "9", "0.777778"));
    assert_eq!(ndv(&m, "complaint.pending", "", "", ""), t("1", "", "1"));
    assert_eq!(ndv(&m, "complaint.overdue", "", "", "department=网络运维部"), t("2", "", "2"));
    assert_eq!(ndv(&m, "complaint.justified_share", "", "", "department=客服部"), t("3", "4", "0.75"));
    assert_eq!(ndv(&m, "complaint.justified_share", "", "", "department=网络运维部"), t("1", "4", "0.25"));

    // Surveys: 30 / 35 with an answer; 西区 8 / 8 is a small sample.
    assert_eq!(ndv(&m, "survey.attempted", "东区", "", ""), t("50", "", "50"));
    assert_eq!(ndv(&m, "survey.contact_rate", "东区", "", ""), t("40", "50", "0.8"));
    assert_eq!(ndv(&m, "survey.satisfaction_rate", "东区", "", ""), t("30", "35", "0.857143"));
    let r = find(&m, "survey.satisfaction_rate", "西区", "", "");
    assert_eq!((r["value"].as_str(), r["small_sample"].as_str()), ("1", "true"));
    assert_eq!(find(&m, "survey.satisfaction_rate", "东区", "", "")["small_sample"], "false");

    // Calls: 72 within 20 s of 100 offered; ASA (72×10 + 18×30)/90 = 14; 5 of 95 callers repeat.
    assert_eq!(ndv(&m, "calls.offered", "", "", ""), t("100", "", "100"));
    assert_eq!(ndv(&m, "calls.answer_rate", "", "", ""), t("90", "100", "0.9"));
    assert_eq!(ndv(&m, "calls.service_level", "", "", ""), t("72", "100", "0.72"));
    assert_eq!(ndv(&m, "calls.asa_seconds", "", "", ""), t("1260", "90", "14"));
    assert_eq!(ndv(&m, "calls.aht_seconds", "", "", ""), t("9000", "90", "100"));
    assert_eq!(ndv(&m, "calls.repeat_caller_rate", "", "", ""), t("5", "95", "0.0526316"));
    assert!(m.iter().all(|r| r["metric"] != "calls.fcr_rate"), "no 一次解决 column: the rate is absent");
    // Wilson interval of 90/100.
    let r = find(&m, "calls.answer_rate", "", "", "");
    assert_eq!((r["ci_low"].as_str(), r["ci_high"].as_str()), ("0.825634", "0.944771"));
}

#[test]
fn service_level_and_repeat_window_options() {
    let w = Workdir::new();
    write_fixture(&w);
    // Short abandons (≤ 5 s) leave offered; service level against answered calls.
    let m = run(&w, Some("[calls]\nshort_abandon_seconds = 5\nservice_level_denominator = \"answered\"\n"));
    assert_eq!(ndv(&m, "calls.offered", "", "", ""), t("90", "", "90"));
    assert_eq!(ndv(&m, "calls.answer_rate", "", "", ""), t("90", "90", "1"));
    assert_eq!(ndv(&m, "calls.service_level", "", "", ""), t("72", "90", "0.8"));
    // Rolling 30-day window: the E8 customer who also reported in September repeats.
    let m = run(&w, Some("[faults]\nrepeat_window = \"rolling\"\nrolling_days = 30\n"));
    assert_eq!(ndv(&m, "fault.repeat_customers", "", "E8", ""), t("1", "", "1"));
    // E9 repeat customers' second reports are 1 to 28 days after the first: all within 30 days.
    assert_eq!(ndv(&m, "fault.repeat_customers", "", "E9", ""), t("8", "", "8"));
    let m = run(&w, Some("[faults]\nrepeat_window = \"rolling\"\nrolling_days = 0\n"));
    assert_eq!(ndv(&m, "fault.repeat_customers", "", "", ""), t("0", "", "0"));
}

#[test]
fn targets_at_two_levels_and_per_product() {
    let w = Workdir::new();
    write_fixture(&w);
    let m = run(
        &w,
        Some(
            "[[targets]]\nmetric = \"fault.repeat_rate\"\nop = \"<=\"\nvalue = 0.12\nlevel = \"省公司考核\"\n\n\
             [[targets]]\nmetric = \"fault.repeat_rate\"\nop = \"<=\"\nvalue = 0.05\nlevel = \"市公司考核\"\n\n\
             [[targets]]\nmetric = \"fault.repeat_rate\"\nop = \"<=\"\nvalue = 0.09\nlevel = \"省公司考核\"\nproduct = \"E9\"\n",
        ),
    );
    // The CSV carries the first level; for E9 its product-specific target.
    let r = find(&m, "fault.repeat_rate", "", "E9", "");
    assert_eq!((r["target"].as_str(), r["met"].as_str()), ("0.09", "false"));
    let r = find(&m, "fault.repeat_rate", "", "", "");
    assert_eq!((r["target"].as_str(), r["met"].as_str()), ("0.12", "true"));
    // Default targets are replaced by the file's.
    assert_eq!(find(&m, "calls.answer_rate", "", "", "")["target"], "");
}

#[test]
fn history_gives_prev_values_idempotent_reruns_and_early_warnings() {
    let w = Workdir::new();
    write_fixture(&w);
    // Six months of history: 费用争议 complaints 1 a month; faults of E9: 60 a month.
    for m in ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"] {
        w.write(
            &format!("out/history/metrics-{m}.csv"),
            format!(
                "\u{FEFF}month,metric,branch,product,group,numerator,denominator,value,ci_low,ci_high,small_sample,target,met,prev_value,warning\n\
                 {m},complaint.count,,,category=费用争议,1,,1,,,,,,,\n\
                 {m},fault.reports,,E9,,60,,60,,,,,,,\n\
                 {m},install.ontime_rate,东区,,,45,50,0.9,,,,,,,\n"
            ),
        );
    }
    let m = run(&w, None);
    assert_eq!(find(&m, "install.ontime_rate", "东区", "", "")["prev_value"], "0.9");
    // 费用争议: 3 this month vs baseline 1: 3 > 1.3 but not > 1 + 5: no warning.
    assert_eq!(find(&m, "complaint.count", "", "", "category=费用争议")["warning"], "");
    // E9 faults: 90 > 60 × 1.3 = 78 and > 65: warning.
    assert!(find(&m, "fault.reports", "", "E9", "")["warning"].starts_with("warning: 90 > baseline 60.0"));
    // A category absent from history has baseline 0 (history months exist): 4 装维服务 ≤ 0 + 5.
    assert_eq!(find(&m, "complaint.count", "", "", "category=装维服务")["warning"], "");
    // Rerun: same output, history holds one file for the month.
    let first = std::fs::read(w.join("out/metrics-2026-10.csv")).unwrap();
    run(&w, None);
    assert_eq!(first, std::fs::read(w.join("out/metrics-2026-10.csv")).unwrap());
    assert_eq!(first, std::fs::read(w.join("out/history/metrics-2026-10.csv")).unwrap());
    let months: Vec<_> = std::fs::read_dir(w.join("out/history")).unwrap().collect();
    assert_eq!(months.len(), 7);

    // Short history: "no baseline yet".
    let w2 = Workdir::new();
    write_fixture(&w2);
    let m = run(&w2, None);
    assert_eq!(find(&m, "fault.reports", "", "E9", "")["warning"], "no baseline yet (0 of 6 months in history)");
    assert_eq!(find(&m, "install.ontime_rate", "东区", "", "")["prev_value"], "");
}

#[test]
fn metrics_csv_is_exact_byte_for_byte() {
    let w = Workdir::new();
    w.write(
        "in/calls.csv",
        "来电时间,分公司,是否接通,通话时长,等待时长\n2026-10-01 09:00,=cmd|' /C calc'!A0,是,100,10\n2026-10-01 10:00,-东区,否,0,40\n",
    );
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = String::from_utf8(std::fs::read(w.join("out/metrics-2026-10.csv")).unwrap()).unwrap();
    // The last row is the definitions fingerprint: 64 hex digits, checked apart.
    let (got, meta) = got.split_at(got.find("2026-10,meta.definitions,").expect("the fingerprint row"));
    let hex = meta.strip_prefix("2026-10,meta.definitions,,,sha256=").and_then(|m| m.strip_suffix(",,,,,,,,,,\n"));
    assert!(hex.is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())), "{meta}");
    let expected = "\u{FEFF}month,metric,branch,product,group,numerator,denominator,value,ci_low,ci_high,small_sample,target,met,prev_value,warning
2026-10,calls.offered,,,,2,,2,,,,,,,
2026-10,calls.offered,'-东区,,,1,,1,,,,,,,
2026-10,calls.offered,'=cmd|' /C calc'!A0,,,1,,1,,,,,,,
2026-10,calls.offered,,,day=2026-10-01,2,,2,,,,,,,
2026-10,calls.answer_rate,,,,1,2,0.5,0.0945312,0.905469,true,0.85,false,,
2026-10,calls.answer_rate,'-东区,,,0,1,0,0,0.793451,true,0.85,false,,
2026-10,calls.answer_rate,'=cmd|' /C calc'!A0,,,1,1,1,0.206549,1,true,0.85,true,,
2026-10,calls.answer_rate,,,day=2026-10-01,1,2,0.5,0.0945312,0.905469,true,,,,
2026-10,calls.service_level,,,,1,2,0.5,0.0945312,0.905469,true,0.9,false,,
2026-10,calls.service_level,'-东区,,,0,1,0,0,0.793451,true,0.9,false,,
2026-10,calls.service_level,'=cmd|' /C calc'!A0,,,1,1,1,0.206549,1,true,0.9,true,,
2026-10,calls.service_level,,,day=2026-10-01,1,2,0.5,0.0945312,0.905469,true,,,,
2026-10,calls.asa_seconds,,,,10,1,10,,,,,,,
2026-10,calls.asa_seconds,'=cmd|' /C calc'!A0,,,10,1,10,,,,,,,
2026-10,calls.aht_seconds,,,,100,1,100,,,,,,,
2026-10,calls.aht_seconds,'=cmd|' /C calc'!A0,,,100,1,100,,,,,,,
2026-10,staffing.agents_needed,,,interval=09:00,1,1,1,,,,,,,
2026-10,staffing.agents_needed,,,interval=10:00,1,1,1,,,,,,,
2026-10,install.orders,,,,0,,0,,,,,,,
2026-10,install.pending,,,,0,,0,,,,,,,
2026-10,install.late,,,,0,,0,,,,,,,
2026-10,fault.reports,,,,0,,0,,,,,,,
2026-10,fault.pending,,,,0,,0,,,,,,,
2026-10,fault.customers,,,,0,,0,,,,,,,
2026-10,fault.repeat_customers,,,,0,,0,,,,,,,
2026-10,incident.count,,,,0,,0,,,,,,,
2026-10,incident.customers,,,,0,,0,,,,,,,
2026-10,complaint.count,,,,0,,0,,,,,,,
2026-10,complaint.escalated,,,,0,,0,,,,,,,
2026-10,complaint.pending,,,,0,,0,,,,,,,
2026-10,complaint.overdue,,,,0,,0,,,,,,,
2026-10,assess.amount,,,,0,,0,,,,,,,
2026-10,survey.attempted,,,,0,,0,,,,,,,
2026-10,survey.dissatisfied,,,,0,,0,,,,,,,
2026-10,other.orders,,,,0,,0,,,,,,,
2026-10,dq.rows_read,,,,2,,2,,,,,,,
2026-10,dq.rows_used,,,,2,,2,,,,,,,
2026-10,dq.out_of_period,,,,0,,0,,,,,,,
2026-10,dq.duplicates,,,,0,,0,,,,,,,
2026-10,dq.rejected,,,,0,,0,,,,,,,
2026-10,dq.conflicts,,,,0,,0,,,,,,,
2026-10,dq.rows_read,,,file=calls.csv;sheet=calls,2,,2,,,,,,,
2026-10,dq.rows_used,,,file=calls.csv;sheet=calls,2,,2,,,,,,,
2026-10,dq.out_of_period,,,file=calls.csv;sheet=calls,0,,0,,,,,,,
2026-10,dq.duplicates,,,file=calls.csv;sheet=calls,0,,0,,,,,,,
2026-10,dq.rejected,,,file=calls.csv;sheet=calls,0,,0,,,,,,,
2026-10,dq.conflicts,,,file=calls.csv;sheet=calls,0,,0,,,,,,,
";
    assert_eq!(got, expected);
}

#[test]
fn dissatisfied_customers_and_their_reasons() {
    let w = Workdir::new();
    // 6 contacted callbacks: 4 dissatisfied (not satisfied; timely no; attitude no; both),
    // 1 satisfied, 1 not contacted with a reason that must not count.
    w.write(
        "in/surveys.csv",
        "回访流水号,分公司,回访时间,回访结果,满意度,处理及时,服务态度,不满意原因\r\n\
         S1,城区,2026-10-02 10:00,成功,不满意,是,满意,上门太慢还多收费\r\n\
         S2,城区,2026-10-03 10:00,成功,满意,否,满意,\r\n\
         S3,东区,2026-10-04 10:00,成功,满意,是,不满意,话费扣款不对\r\n\
         S4,东区,2026-10-05 10:00,成功,一般,否,不满意,说不清\r\n\
         S5,东区,2026-10-06 10:00,成功,满意,是,满意,\r\n\
         S6,东区,2026-10-07 10:00,无人接听,,,,很慢\r\n",
    );
    // Config order puts 费用争议 first: S1 (慢 and 费) is a fee dispute. Intervals: Wilson 95 %
    // computed independently in Python (2/4: 0.150039–0.849961; 1/4: 0.0455873–0.699358).
    w.write("svcq.toml", "[surveys.reason_categories]\n\"费用争议\" = [\"费\", \"扣款\"]\n\"处理不及时\" = [\"慢\"]\n");
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let csv = std::fs::read_to_string(w.join("out/metrics-2026-10.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().filter(|l| l.contains(",survey.dissatisfied")).collect();
    assert_eq!(
        lines,
        [
            "2026-10,survey.dissatisfied,,,,4,,4,,,,,,,",
            "2026-10,survey.dissatisfied,东区,,,2,,2,,,,,,,",
            "2026-10,survey.dissatisfied,城区,,,2,,2,,,,,,,",
            "2026-10,survey.dissatisfied_reason,,,reason=费用争议,2,4,0.5,0.150039,0.849961,true,,,,",
            "2026-10,survey.dissatisfied_reason,,,reason=其他,1,4,0.25,0.0455873,0.699358,true,,,,",
            "2026-10,survey.dissatisfied_reason,,,reason=未说明,1,4,0.25,0.0455873,0.699358,true,,,,",
            "2026-10,survey.dissatisfied_reason,东区,,reason=其他,1,2,0.5,0.0945312,0.905469,true,,,,",
            "2026-10,survey.dissatisfied_reason,东区,,reason=费用争议,1,2,0.5,0.0945312,0.905469,true,,,,",
            "2026-10,survey.dissatisfied_reason,城区,,reason=未说明,1,2,0.5,0.0945312,0.905469,true,,,,",
            "2026-10,survey.dissatisfied_reason,城区,,reason=费用争议,1,2,0.5,0.0945312,0.905469,true,,,,",
        ]
    );
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(
        html.contains("不满意客户4户，主要原因：费用争议（50.00%）、其他（25.00%）、未说明（25.00%）"),
        "narrative"
    );
    assert!(html.contains("<caption>不满意客户二次跟踪</caption>"));
    assert!(html.contains("<th scope=\"col\">跟踪结果</th>"));
}

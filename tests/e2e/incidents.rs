//! Mass-fault incidents (SPEC §7.4): planted bursts with known customers and durations, and
//! near misses that must not qualify, in an xlsx written by rust_xlsxwriter.

use std::collections::BTreeMap;

use calamine::{Reader, Xlsx};
use chrono::{Duration, NaiveDateTime};

use crate::util::{read_metrics, Workdir};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

/// One fault report: (branch, customer, created, completed, site).
type Report = (&'static str, String, NaiveDateTime, Option<NaiveDateTime>, &'static str);

/// The planted month. Comments give what each block must produce.
fn reports() -> Vec<Report> {
    let mut r: Vec<Report> = Vec::new();
    // A: an incident. 20 customers at 孙家坝5300, 3 minutes apart from 08:00; customer 5
    // reports again at 09:00 (21 reports). All restored at 11:30, the last report at 11:35:
    // 3 h 35 min.
    let a = at("2026-10-14 08:00");
    for k in 0..20 {
        let done = at("2026-10-14 11:30");
        r.push(("东区", format!("zyA{k:02}"), a + Duration::minutes(3 * k), Some(done), "孙家坝5300"));
    }
    r.push(("东区", "zyA05".into(), at("2026-10-14 09:00"), Some(at("2026-10-14 11:35")), "孙家坝5300"));
    // B: one customer short. 19 customers, 23 reports, 2 minutes apart.
    let b = at("2026-10-15 09:00");
    for k in 0..23 {
        let c = format!("zyB{:02}", k % 19);
        r.push(("东区", c, b + Duration::minutes(2 * k), Some(at("2026-10-15 12:00")), "北坝5301"));
    }
    // C: a gap one minute too long. 15 customers 2 minutes apart, then 61 minutes, then 15
    // more: two bursts of 15.
    let c = at("2026-10-16 08:00");
    for k in 0..30 {
        let t = c + Duration::minutes(2 * k) + if k >= 15 { Duration::minutes(61 - 2) } else { Duration::zero() };
        r.push(("东区", format!("zyC{k:02}"), t, Some(at("2026-10-16 13:00")), "南坝5302"));
    }
    // D: the same with a gap of exactly 60 minutes: one incident of 30 customers, still open
    // (one report has no completion).
    let d = at("2026-10-17 08:00");
    for k in 0..30 {
        let t = d + Duration::minutes(2 * k) + if k >= 15 { Duration::minutes(60 - 2) } else { Duration::zero() };
        let done = if k == 29 { None } else { Some(at("2026-10-17 15:00")) };
        r.push(("东区", format!("zyD{k:02}"), t, done, "南坝5303"));
    }
    // E: two places interleaved in time: 24 reports 2 minutes apart alternating between two
    // sites, 12 customers each.
    let e = at("2026-10-18 08:00");
    for k in 0..24 {
        let site = if k % 2 == 0 { "甲5304" } else { "乙5305" };
        r.push(("东区", format!("zyE{k:02}"), e + Duration::minutes(2 * k), Some(at("2026-10-18 12:00")), site));
    }
    // F: no site: fixed-line numbers 0832-5300xxx (area code 0832, local prefix 5300), 22
    // customers 5 minutes apart from 14:00, restored at 18:00: 4 hours.
    let f = at("2026-10-20 14:00");
    for k in 0..22 {
        r.push(("西区", format!("08325300{k:03}"), f + Duration::minutes(5 * k), Some(at("2026-10-20 18:00")), ""));
    }
    // G: no site, mobile numbers 133-0800-00xx: a mobile number is at no place.
    let g = at("2026-10-21 09:00");
    for k in 0..22 {
        r.push(("西区", format!("133080000{k:02}"), g + Duration::minutes(2 * k), Some(at("2026-10-21 12:00")), ""));
    }
    r
}

fn write_month(w: &Workdir) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = ["工单编号", "工单类型", "所属分公司", "产品", "用户号码", "受理时间", "修复时间", "故障现象", "局站"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, (branch, customer, created, done, site)) in reports().into_iter().enumerate() {
        let row = i as u32 + 1;
        let fmt = |t: NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
        let cells = [
            format!("GZ{:05}", i + 1),
            "障碍".to_string(),
            branch.to_string(),
            "宽带".to_string(),
            customer,
            fmt(created),
            done.map(fmt).unwrap_or_default(),
            "无法上网".to_string(),
            site.to_string(),
        ];
        for (c, v) in cells.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(row, c as u16, v).unwrap();
            }
        }
    }
    let path = w.join("in/故障工单-202610.xlsx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    wb.save(&path).unwrap();
}

/// incident.* rows: (metric, branch, group) → value text.
fn incident_rows(w: &Workdir) -> BTreeMap<(String, String, String), String> {
    read_metrics(&w.join("out/metrics-2026-10.csv"))
        .into_iter()
        .filter(|r| r["metric"].starts_with("incident."))
        .map(|r| ((r["metric"].clone(), r["branch"].clone(), r["group"].clone()), r["value"].clone()))
        .collect()
}

#[test]
fn planted_incidents_are_found_and_near_misses_are_not() {
    let w = Workdir::new();
    write_month(&w);
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let rows = incident_rows(&w);
    let key = |m: &str, b: &str, g: &str| (m.to_string(), b.to_string(), g.to_string());
    let (ga, gd, gf) = (
        "incident=2026-10-14 08:00@孙家坝5300",
        "incident=2026-10-17 08:00@南坝5303",
        "incident=2026-10-20 14:00@5300",
    );
    let want: BTreeMap<(String, String, String), String> = [
        (key("incident.count", "", ""), "3"),
        (key("incident.count", "东区", ""), "2"),
        (key("incident.count", "西区", ""), "1"),
        (key("incident.customers", "", ""), "72"),
        (key("incident.customers", "东区", ""), "50"),
        (key("incident.customers", "西区", ""), "22"),
        (key("incident.customers", "东区", ga), "20"),
        (key("incident.reports", "东区", ga), "21"),
        (key("incident.hours", "东区", ga), "3.58333"),
        (key("incident.customers", "东区", gd), "30"),
        (key("incident.reports", "东区", gd), "30"),
        (key("incident.hours", "东区", gd), ""),
        (key("incident.customers", "西区", gf), "22"),
        (key("incident.reports", "西区", gf), "22"),
        (key("incident.hours", "西区", gf), "4"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect();
    assert_eq!(rows, want);

    // The sheet: one row per incident, in order of start, and the 合计 row.
    let mut wb: Xlsx<_> = calamine::open_workbook(w.join("out/service-quality-2026-10.xlsx")).unwrap();
    let sheet = wb.worksheet_range("明细-服务支撑").unwrap();
    let text: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let header = text.iter().position(|r| r.first().is_some_and(|c| c == "分公司")).expect("incident table header");
    let body: Vec<(String, String, String, String)> =
        text[header + 1..header + 5].iter().map(|r| (r[0].clone(), r[1].clone(), r[5].clone(), r[6].clone())).collect();
    let s = |a: &str, b: &str, c: &str, d: &str| (a.to_string(), b.to_string(), c.to_string(), d.to_string());
    assert_eq!(
        body,
        [
            s("东区", "孙家坝5300", "20", "21"),
            s("东区", "南坝5303", "30", "30"),
            s("西区", "号段5300", "22", "22"),
            s("合计", "", "72", "73")
        ]
    );
    assert_eq!(text[header + 2][3], "未恢复", "an open incident has no end");

    // 明细-重复申告: customer zyA05's two reports belong to incident A; zyB00's repeats do not.
    let repeat = wb.worksheet_range("明细-重复申告").unwrap();
    let rows: Vec<Vec<String>> = repeat.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let col = rows.iter().find_map(|r| r.iter().position(|c| c == "服务支撑事件")).expect("incident column");
    let marks = |customer: &str| -> Vec<String> {
        rows.iter().filter(|r| r[0] == customer).map(|r| r.get(col).cloned().unwrap_or_default()).collect()
    };
    assert_eq!(marks("zyA05"), ["10-14 08:00 孙家坝5300", "10-14 08:00 孙家坝5300"]);
    assert_eq!(marks("zyB00"), ["", ""]);

    // The page: a sentence per incident, in order of start.
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    for sentence in [
        "本月发生服务支撑事件（同一局站或号段连续申告、间隔不超过60分钟、不少于20户）3起，共影响用户72户：",
        "10月14日08:00起：东区孙家坝5300局站共20户申告宽带障碍（主要为无法上网），历时3.6小时后恢复。",
        "10月17日08:00起：东区南坝5303局站共30户申告宽带障碍（主要为无法上网），截至本月末尚未恢复。",
        "10月20日14:00起：西区号段5300共22户申告宽带障碍（主要为无法上网），历时4.0小时后恢复。",
    ] {
        assert!(html.contains(sentence), "missing: {sentence}");
    }
    assert!(html.contains("事件当日每小时故障申告量") && html.contains("<svg"), "the timeline chart");
}

#[test]
fn the_incident_rule_follows_the_config() {
    let w = Workdir::new();
    write_month(&w);
    // One customer fewer qualifies B; a 61-minute gap joins C's two halves.
    w.write("svcq.toml", "[incidents]\nmin_customers = 19\ngap_minutes = 61\n");
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = incident_rows(&w);
    let get = |m: &str, b: &str, g: &str| rows.get(&(m.into(), b.into(), g.into())).cloned();
    assert_eq!(get("incident.count", "", ""), Some("5".into()));
    assert_eq!(get("incident.customers", "东区", "incident=2026-10-15 09:00@北坝5301"), Some("19".into()));
    assert_eq!(get("incident.customers", "东区", "incident=2026-10-16 08:00@南坝5302"), Some("30".into()));
    // The definitions state the rule in force.
    let defs = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(defs.contains("不超过61分钟") && defs.contains("至少19个不同用户"), "rule in 指标口径");
}

#[test]
fn a_bad_incident_rule_is_a_config_error() {
    for (text, key) in [
        ("[incidents]\nprefix_digits = 0\n", "incidents.prefix_digits"),
        ("[incidents]\nmin_customers = 1\n", "incidents.min_customers"),
        ("[incidents]\ngap_minutes = -5\n", "incidents.gap_minutes"),
        ("[incidents]\nmin_customer = 5\n", "min_customer"),
    ] {
        let w = Workdir::new();
        write_month(&w);
        w.write("svcq.toml", text);
        let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
        assert_eq!(out.code, 2, "{text}: {}", out.stderr);
        assert!(out.stderr.contains(key), "{text}: {}", out.stderr);
    }
}

//! Hotline staffing and the forecast (SPEC §7.6), end to end.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

use crate::util::{read_metrics, CsvRow, Workdir};

fn rows_of<'a>(rows: &'a [CsvRow], metric: &str) -> Vec<&'a CsvRow> {
    rows.iter().filter(|r| r["metric"] == metric).collect()
}

/// One interval with known figures: 10 answered calls of 180 s by two agents and 5 callers
/// who hung up within 5 s, at 09:00–09:30 on 2026-10-05.
fn one_interval(agents: bool) -> String {
    let mut csv = String::from(if agents {
        "来电时间,坐席工号,是否接通,通话时长,等待时长\n"
    } else {
        "来电时间,是否接通,通话时长,等待时长\n"
    });
    for k in 0..15 {
        let (answered, talk, wait) = if k < 10 { ("是", 180, 10) } else { ("否", 0, 5) };
        let agent = if agents { format!("A{},", k % 2) } else { String::new() };
        csv.push_str(&format!("2026-10-05 09:{:02}:00,{agent}{answered},{talk},{wait}\n", k * 2));
    }
    csv
}

#[test]
fn agents_needed_follow_erlang_c_and_the_offered_definition() {
    for (short, needed, understaffed) in [(0.0, "4", "1"), (10.0, "3", "1")] {
        let w = Workdir::new();
        w.write("in/calls.csv", one_interval(true));
        w.write("svcq.toml", format!("[calls]\nshort_abandon_seconds = {short}\n"));
        let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
        assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
        let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
        // Offered 15 (A = 15 × 180 / 1800 = 1.5 Erlangs: 4 agents for 90 % in 20 s), or 10
        // when the 5 short abandons leave offered (A = 1.0: 3 agents).
        let n = rows_of(&rows, "staffing.agents_needed");
        assert_eq!(n.len(), 1);
        assert_eq!((n[0]["group"].as_str(), n[0]["value"].as_str()), ("interval=09:00", needed), "short = {short}");
        let p = rows_of(&rows, "staffing.agents_present");
        assert_eq!((p[0]["group"].as_str(), p[0]["value"].as_str()), ("interval=09:00", "2"));
        let u = rows_of(&rows, "staffing.understaffed");
        assert_eq!((u[0]["numerator"].as_str(), u[0]["denominator"].as_str()), (understaffed, "1"));
    }
}

#[test]
fn without_agent_ids_present_agents_are_absent_and_the_report_says_why() {
    let w = Workdir::new();
    w.write("in/calls.csv", one_interval(false));
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
    assert_eq!(rows_of(&rows, "staffing.agents_needed").len(), 1);
    assert!(rows_of(&rows, "staffing.agents_present").is_empty(), "absent, not 0");
    assert!(rows_of(&rows, "staffing.understaffed").is_empty());
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("话务明细中没有坐席工号，无法统计在岗坐席和缺员时段"));
    assert!(html.contains("历史数据不足2个月，暂不预测下月话务量。"));
    assert!(!html.contains("每日各时段缺员人数"), "no shortfall heat map without agents");
}

#[test]
fn the_sample_shows_an_understaffed_morning_and_a_forecast_from_two_months_of_history() {
    let w = Workdir::new();
    for m in ["2026-08", "2026-09", "2026-10"] {
        assert_eq!(w.run(&["sample", "--month", m, "--out", &format!("in-{m}")]).code, 0);
        let out = w.run(&["report", "--input", &format!("in-{m}"), "--month", m, "--out", "out", "-q"]);
        assert!(out.code == 0 || out.code == 3, "{m}: {}", out.stderr);
    }
    let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let at = |metric: &str, group: &str| -> f64 {
        rows.iter().find(|r| r["metric"] == metric && r["group"] == group).map(|r| r["value"].parse().unwrap()).unwrap()
    };
    // The generator staffs weekday mornings 09:00–11:00 at 0.8 of the traffic.
    let gap = |g: &str| at("staffing.agents_needed", g) - at("staffing.agents_present", g);
    assert!(gap("interval=10:00") > 0.5, "an understaffed morning: {}", gap("interval=10:00"));
    assert!(gap("interval=15:00") < 0.5, "an afternoon with enough agents: {}", gap("interval=15:00"));

    // The forecast, checked against the method done again here from the three CSVs.
    let mut daily: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for m in ["2026-08", "2026-09", "2026-10"] {
        for r in read_metrics(&w.join(&format!("out/history/metrics-{m}.csv"))) {
            if r["metric"] == "calls.offered" && r["branch"].is_empty() {
                if let Some(d) = r["group"].strip_prefix("day=") {
                    daily.insert(d.parse().unwrap(), r["value"].parse().unwrap());
                }
            }
        }
    }
    let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    let window: Vec<(&NaiveDate, &f64)> = daily.range(first - Duration::days(56)..first).collect();
    let mut want_total = 0.0;
    for k in 0..30 {
        let d = first + Duration::days(k);
        let same: Vec<f64> = window.iter().filter(|(x, _)| x.weekday() == d.weekday()).map(|(_, v)| **v).collect();
        let want = (same.iter().sum::<f64>() / same.len() as f64).round();
        want_total += want;
        assert_eq!(at("forecast.offered", &format!("day={d}")), want, "{d}");
    }
    assert_eq!(at("forecast.offered", ""), want_total);
    let mape = at("forecast.mape", "");
    assert!(mape > 0.0 && mape < 0.3, "backtest MAPE {mape}");
    assert!(rows.iter().filter(|r| r["metric"] == "forecast.agents_needed").count() >= 30, "per interval");
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(html.contains(&format!("预计下月人工呼入量约{want_total}次")), "the forecast sentence");
    assert!(html.contains("回测误差MAPE为"));
    assert!(html.contains("未达标的主要时段为周") || html.contains("接通损失最多的时段为周"), "the worst period named");
    // The heat map: red cells by a conditional format in the workbook, an SVG grid on the page.
    let wb = std::fs::read(w.join("out/service-quality-2026-10.xlsx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(wb)).unwrap();
    let mut calls_sheet = String::new();
    // Sheet 3: 概览, 话务, 话务人力.
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet3.xml").unwrap(), &mut calls_sheet).unwrap();
    assert!(calls_sheet.contains("<conditionalFormatting") && calls_sheet.contains("greaterThan"), "heat map");
    assert!(html.contains("每日各时段缺员人数（红色为缺员）</title>"), "the SVG grid");
    // The forecast's days in the workbook, with the total and the MAPE beside it.
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(w.join("out/service-quality-2026-10.xlsx")).unwrap();
    let sheet = book.worksheet_range("话务人力").unwrap();
    let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    let top = cells.iter().position(|r| r.first().is_some_and(|c| c.starts_with("下月每日预测呼入量"))).expect("table");
    assert_eq!(cells[top + 2][0], "11-01 周日");
    let total = &cells[top + 2 + 30];
    assert_eq!((total[0].as_str(), total[1].parse::<f64>().unwrap()), ("合计", want_total));
    assert!((total[2].parse::<f64>().unwrap() - mape).abs() < 1e-6, "MAPE beside the total: {} vs {mape}", total[2]);
}

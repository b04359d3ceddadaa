//! Sentences an analyst would sign (issue 28): early warnings told as SPEC §6 shows, the main
//! understaffed time chosen by the service level lost, the exit-3 summary naming where the
//! rejected rows are, and numbers in the metrics CSV that keep their zeros.

use crate::util::{html_text as text_of, read_metrics, Workdir};

/// A history of six months (2026-04..09) of complaints by channel, and this month's complaints:
/// 短信 41.8 on average (40, 42, 44, 38, 45, 42) and 60 now (warned: 60 > 41.8 × 1.3 = 54.3 and
/// > 41.8 + protection); 10000号 20 on average and 22 now (not warned).
fn warned_city(w: &Workdir) {
    let header = "month,metric,branch,product,group,numerator,denominator,value,ci_low,ci_high,small_sample,target,met,prev_value,warning\n";
    for (i, sms) in [40, 42, 44, 38, 45, 42].iter().enumerate() {
        let m = format!("2026-{:02}", 4 + i);
        let csv = format!(
            "\u{FEFF}{header}{m},complaint.count,,,,{t},,{t},,,,,,,\n{m},complaint.count,,,channel=短信,{sms},,{sms},,,,,,,\n{m},complaint.count,,,channel=10000号,20,,20,,,,,,,\n",
            t = sms + 20
        );
        w.write(&format!("out/history/metrics-{m}.csv"), csv);
    }
    let mut orders = String::from("受理单号,工单类型,分公司,受理时间,归档时间,投诉渠道,投诉类别,责任部门\n");
    for k in 0..82 {
        let channel = if k < 60 { "短信" } else { "10000号" };
        orders.push_str(&format!(
            "T{k},投诉,东区,2026-10-{:02} 09:00,2026-10-{:02} 15:00,{channel},费用争议,东区营业部\n",
            1 + k % 28,
            1 + k % 28
        ));
    }
    w.write("in/complaints.csv", orders);
}

#[test]
fn an_early_warning_is_told_as_the_analysts_write_it() {
    let w = Workdir::new();
    warned_city(&w);
    for (lang, want) in [
        ("zh", "预警：本月短信渠道投诉60件，为近6个月均值（41.8件）的1.4倍，超过预警阈值。"),
        (
            "en",
            "Warning: 60 complaints via 短信 this month, 1.4 times the mean of the previous 6 months (41.8): above the warning threshold.",
        ),
    ] {
        let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "--lang", lang, "-q"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
        let text = text_of(&html);
        // Told in 一、总体概述 and again in 六、预警与趋势; never the machine text.
        assert_eq!(text.matches(want).count(), 2, "{lang}: {want} in the overview and the trends:\n{text}");
        assert!(!text.contains("warning: 60") && !text.contains("baseline"), "{lang}: raw warning text shown");
        assert!(!text.contains("10000号渠道投诉22件") && !text.contains("22 complaints via"), "{lang}: not warned");
        // The 概览 sheet's paragraphs say the same.
        let wb = std::fs::read(w.join("out/service-quality-2026-10.xlsx")).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(wb)).unwrap();
        let mut sheet = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
        let mut strings = String::new();
        if let Ok(mut s) = zip.by_name("xl/sharedStrings.xml") {
            std::io::Read::read_to_string(&mut s, &mut strings).unwrap();
        }
        assert!(sheet.contains(want) || strings.contains(want), "{lang}: the 概览 sheet tells the warning");
    }
    // The CSV's column stays machine-readable.
    let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let sms = rows.iter().find(|r| r["metric"] == "complaint.count" && r["group"] == "channel=短信").unwrap();
    assert!(sms["warning"].starts_with("warning: 60 > baseline 41.8"), "{}", sms["warning"]);
}

/// October 2026 with agent ids. Tuesdays 10:00–10:30 (6, 13, 20, 27 Oct): 20 calls each, 10
/// answered at once, 5 answered after 60 s, 5 abandoned after 40 s: 10 late a day, 40 over
/// the month of 80 offered, two agents. Tuesdays 10:30: 3 late a day (12: below half of 40,
/// not joined). Monday 5 Oct 00:00: one long call answered at once by one agent and one
/// abandoned — the most agents short (Erlang C wants many for a 2-hour call), one late call:
/// it must not be the headline. Wednesdays 14:00: calls all answered at once.
fn staffing_month() -> String {
    let mut csv = String::from("来电时间,坐席工号,是否接通,通话时长,等待时长\n");
    let mut call = |t: String, agent: &str, answered: bool, talk: u32, wait: u32| {
        csv.push_str(&format!("{t},{agent},{},{talk},{wait}\n", if answered { "是" } else { "否" }));
    };
    call("2026-10-05 00:05:00".into(), "A1", true, 7200, 2);
    call("2026-10-05 00:10:00".into(), "", false, 0, 30);
    for day in [6, 13, 20, 27] {
        for k in 0..20u32 {
            let t = format!("2026-10-{day:02} 10:{:02}:00", k);
            match k {
                0..=9 => call(t, if k % 2 == 0 { "A1" } else { "A2" }, true, 120, 5),
                10..=14 => call(t, if k % 2 == 0 { "A1" } else { "A2" }, true, 120, 60),
                _ => call(t, "", false, 0, 40),
            }
        }
        for k in 0..6u32 {
            let t = format!("2026-10-{day:02} 10:{:02}:00", 35 + k);
            if k < 3 {
                call(t, "A1", true, 120, 5);
            } else {
                call(t, "", false, 0, 45);
            }
        }
    }
    for day in [7, 14, 21, 28] {
        for k in 0..10u32 {
            call(format!("2026-10-{day:02} 14:{:02}:00", k * 3), "A3", true, 100, 3);
        }
    }
    csv
}

#[test]
fn the_main_understaffed_time_is_where_the_service_level_was_lost_most() {
    let w = Workdir::new();
    w.write("in/calls.csv", staffing_month());
    for (lang, want, not) in [
        ("zh", "未达标的主要时段为周二10:00–10:30（全月该时段来电80次，20秒内未接通40次）", "周一00:00"),
        ("en", "Tuesdays 10:00–10:30 (40 of 80 calls over the month not answered within 20 s)", "Mondays 00:00"),
    ] {
        let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "--lang", lang, "-q"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let text = text_of(&std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap());
        assert!(text.contains(want), "{lang}: {want}\n{text}");
        assert!(!text.contains(not), "{lang}: the interval with one late call is not the headline");
    }
    // The trap really has the most agents short: the old rule would have named it.
    let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let gap = |g: &str| -> f64 {
        let v = |m: &str| {
            rows.iter().find(|r| r["metric"] == m && r["group"] == g).unwrap()["value"].parse::<f64>().unwrap()
        };
        v("staffing.agents_needed") - v("staffing.agents_present")
    };
    assert!(gap("interval=00:00") > gap("interval=10:00"), "{} vs {}", gap("interval=00:00"), gap("interval=10:00"));
}

#[test]
fn exit_3_names_the_files_columns_and_reasons_behind_the_rejected_rows() {
    let w = Workdir::new();
    // calls.csv: 10 rows, 4 with a wait that is not a number, 2 with a bad date.
    let mut calls = String::from("来电时间,是否接通,通话时长,等待时长\n");
    for k in 0..10 {
        let when = if k < 2 { "2026-10-32 08:00".to_string() } else { format!("2026-10-{:02} 08:00", k + 1) };
        let wait = if (2..6).contains(&k) { "abc" } else { "10" };
        calls.push_str(&format!("{when},是,60,{wait}\n"));
    }
    w.write("in/calls.csv", calls);
    // faults.csv: 5 rows, 1 without customer id.
    let mut faults = String::from("工单号,工单类型,分公司,用户号码,申告时间,修复时间\n");
    for k in 0..5 {
        let cust = if k == 0 { "" } else { "13300000001" };
        faults.push_str(&format!("G{k},故障,东区,{cust},2026-10-0{} 08:00,2026-10-0{} 12:00\n", k + 1, k + 1));
    }
    w.write("in/faults.csv", faults);
    for cmd in ["report", "check"] {
        let mut args = vec![cmd, "--input", "in", "--month", "2026-10", "-q"];
        if cmd == "report" {
            args.extend(["--out", "out"]);
        }
        let out = w.run(&args);
        assert_eq!(out.code, 3, "{cmd}: {}", out.stderr);
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert!(
            lines[0].starts_with("svcq: 46.67% of rows rejected (7 of 15; threshold 1.00%), exit 3"),
            "{cmd}: {}",
            out.stderr
        );
        assert!(lines[1].starts_with("  4 rows: calls.csv, column D「等待时长」:"), "{cmd}: {}", out.stderr);
        assert!(lines[2].starts_with("  2 rows: calls.csv, column A「来电时间」:"), "{cmd}: {}", out.stderr);
        assert!(
            lines[3].starts_with("  1 rows: faults.csv, column D「用户号码」: 故障工单缺少用户号码"),
            "{cmd}: {}",
            out.stderr
        );
        assert_eq!(lines.len(), 4, "{cmd}: every rejected row is in the top 3: {}", out.stderr);
    }
}

#[test]
fn big_numerators_keep_their_zeros_and_every_rate_is_its_numerator_over_its_denominator() {
    // 1,000 answered calls of 170.46018 s: talk time 170,460.18 s, written "17046" before
    // issue 28 (the integer's zeros trimmed as if they were decimals).
    let w = Workdir::new();
    let mut calls = String::from("来电时间,是否接通,通话时长,等待时长\n");
    for k in 0..1000 {
        calls.push_str(&format!("2026-10-{:02} {:02}:{:02}:00,是,170.46018,5\n", 1 + k % 28, 8 + k % 10, k % 60));
    }
    w.write("in/calls.csv", calls);
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let aht = rows
        .iter()
        .find(|r| r["metric"] == "calls.aht_seconds" && r["branch"].is_empty() && r["group"].is_empty())
        .unwrap();
    assert_eq!((aht["numerator"].as_str(), aht["denominator"].as_str()), ("170460", "1000"));
    // Every row with a numerator and a denominator, here and in the shipped sample month.
    let sample = Workdir::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let input = root.join("sample-data/2026-10");
    let o = sample.run(&["report", "--input", input.to_str().unwrap(), "--month", "2026-10", "--out", "out", "-q"]);
    assert!(o.code == 0 || o.code == 3, "{}", o.stderr);
    let mut checked = 0;
    for r in rows.iter().chain(read_metrics(&sample.join("out/metrics-2026-10.csv")).iter()) {
        let (Ok(n), Ok(d), Ok(v)) =
            (r["numerator"].parse::<f64>(), r["denominator"].parse::<f64>(), r["value"].parse::<f64>())
        else {
            continue;
        };
        if d == 0.0 {
            continue;
        }
        checked += 1;
        // Each of the three is written to 6 significant digits.
        assert!(
            (n / d - v).abs() <= 2e-5 * v.abs() + 1e-12,
            "{} {} {}: {n} / {d} != {v}",
            r["metric"],
            r["branch"],
            r["group"]
        );
    }
    assert!(checked > 500, "{checked} rows checked");
}

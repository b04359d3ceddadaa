//! Why it changed (issue 30, SPEC §8.2): on a generated pair of months with a planted change —
//! one branch × product surge of faults, one branch's install on-time rate dropping — the
//! change.* rows add up to each change, and the narrative names exactly the planted segments
//! with their effects, in zh and en.

use crate::util::{read_metrics, Workdir};

/// Work orders of a month: 20 faults per branch × product (西区 × ADSL: `surge`), 40 installs
/// per branch, all on time but `late` of 东区's.
fn orders(month: &str, surge: usize, late: usize) -> String {
    let mut s = String::from("工单号,工单类型,分公司,产品,用户号码,受理时间,预约时间,完成时间,故障原因\n");
    let mut n = 0;
    for b in ["东区", "西区", "北区"] {
        for p in ["ADSL", "E8"] {
            let count = if (b, p) == ("西区", "ADSL") { surge } else { 20 };
            for k in 0..count {
                n += 1;
                let day = 1 + k % 25;
                // The surge beyond the usual 20 is all line faults.
                let cause = if k >= 20 { "线路故障" } else { "光猫故障" };
                s.push_str(&format!(
                    "F{month}-{n},故障,{b},{p},1330{n:07},{month}-{day:02} 08:{:02},,{month}-{day:02} 10:00,{cause}\n",
                    k % 60
                ));
            }
        }
        for k in 0..40 {
            n += 1;
            let day = 1 + k % 25;
            let done = if b == "东区" && k < late {
                format!("{month}-{:02} 09:00", day + 3)
            } else {
                format!("{month}-{day:02} 18:00")
            };
            s.push_str(&format!(
                "Z{month}-{n},装机,{b},E8,1890{n:07},{month}-{day:02} 08:00,{month}-{:02} 08:00,{done},\n",
                day + 1
            ));
        }
    }
    s
}

#[test]
fn a_planted_change_is_named_exactly() {
    let w = Workdir::new();
    w.write("2026-09/orders.csv", orders("2026-09", 20, 0));
    w.write("2026-10/orders.csv", orders("2026-10", 80, 20));
    for m in ["2026-09", "2026-10"] {
        let out = w.run(&["report", "--input", m, "--month", m, "--out", "out", "-q"]);
        assert_eq!(out.code, 0, "{m}: {}", out.stderr);
    }
    // The rows: every dimension's effects add up to the change.
    let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let num = |r: &std::collections::BTreeMap<String, String>| r["value"].parse::<f64>().unwrap();
    let effects = |of: &str, by: &str| -> Vec<(String, f64)> {
        rows.iter()
            .filter(|r| r["metric"] == "change.effect" && r["group"].starts_with(&format!("of={of};by={by};segment=")))
            .map(|r| (r["group"].rsplit("segment=").next().unwrap().to_string(), num(r)))
            .collect()
    };
    let fault_by_branch = effects("fault.reports", "branch");
    assert_eq!(fault_by_branch.iter().map(|e| e.1).sum::<f64>(), 60.0, "{fault_by_branch:?}");
    assert!(fault_by_branch.contains(&("西区".to_string(), 60.0)), "{fault_by_branch:?}");
    assert_eq!(effects("fault.reports", "product").iter().find(|e| e.0 == "ADSL").map(|e| e.1), Some(60.0));
    // Every cause's reports are rows (not only the top N): the surge is all line faults.
    assert_eq!(effects("fault.reports", "cause"), vec![("线路故障".to_string(), 60.0), ("光猫故障".to_string(), 0.0)]);
    let install = effects("install.ontime_rate", "branch");
    let total: f64 = install.iter().map(|e| e.1).sum();
    assert!((total - (100.0 / 120.0 - 1.0)).abs() < 1e-5, "{install:?}");
    let east = install.iter().find(|e| e.0 == "东区").unwrap().1;
    assert!((east - (-1.0 / 6.0)).abs() < 1e-5, "{east}");
    // rate + mix = effect for each segment.
    for r in rows.iter().filter(|r| r["metric"] == "change.effect" && r["group"].contains("install.ontime_rate")) {
        let part = |m: &str| rows.iter().find(|x| x["metric"] == m && x["group"] == r["group"]).map(num).unwrap();
        assert!((part("change.rate_effect") + part("change.mix_effect") - num(r)).abs() < 2e-6, "{}", r["group"]);
    }

    // The narrative: exactly the planted segments, with their effects.
    let text = |lang: &str| {
        let out = w.run(&["report", "--input", "2026-10", "--month", "2026-10", "--out", "out", "--lang", lang, "-q"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        crate::util::html_text(&std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap())
    };
    let zh = text("zh");
    assert!(zh.contains("本月故障总数较上月上升60件，主要来自西区（+60件）。"), "{zh}");
    assert!(zh.contains("本月履约准时率较上月下降16.67个百分点，主要来自东区（−16.67个百分点）。"), "{zh}");
    let en = text("en");
    assert!(en.contains("mostly from 西区 (+60)."), "{en}");
    assert!(en.contains("fell by 16.67 percentage points from last month, mostly from 东区 (−16.67 pp)."), "{en}");
    // The waterfalls of the two changes, on the page.
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("<title>Fault reports: change from the period before (Branch)</title>"), "waterfall (en)");
    let out = w.run(&["report", "--input", "2026-10", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    for title in ["履约准时率较上期变化（分公司）", "故障总数较上期变化（分公司）"] {
        let svg = html
            .split("<svg ")
            .find(|s| s.contains(&format!("<title>{title}</title>")))
            .unwrap_or_else(|| panic!("{title}"));
        assert!(svg.contains("<desc>上期: "), "{title}: the data in the description");
    }
    assert!(html.contains("−16.67个百分点") && html.contains(">+60<"), "the steps' labels");
    // No other segment is named for these two.
    for line in zh.lines().filter(|l| l.contains("主要来自")) {
        assert!(!line.contains("北区"), "{line}");
    }
}

#[test]
fn a_branchs_own_report_splits_its_change_inside_the_branch() {
    let w = Workdir::new();
    w.write("2026-09/orders.csv", orders("2026-09", 20, 0));
    w.write("2026-10/orders.csv", orders("2026-10", 80, 20));
    for m in ["2026-09", "2026-10"] {
        let out = w.run(&["report", "--input", m, "--month", m, "--out", "out", "-q", "--per-branch"]);
        assert_eq!(out.code, 0, "{m}: {}", out.stderr);
    }
    // 西区's surge is all ADSL: its own report says so, by product.
    let rows = read_metrics(&w.join("out/branches/西区/metrics-2026-10.csv"));
    let adsl = rows
        .iter()
        .find(|r| r["metric"] == "change.effect" && r["group"] == "of=fault.reports;by=product;segment=ADSL")
        .map(|r| r["value"].clone());
    assert_eq!(adsl, Some("60".into()));
    assert!(
        rows.iter()
            .filter(|r| r["metric"].starts_with("change."))
            .all(|r| !r["group"].contains("东区") && !r["group"].contains("北区")),
        "nothing of another branch"
    );
    let html = std::fs::read_to_string(w.join("out/branches/西区/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("本月故障总数较上月上升60件，主要来自ADSL（+60件）。"), "the branch's own sentence");
}

#[test]
fn a_roll_up_and_a_week_split_their_changes_too() {
    let w = Workdir::new();
    w.write("2026-09/orders.csv", orders("2026-09", 20, 0));
    w.write("2026-10/orders.csv", orders("2026-10", 80, 20));
    // A roll-up of the branches' own CSVs splits over its parts (the branches).
    for m in ["2026-09", "2026-10"] {
        let out = w.run(&["report", "--input", m, "--month", m, "--out", &format!("city-{m}"), "-q", "--per-branch"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let mut args = vec!["rollup".to_string(), "--input".to_string()];
        for b in ["东区", "西区", "北区"] {
            args.push(format!("city-{m}/branches/{b}/metrics-{m}.csv"));
        }
        args.extend(["--month", m, "--out", "province", "-q"].map(String::from));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = w.run(&args);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let rows = read_metrics(&w.join("province/metrics-2026-10.csv"));
    let west = rows
        .iter()
        .find(|r| r["metric"] == "change.effect" && r["group"] == "of=fault.reports;by=branch;segment=西区")
        .map(|r| r["value"].clone());
    assert_eq!(west, Some("60".into()), "the roll-up splits over its parts");
    // A week against the week before: week 41 (Oct 5–11) has the orders of days 5–11.
    let out = w.run(&["report", "--input", "2026-10", "--week", "2026-W40", "--out", "weekly", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = w.run(&["report", "--input", "2026-10", "--week", "2026-W41", "--out", "weekly", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = read_metrics(&w.join("weekly/metrics-2026-W41.csv"));
    let effects: Vec<f64> = rows
        .iter()
        .filter(|r| r["metric"] == "change.effect" && r["group"].starts_with("of=fault.reports;by=branch;"))
        .map(|r| r["value"].parse().unwrap())
        .collect();
    let total = |rows: &[crate::util::CsvRow]| -> f64 {
        rows.iter()
            .find(|r| {
                r["metric"] == "fault.reports"
                    && r["branch"].is_empty()
                    && r["product"].is_empty()
                    && r["group"].is_empty()
            })
            .unwrap()["value"]
            .parse()
            .unwrap()
    };
    let before = total(&read_metrics(&w.join("weekly/metrics-2026-W40.csv")));
    assert!(!effects.is_empty(), "the week before is in history: its change is split");
    assert!((effects.iter().sum::<f64>() - (total(&rows) - before)).abs() < 1e-9, "{effects:?}");
}

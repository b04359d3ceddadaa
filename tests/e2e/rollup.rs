//! `svcq rollup` (SPEC §7.8): a larger unit's report from its parts' metrics CSVs.

use std::collections::BTreeMap;

use crate::util::{read_metrics, CsvRow, Workdir};

type Key = (String, String, String, String);

fn keyed(rows: Vec<CsvRow>) -> BTreeMap<Key, CsvRow> {
    rows.into_iter()
        .map(|r| ((r["metric"].clone(), r["branch"].clone(), r["product"].clone(), r["group"].clone()), r))
        .collect()
}

/// Equal as the CSV writes them, or (means: numerators are written to six significant
/// digits) within a relative 1e-5.
fn close(a: &str, b: &str) -> bool {
    a == b
        || match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => (x - y).abs() <= 1e-5 * x.abs().max(1.0),
            _ => false,
        }
}

#[test]
fn a_roll_up_of_the_branches_is_the_whole_for_every_row_that_adds() {
    let w = Workdir::new();
    assert_eq!(w.run(&["sample", "--month", "2026-10", "--out", "in", "--scale", "2"]).code, 0);
    let o = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "city", "--per-branch", "-q"]);
    assert!(o.code == 0 || o.code == 3, "{}", o.stderr);
    let mut parts: Vec<String> = std::fs::read_dir(w.join("city/branches"))
        .unwrap()
        .map(|e| format!("city/branches/{}/metrics-2026-10.csv", e.unwrap().file_name().to_string_lossy()))
        .collect();
    parts.sort();
    assert!(parts.len() >= 4);
    let mut args = vec!["rollup", "--input"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--month", "2026-10", "--out", "province"]);
    let o = w.run(&args);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.starts_with(&format!("svcq rollup 2026-10: {} parts, ", parts.len())), "{}", o.stdout);
    let whole = keyed(read_metrics(&w.join("city/metrics-2026-10.csv")));
    let rolled = keyed(read_metrics(&w.join("province/metrics-2026-10.csv")));
    // Rows the branches' CSVs cannot add up to the whole: customers who reported in several
    // branches (the generator draws customers from one pool), one hotline's staffing, and
    // the data-quality rows (a branch's CSV has none: the ledger is the whole run's).
    let apart = [
        "calls.repeat_caller_rate",
        "fault.customers",
        "fault.repeat_customers",
        "fault.repeat_rate",
        "staffing.understaffed",
    ];
    let not_rolled = [
        "staffing.agents_needed",
        "staffing.agents_present",
        "forecast.offered",
        "forecast.mape",
        "forecast.agents_needed",
        "fault.restore_hours_p50",
        "fault.restore_hours_p90",
        "fault.top_phenomena",
        "fault.top_causes",
        "incident.reports",
        "incident.hours",
    ];
    let mut compared = 0;
    for (k, r) in &whole {
        let m = k.0.clone();
        if apart.contains(&m.as_str()) || m.starts_with("dq.") || m.starts_with("meta.") || k.3.starts_with("incident=")
        {
            continue;
        }
        if not_rolled.contains(&m.as_str()) {
            if k.1.is_empty() {
                assert!(!rolled.contains_key(k), "{k:?} is not rolled up: no total");
            }
            continue;
        }
        // Totals, and the branch level: each part is a branch, named by its folder.
        let got = rolled.get(k).unwrap_or_else(|| panic!("{k:?} missing from the roll-up"));
        for col in ["numerator", "denominator", "value", "ci_low", "ci_high", "small_sample", "target", "met"] {
            assert!(close(&r[col], &got[col]), "{k:?} {col}: whole {} vs roll-up {}", r[col], got[col]);
        }
        compared += 1;
    }
    assert!(compared > 500, "{compared} rows compared");
    // Two halves of the month's units, each rolled up, then rolled up again (a group from its
    // provinces): the same totals for every row that adds.
    let half = parts.len() / 2;
    for (out, chunk) in [("half-a", &parts[..half]), ("half-b", &parts[half..])] {
        let mut args = vec!["rollup", "--input"];
        args.extend(chunk.iter().map(String::as_str));
        args.extend(["--month", "2026-10", "--out", out, "-q"]);
        assert_eq!(w.run(&args).code, 0, "{out}");
    }
    let o = w.run(&[
        "rollup",
        "--input",
        "half-a/metrics-2026-10.csv",
        "half-b/metrics-2026-10.csv",
        "--month",
        "2026-10",
        "--out",
        "two",
        "-q",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let two = keyed(read_metrics(&w.join("two/metrics-2026-10.csv")));
    let half_a = ("calls.offered".to_string(), "half-a".to_string(), String::new(), String::new());
    assert!(two.contains_key(&half_a), "each half is a branch of the group");
    let mut totals = 0;
    for (k, r) in rolled.iter().filter(|(k, _)| k.1.is_empty() && !k.0.starts_with("meta.")) {
        let got = two.get(k).unwrap_or_else(|| panic!("{k:?} missing from the roll-up of the halves"));
        for col in ["numerator", "denominator", "value", "ci_low", "ci_high", "small_sample", "met"] {
            assert!(close(&r[col], &got[col]), "{k:?} {col}: {} vs halves {}", r[col], got[col]);
        }
        totals += 1;
    }
    assert!(totals > 300, "{totals} totals compared");
    // The parts' own values of what does not add stay on their rows.
    let p90 = |rows: &BTreeMap<Key, CsvRow>, b: &str| {
        rows[&("fault.restore_hours_p90".to_string(), b.to_string(), String::new(), String::new())]["value"].clone()
    };
    assert_eq!(p90(&rolled, "东区分公司"), p90(&whole, "东区分公司"));
    // The report lists what was not rolled up, and the parts with their fingerprints.
    let html = std::fs::read_to_string(w.join("province/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("未汇总的指标"), "指标口径 lists what was not rolled up");
    for m in not_rolled {
        assert!(html.contains(&format!("<td>{m}</td>")), "{m} listed");
    }
    assert!(html.contains("汇总的各部分") && html.contains("city/branches/东区分公司/metrics-2026-10.csv"));
    assert!(!html.contains("明细-重复申告"), "a roll-up has no records to list");
    // Its manifest fingerprints the parts.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.join("province/manifest-2026-10.json")).unwrap()).unwrap();
    assert_eq!(manifest["inputs"].as_array().unwrap().len(), parts.len());
    assert!(w.join("province/history/metrics-2026-10.csv").exists());
}

#[test]
fn parts_with_other_definitions_periods_or_names_are_refused() {
    let w = Workdir::new();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let input = sample.to_str().unwrap();
    assert!(matches!(w.run(&["report", "--input", input, "--month", "2026-10", "--out", "a", "-q"]).code, 0 | 3));
    w.write("slow.toml", "[sla_hours]\nfault = 36\n");
    let o = w.run(&["report", "--input", input, "--month", "2026-10", "--out", "b", "-q", "--config", "slow.toml"]);
    assert!(matches!(o.code, 0 | 3), "{}", o.stderr);
    let both = ["rollup", "--input", "a/metrics-2026-10.csv", "b/metrics-2026-10.csv", "--month", "2026-10"];
    let run = |extra: &[&str]| {
        let mut a = both.to_vec();
        a.extend_from_slice(extra);
        w.run(&a)
    };
    // A different fault deadline: refused, naming the part.
    let o = run(&["--out", "p", "--names", "甲市,乙市"]);
    assert_eq!(o.code, 2, "{}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains("definitions differ") && o.stderr.contains("乙市 ("), "{}", o.stderr);
    assert!(!o.stderr.contains("甲市 ("), "甲市 agrees with the config: {}", o.stderr);
    assert!(!w.join("p/metrics-2026-10.csv").exists(), "nothing written");
    // Allowed on request, and said in 指标口径.
    let o = run(&["--out", "p", "--names", "甲市,乙市", "--allow-mixed-config"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    assert!(o.stdout.contains("definitions differ (--allow-mixed-config)"), "{}", o.stdout);
    let html = std::fs::read_to_string(w.join("p/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("各部分口径不一致，按 --allow-mixed-config 汇总"), "指标口径 notes it");
    // Counts add exactly: two runs of the same month are twice the month.
    let one = keyed(read_metrics(&w.join("a/metrics-2026-10.csv")));
    let two = keyed(read_metrics(&w.join("p/metrics-2026-10.csv")));
    let offered = ("calls.offered".to_string(), String::new(), String::new(), String::new());
    let n = |rows: &BTreeMap<Key, CsvRow>| rows[&offered]["value"].parse::<f64>().unwrap();
    assert_eq!(n(&two), 2.0 * n(&one));
    let part = ("calls.offered".to_string(), "乙市".to_string(), String::new(), String::new());
    assert_eq!(two[&part]["value"], one[&offered]["value"], "each part is a branch");
    // A CSV of another month; a CSV without a fingerprint (an older svcq); two parts one name.
    let o = w.run(&["rollup", "--input", "a/metrics-2026-10.csv", "--month", "2026-09", "--out", "q"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("a/metrics-2026-10.csv is the report of 2026-10, not of 2026-09"), "{}", o.stderr);
    let csv = std::fs::read_to_string(w.join("a/metrics-2026-10.csv")).unwrap();
    let old: String = csv.lines().filter(|l| !l.contains(",meta.definitions,")).map(|l| format!("{l}\n")).collect();
    w.write("old/metrics-2026-10.csv", old);
    let o = w.run(&["rollup", "--input", "old/metrics-2026-10.csv", "--month", "2026-10", "--out", "q"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("old (no fingerprint)"), "{}", o.stderr);
    let o = w.run(&["rollup", "--input", "a/metrics-2026-10.csv", "a/metrics-2026-10.csv", "--month", "2026-10"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("two parts are named \"a\""), "{}", o.stderr);
    // A damaged CSV: the file, the line and the column.
    w.write("bad/metrics-2026-10.csv", csv.replacen(",calls.offered,,,,", ",calls.offered,,,,many", 1));
    let o = w.run(&["rollup", "--input", "bad/metrics-2026-10.csv", "--month", "2026-10", "--out", "q"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("bad/metrics-2026-10.csv: line ") && o.stderr.contains("column `numerator`"),
        "{}",
        o.stderr
    );
}

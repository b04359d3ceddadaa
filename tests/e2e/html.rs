//! The HTML report: sections, figures equal to the metrics CSV, escaping, templates, charts.

use std::path::Path;

use crate::util::{read_metrics, Workdir};

fn sample_report(w: &Workdir, extra: &[&str]) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for m in ["2026-09", "2026-10"] {
        let input = root.join("sample-data").join(m);
        let mut args = vec!["report", "--input", input.to_str().unwrap(), "--month", m, "--out", "out"];
        args.extend_from_slice(extra);
        let out = w.run(&args);
        assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    }
    std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap()
}

/// The text of every cell of the table with this caption: rows of cells.
fn table(html: &str, caption: &str) -> Vec<Vec<String>> {
    cells(html, caption).into_iter().map(|r| r.into_iter().map(|(_, text)| text).collect()).collect()
}

/// The body cells of a table as (class attribute, text).
fn cells(html: &str, caption: &str) -> Vec<Vec<(String, String)>> {
    let start = html.find(&format!("<caption>{caption}</caption>")).unwrap_or_else(|| panic!("table {caption}"));
    let end = start + html[start..].find("</table>").unwrap();
    let body = &html[start..end];
    body.split("<tr>")
        .skip(1)
        .map(|tr| {
            tr.split("<td")
                .skip(1)
                .map(|td| {
                    let open = &td[..td.find('>').unwrap()];
                    let class = open.split("class=\"").nth(1).map_or("", |c| &c[..c.find('"').unwrap()]);
                    let text = &td[td.find('>').unwrap() + 1..];
                    (class.to_string(), text[..text.find("</td>").unwrap()].to_string())
                })
                .collect::<Vec<_>>()
        })
        .filter(|r| !r.is_empty())
        .collect()
}

#[test]
fn html_has_the_sections_in_order_and_is_self_contained() {
    let w = Workdir::new();
    let html = sample_report(&w, &[]);
    let headings = [
        "一、总体概述",
        "二、服务指标",
        "三、话务",
        "四、投诉管理",
        "五、回访满意度",
        "六、预警与趋势",
        "七、数据质量",
        "八、指标口径",
    ];
    let mut at = 0;
    for h in headings {
        let pos = html[at..].find(&format!("<h2>{h}</h2>")).unwrap_or_else(|| panic!("{h} after byte {at}")) + at;
        at = pos;
    }
    assert!(html.contains("<title>电信分公司客户服务部 客户服务质量月报 2026-10</title>"));
    assert!(!html.contains("<script"), "no script");
    // No external reference of any kind (the SVG namespace URI is a name, not a fetch).
    for external in ["src=\"http", "href=\"http", "url(http", "url('http", "url(\"http", "@import", "src=\"//"] {
        assert!(!html.contains(external), "no network: found {external}");
    }
    assert!(!html.contains("<link "), "inline CSS only");
    assert!(html.contains("@page") && html.contains("@media print"), "print CSS");
    assert!(html.contains("@media (max-width: 640px)"), "phone CSS");
    // Narrative in the analysts' style.
    assert!(html.contains("本月共受理投诉100件，较上月持平；其中越级投诉"), "complaint narrative");
    assert!(html.contains("较上月上升1.25个百分点（变化不显著），达到考核目标（≥85%）"), "answer-rate narrative");
}

#[test]
fn html_figures_equal_the_metrics_csv() {
    let w = Workdir::new();
    let html = sample_report(&w, &[]);
    let csv = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let pct = |metric: &str, branch: &str| -> String {
        let v: f64 = csv
            .iter()
            .find(|r| {
                r["metric"] == metric && r["branch"] == branch && r["product"].is_empty() && r["group"].is_empty()
            })
            .unwrap()["value"]
            .parse()
            .unwrap();
        format!("{:.2}%", v * 100.0)
    };
    let kpis = table(&html, "主要指标");
    let row = kpis.iter().find(|r| r[0] == "人工接通率").unwrap();
    assert_eq!(row[1], pct("calls.answer_rate", ""));
    let row = kpis.iter().find(|r| r[0] == "履约准时率").unwrap();
    assert_eq!(row[1], pct("install.ontime_rate", ""));
    // Satisfaction per branch, with its interval and the small-sample mark.
    let sat = table(&html, "各分公司回访满意度");
    let mut checked = 0;
    for r in csv.iter().filter(|r| r["metric"] == "survey.satisfaction_rate" && !r["branch"].is_empty()) {
        let row = sat.iter().find(|row| row[0] == r["branch"]).unwrap();
        let want = pct("survey.satisfaction_rate", &r["branch"]);
        let small = r["small_sample"] == "true";
        assert_eq!(row[3], if small { format!("{want}*") } else { want }, "{}", r["branch"]);
        let lo: f64 = r["ci_low"].parse().unwrap();
        assert!(row[4].starts_with(&format!("{:.2}%–", lo * 100.0)), "interval {}", row[4]);
        checked += 1;
    }
    assert!(checked >= 4);
    // Met / unmet colours follow the CSV: each branch's on-time cell (column 3) is
    // coloured by its own verdict.
    let inst_cells = cells(&html, "各分公司装机履约");
    let mut coloured = (0, 0);
    for r in csv
        .iter()
        .filter(|r| r["metric"] == "install.ontime_rate" && !r["branch"].is_empty() && r["product"].is_empty())
    {
        let row = inst_cells.iter().find(|row| row[0].1 == r["branch"]).unwrap();
        let classes: Vec<&str> = row[3].0.split_whitespace().collect();
        match r["met"].as_str() {
            "true" => {
                assert!(classes.contains(&"met") && !classes.contains(&"unmet"), "{} {:?}", r["branch"], classes);
                coloured.0 += 1;
            }
            "false" => {
                assert!(classes.contains(&"unmet") && !classes.contains(&"met"), "{} {:?}", r["branch"], classes);
                coloured.1 += 1;
            }
            _ => assert!(!classes.contains(&"met") && !classes.contains(&"unmet"), "{} {:?}", r["branch"], classes),
        }
    }
    assert!(coloured.0 > 0 && coloured.1 > 0, "both verdicts occur in the sample: {coloured:?}");
    let inst = table(&html, "各分公司装机履约");
    // Last month and the change, from the history (prev_value in the CSV).
    assert!(html.contains("<th scope=\"col\">上月履约准时率</th><th scope=\"col\">变化</th>"));
    for r in csv
        .iter()
        .filter(|r| r["metric"] == "install.ontime_rate" && !r["branch"].is_empty() && r["product"].is_empty())
    {
        let row = inst.iter().find(|row| row[0] == r["branch"]).unwrap();
        let (v, p): (f64, f64) = (r["value"].parse().unwrap(), r["prev_value"].parse().unwrap());
        assert_eq!(row[row.len() - 1], format!("{:+.2}个百分点", (v - p) * 100.0), "{}", r["branch"]);
    }
    assert!(html.contains("class=\"num unmet") && html.contains("class=\"num met"));
}

#[test]
fn svg_charts_carry_labels_and_a_text_alternative() {
    let w = Workdir::new();
    let html = sample_report(&w, &[]);
    let charts: Vec<&str> = html.split("<svg ").skip(1).collect();
    assert!(charts.len() >= 10, "{} charts", charts.len());
    let install = charts.iter().find(|c| c.contains("<title>各分公司履约准时率</title>")).expect("on-time chart");
    assert!(install.contains("role=\"img\""));
    assert!(install.contains("<desc>") && install.contains("东区分公司: "), "data in the description");
    assert!(install.contains(">\n东区分公司\n<"), "the table's label, whole (issue 28)");
    assert!(install.contains("考核目标 95.00%"), "target line label");
    assert!(install.contains("Noto Sans CJK SC"), "browser CJK font stack");
    for title in [
        "各分公司分产品重复申告率",
        "投诉类别帕累托图",
        "各分公司客户满意率（含95%置信区间）",
        "每日呼入量与20秒应答率",
        "近12个月主要指标趋势",
        "各部门未及时处理投诉",
        "各产品保障及时率",
    ] {
        assert!(html.contains(&format!("<title>{title}</title>")), "{title}");
    }
}

/// The value labels of a chart: (text, fill colour, x, y).
fn value_labels(svg: &str) -> Vec<(String, String, f64, f64)> {
    let attr = |tag: &str, name: &str| -> String {
        format!(" {tag}")
            .split(&format!(" {name}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or_default()
            .to_string()
    };
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| {
            let (tag, rest) = t.split_once('>')?;
            let text = rest.split('<').next()?.trim().to_string();
            (text.ends_with('%') && text.contains('.') && !text.contains(' ')).then(|| {
                (
                    text,
                    attr(tag, "fill"),
                    attr(tag, "x").parse().unwrap_or(-1.0),
                    attr(tag, "y").parse().unwrap_or(-1.0),
                )
            })
        })
        .collect()
}

#[test]
fn bar_labels_keep_clear_of_the_target_line_and_the_intervals() {
    let w = Workdir::new();
    let html = sample_report(&w, &[]);
    let charts: Vec<&str> = html.split("<svg ").skip(1).collect();
    let install = charts.iter().find(|c| c.contains("<title>各分公司履约准时率</title>")).unwrap();
    let labels = value_labels(install);
    assert_eq!(labels.len(), 8, "{labels:?}");
    // 92.3 % is just under the 95 % target: its label goes inside the bar, in white; 100 %
    // and 80 % keep theirs above the bar, in black.
    let of = |v: &str| labels.iter().find(|l| l.0 == v).unwrap_or_else(|| panic!("{v} in {labels:?}"));
    assert_eq!(of("92.3%").1, "#FFFFFF");
    assert_eq!(of("100.0%").1, "#000000");
    assert_eq!(of("80.0%").1, "#000000");
    // The same gap before the first bar as after the last: the label centres are evenly
    // spaced and as far from the x axis line's left end as from its right end.
    let xs: Vec<f64> = labels.iter().map(|l| l.2).collect();
    let step = xs[1] - xs[0];
    assert!(xs.windows(2).all(|p| (p[1] - p[0] - step).abs() <= 1.0), "{xs:?}");
    let axis: Vec<f64> = install
        .split("<polyline ")
        .filter(|p| p.contains("stroke=\"#000000\""))
        .filter_map(|p| {
            let pts = p.split("points=\"").nth(1)?.split('"').next()?;
            let v: Vec<f64> = pts.split([',', ' ']).filter_map(|x| x.parse().ok()).collect();
            (v.len() == 4 && v[1] == v[3] && v[2] - v[0] > 300.0).then(|| vec![v[0], v[2]])
        })
        .next()
        .expect("the x axis line");
    let (left, right) = (xs[0] - axis[0], axis[1] - xs[xs.len() - 1]);
    assert!((left - right).abs() <= 2.0, "gap before the first bar {left}, after the last {right} ({axis:?}, {xs:?})");
    // The satisfaction chart draws intervals: every label sits at the bars' foot, in white.
    let sat = charts.iter().find(|c| c.contains("<title>各分公司客户满意率（含95%置信区间）</title>")).unwrap();
    let labels = value_labels(sat);
    assert!(labels.len() >= 5, "{labels:?}");
    assert!(labels.iter().all(|l| l.1 == "#FFFFFF" && l.3 == labels[0].3), "{labels:?}");
}

#[test]
fn input_text_is_escaped_and_output_is_deterministic() {
    let w = Workdir::new();
    w.write(
        "in/complaints.csv",
        "受理单号,工单类型,分公司,受理时间,归档时间,投诉渠道,投诉类别,责任部门\n\
         T1,投诉,<script>alert(1)</script>,2026-10-02 09:00,2026-10-05 09:00,工信部,\"<img src=x onerror=alert(2)>\",&amp;部\n",
    );
    let run = |out: &str| {
        let o = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", out]);
        assert_eq!(o.code, 0, "{}", o.stderr);
        std::fs::read_to_string(w.join(out).join("service-quality-2026-10.html")).unwrap()
    };
    let html = run("a");
    assert!(!html.contains("<script>alert(1)</script>"));
    assert!(!html.contains("<img src=x"));
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "escaped text shown"
    );
    assert!(html.contains("&amp;amp;部"), "entities in input are shown literally");
    assert_eq!(html, run("b"), "deterministic");
}

#[test]
fn custom_templates_change_the_wording_and_errors_name_the_template() {
    let w = Workdir::new();
    // init-templates writes the built-in templates: the same files as report-templates/.
    let out = w.run(&["init-templates", "tpl"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("report-templates");
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).unwrap().to_str().unwrap().to_string();
        assert_eq!(std::fs::read(&entry).unwrap(), std::fs::read(w.join(&format!("tpl/{rel}"))).unwrap(), "{rel}");
    }
    assert_eq!(w.run(&["init-templates", "tpl"]).code, 2, "existing templates are not overwritten");
    w.write("tpl/zh/complaint.txt", "投诉合计{{ h.complaint_count.value }}件（自定义措辞）。\n");
    let html = sample_report(&w, &["--templates", "tpl"]);
    assert!(html.contains("投诉合计100件（自定义措辞）。"));
    // A broken template: exit 1, the template's name and line in the message.
    w.write("tpl/zh/survey.txt", "第一行\n第二行{% if %}\n");
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let out = w.run(&[
        "report",
        "--input",
        input.to_str().unwrap(),
        "--month",
        "2026-10",
        "--out",
        "out2",
        "--templates",
        "tpl",
    ]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("template zh/survey.txt"), "{}", out.stderr);
    assert!(out.stderr.contains("2:"), "line number: {}", out.stderr);
    assert!(!w.join("out2/service-quality-2026-10.xlsx").exists(), "nothing written");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn english_labels_and_narrative() {
    let w = Workdir::new();
    let html = sample_report(&w, &["--lang", "en"]);
    assert!(html.contains("<h2>1. Summary</h2>"));
    assert!(html.contains("<caption>Headline metrics</caption>"));
    assert!(html.contains("targeted metrics met their targets this month"));
    assert!(html.contains("<th scope=\"col\">Answer rate</th>"));
}

#[test]
fn numeric_channel_names_never_run_into_their_counts() {
    let w = Workdir::new();
    w.write(
        "in/complaints.csv",
        "工单号,工单类型,分公司,受理时间,完成时间,受理渠道,投诉类别,责任部门\r\n\
         T1,投诉,城区,2026-10-02 09:00,2026-10-02 10:00,12315,费用争议,10000号\r\n\
         T2,投诉,城区,2026-10-03 09:00,2026-10-03 10:00,12315,费用争议,10000号\r\n\
         T3,投诉,东区,2026-10-04 09:00,2026-10-04 10:00,集团,网络质量,东区\r\n\
         T4,投诉,东区,2026-10-05 09:00,2026-10-05 10:00,10080,网络质量,东区\r\n",
    );
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(
        html.contains("其中越级投诉4件（12315渠道2件、10080渠道1件、集团1件）"),
        "{}",
        &html[..html.len().min(4000)]
    );
    assert!(!html.contains("123152件"));
}

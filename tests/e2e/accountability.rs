//! The assessment (考核), escalations and typical cases (SPEC §7.2–7.3) on complaints written
//! by openpyxl and LibreOffice under different header aliases (tests/fixtures/assess).

use std::collections::BTreeMap;
use std::io::Read;

use calamine::{Reader, Xlsx};

use crate::util::{read_metrics, Workdir};

const CONFIG: &str = r#"[assessment]
human_error = 25.38
[assessment.by_department]
"合作商" = { overdue = 40 }
"东区合作商" = { human_error = 10 }
"维护" = { irregular_reply = 80 }
"#;

fn run_fixture() -> Workdir {
    let w = Workdir::new();
    w.fixture("assess/complaints.xlsx", "in/complaints.xlsx");
    w.fixture("assess/complaints-lo.ods", "in/complaints-lo.ods");
    w.write("svcq.toml", CONFIG);
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    w
}

fn sheet(w: &Workdir, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = calamine::open_workbook(w.join("out/service-quality-2026-10.xlsx")).unwrap();
    let range = wb.worksheet_range(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[test]
fn assessment_rows_add_up_with_overrides_by_the_longest_word() {
    let w = run_fixture();
    let rows: BTreeMap<(String, String, String), String> = read_metrics(&w.join("out/metrics-2026-10.csv"))
        .into_iter()
        .filter(|r| r["metric"].starts_with("assess."))
        .map(|r| ((r["metric"].clone(), r["branch"].clone(), r["group"].clone()), r["value"].clone()))
        .collect();
    let mut want: BTreeMap<(String, String, String), String> = BTreeMap::new();
    let mut put = |m: &str, b: &str, g: &str, v: &str| {
        want.insert((m.into(), b.into(), g.into()), v.into());
    };
    // department -> (overdue cases, 元), (irregular), (human), total
    for (d, items, total) in [
        ("西区合作商", [(2, "80"), (1, "50"), (0, "0")], "130"),
        ("城区公众客户部", [(1, "20"), (1, "50"), (2, "50.76")], "120.76"),
        ("网络维护中心", [(1, "20"), (1, "80"), (0, "0")], "100"),
        ("东区合作商维护部", [(1, "20"), (0, "0"), (1, "10")], "30"),
        ("客户服务部", [(1, "20"), (0, "0"), (0, "0")], "20"),
    ] {
        for (item, (n, amount)) in ["overdue", "irregular_reply", "human_error"].iter().zip(items) {
            let g = format!("department={d};item={item}");
            put("assess.cases", "", &g, &n.to_string());
            put("assess.amount", "", &g, amount);
        }
        put("assess.amount", "", &format!("department={d}"), total);
    }
    for b in ["东区", "西区"] {
        put("assess.cases", b, "item=justified", "1");
        put("assess.amount", b, "item=justified", "300");
    }
    put("assess.amount", "", "", "1000.76");
    assert_eq!(rows, want);

    // 考核: departments by amount, 合计 = the sum of each column.
    let s = sheet(&w, "考核");
    let header = s.iter().position(|r| r.first().is_some_and(|c| c == "责任部门")).expect("header");
    assert_eq!(
        s[header],
        [
            "责任部门",
            "超时(件)",
            "超时(元)",
            "回单不规范(件)",
            "回单不规范(元)",
            "人为差错(件)",
            "人为差错(元)",
            "合计(元)"
        ]
    );
    let body: Vec<String> = s[header + 1..header + 7].iter().map(|r| r[..8].join("|")).collect();
    assert_eq!(
        body,
        [
            "西区合作商|2|80|1|50|0|0|130",
            "城区公众客户部|1|20|1|50|2|50.76|120.76",
            "网络维护中心|1|20|1|80|0|0|100",
            "东区合作商维护部|1|20|0|0|1|10|30",
            "客户服务部|1|20|0|0|0|0|20",
            "合计|6|160|3|180|3|60.76|400.76",
        ]
    );
    let justified = s.iter().position(|r| r.first().is_some_and(|c| c == "分公司")).expect("justified table");
    let body: Vec<String> = s[justified + 1..justified + 4].iter().map(|r| r[..3].join("|")).collect();
    assert_eq!(body, ["东区|1|300", "西区|1|300", "合计|2|600"]);

    // 明细-考核: every charge with its rule; the longest word wins and an item it does not set
    // takes the default (T3's overdue is 20, not 合作商's 40).
    let d = sheet(&w, "明细-考核");
    let top = d.iter().position(|r| r.first().is_some_and(|c| c == "考核项")).expect("header") + 1;
    let charges: Vec<String> = d[top..]
        .iter()
        .filter(|r| r.len() > 7 && !r[2].is_empty())
        .map(|r| format!("{}|{}|{}|{}|{}", r[0], r[1], r[2], r[6], r[7]))
        .collect();
    assert_eq!(charges.len(), 14, "{charges:#?}");
    assert!(charges.contains(&"超时|东区合作商维护部|T3|20|默认：超时20元/件".to_string()), "{charges:#?}");
    assert!(charges.contains(&"人为差错|东区合作商维护部|T3|10|“东区合作商”：人为差错10元/件".to_string()));
    assert!(charges.contains(&"超时|西区合作商|T10|40|“合作商”：超时40元/件".to_string()));
    assert!(charges.contains(&"回单不规范|网络维护中心|T5|80|“维护”：回单不规范80元/件".to_string()));
    assert!(charges.contains(&"有理由投诉|东区|T7|300|默认：有理由投诉300元/件".to_string()));
    assert!(!charges.iter().any(|c| c.starts_with("回单不规范|网络维护中心|T6")), "an open complaint is not irregular");

    // The narrative, in the analysts' words.
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    for s in [
        "本月投诉考核合计1000.76元，其中超时6单160元、回单不规范3单180元、人为差错3单60.76元、有理由投诉2单600元。考核金额较多的部门为西区合作商（130元）和城区公众客户部（120.76元）。",
        "越级投诉2件（12315渠道1件、工信部申诉1件）",
    ] {
        assert!(html.contains(s), "missing: {s}");
    }
}

#[test]
fn escalations_and_cases_keep_hostile_text_inert() {
    let w = run_fixture();
    // 明细-越级投诉: both escalated complaints; the content is a string, never a formula.
    let s = sheet(&w, "明细-越级投诉");
    let top = s.iter().position(|r| r.first().is_some_and(|c| c == "渠道")).expect("header") + 1;
    let ids: Vec<&str> = s[top..].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(ids, ["T12", "T9"], "by channel (12315 < 工信部申诉), branch, order id");
    let t9 = s.iter().find(|r| r[2] == "T9").unwrap();
    assert_eq!(t9[7], "=HYPERLINK(\"http://evil.example\",\"点此\")");
    assert_eq!(t9[8], "<script>alert('x')</script><b>已处理</b>");
    assert_eq!(t9[9], "及时");
    assert_eq!(s.iter().find(|r| r[2] == "T12").unwrap()[9], "超时");
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(w.join("out/service-quality-2026-10.xlsx")).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if name.starts_with("xl/worksheets/") {
            let mut xml = String::new();
            f.read_to_string(&mut xml).unwrap();
            assert!(!xml.contains("<f>"), "{name}: no formula anywhere");
        }
    }
    // 本月典型案例 (report.cases = 3): escalated first, 12315 (listed last) the most severe,
    // then justified; content and result in full.
    let c = sheet(&w, "投诉");
    let at = c.iter().position(|r| r.first().is_some_and(|x| x == "本月典型案例")).expect("typical cases");
    let cases: Vec<&str> = c[at + 2..at + 5].iter().map(|r| r[2].as_str()).collect();
    assert_eq!(cases, ["T12", "T9", "T7"]);
    assert!(c[at + 2][4].chars().count() > 60, "the content in full");
    assert_eq!(c[at + 2][5], "已更换设备并补偿一个月费用");
    // The page: escaped markup, the per-channel list quoting 60 characters.
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(!html.contains("<script>alert"), "markup stays text");
    assert!(html.contains("&lt;script&gt;alert("), "escaped");
    let long = "客户反映其宽带自九月中旬以来每天晚间八点至十一点频繁掉线，期间多次拨打10000号报修，装维人员两次上门均未解决，客户要求赔偿并投诉至12315";
    let quoted: String = long.chars().take(60).collect();
    assert!(html.contains(&format!("12315渠道1件：城区1件。城区（网络质量）：{quoted}…。")), "the 12315 list");
    // The deck: the same cases in a native table, their text as text — escaped, never a
    // field or a link.
    let deck = crate::deck::read_deck(&w.join("out/service-quality-2026-10.pptx"));
    let cells: Vec<String> = deck["slides"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["shapes"].as_array().unwrap().iter())
        .filter(|sh| sh["kind"] == "table")
        .flat_map(|sh| sh["cells"].as_array().unwrap().iter().flat_map(|r| r.as_array().unwrap().clone()))
        .filter_map(|c| c.as_str().map(String::from))
        .collect();
    assert!(cells.iter().any(|c| c == "<script>alert('x')</script><b>已处理</b>"), "the result as written");
    assert!(cells.iter().any(|c| c.starts_with("=HYPERLINK(")), "the content as written");
    let mut zip =
        zip::ZipArchive::new(std::fs::File::open(w.join("out/service-quality-2026-10.pptx")).unwrap()).unwrap();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        if name.starts_with("ppt/slides/slide") {
            let mut xml = String::new();
            f.read_to_string(&mut xml).unwrap();
            assert!(!xml.contains("<script") && !xml.contains("<a:fld") && !xml.contains("hlinkClick"), "{name}");
        }
    }
    // The CSV never carries content or result.
    let csv = std::fs::read_to_string(w.join("out/metrics-2026-10.csv")).unwrap();
    assert!(!csv.contains("HYPERLINK") && !csv.contains("<script>"));
    assert!(csv.contains("2026-10,complaint.escalated,城区,,channel=12315,1,"), "escalations per branch and channel");
}

#[test]
fn items_whose_column_is_missing_are_absent_not_zero() {
    let w = Workdir::new();
    w.write(
        "in/投诉.csv",
        "工单号,工单类型,分公司,受理时间,承诺时间,完成时间,责任部门,是否有理由\n\
         A1,投诉,东区,2026-10-02 09:00,2026-10-03 09:00,2026-10-05 09:00,客户服务部,否\n\
         A2,投诉,东区,2026-10-03 09:00,2026-10-05 09:00,2026-10-04 09:00,客户服务部,是\n",
    );
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let groups: Vec<String> = read_metrics(&w.join("out/metrics-2026-10.csv"))
        .into_iter()
        .filter(|r| r["metric"] == "assess.cases")
        .map(|r| format!("{}|{}|{}", r["branch"], r["group"], r["value"]))
        .collect();
    assert_eq!(groups, ["|department=客户服务部;item=overdue|1", "东区|item=justified|1"]);
    let s = sheet(&w, "考核");
    let title = s.iter().flatten().find(|c| c.starts_with("投诉考核（按责任部门）")).expect("title");
    assert!(title.contains("回单规范、人为差错"), "{title}");
    let header = s.iter().find(|r| r.first().is_some_and(|c| c == "责任部门")).unwrap();
    assert_eq!(header[..4], ["责任部门", "超时(件)", "超时(元)", "合计(元)"]);
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("输入中没有“回单规范”、“人为差错”列，相应考核项未计算（不是0）。"));
}

#[test]
fn assessment_config_errors_name_the_key_and_line() {
    for (text, needles) in [
        ("[assessment]\noverdu = 5\n", &["line 2", "overdu"][..]),
        ("[assessment]\nhuman_error = 1\noverdue = -5\n", &["line 3", "overdue = -5", "0 or more"][..]),
        (
            "[assessment.by_department]\n\"\" = { overdue = 1 }\n",
            &["line 2", "assessment.by_department", "empty word"][..],
        ),
        ("[assessment.by_department]\n\"合作商\" = { justified = 1 }\n", &["line 2", "justified"][..]),
    ] {
        let w = Workdir::new();
        w.write("in/投诉.csv", "工单号,工单类型,分公司,受理时间\nA1,投诉,东区,2026-10-02 09:00\n");
        w.write("svcq.toml", text);
        let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
        assert_eq!(out.code, 2, "{text}: {}", out.stderr);
        for n in needles {
            assert!(out.stderr.contains(n), "{text}: `{n}` in {}", out.stderr);
        }
    }
}

#[test]
fn english_lists_keep_numeric_names_apart_from_counts() {
    let w = Workdir::new();
    w.fixture("assess/complaints.xlsx", "in/complaints.xlsx");
    w.fixture("assess/complaints-lo.ods", "in/complaints-lo.ods");
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "--lang", "en", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(w.join("out/service-quality-2026-10.html")).unwrap();
    assert!(html.contains("2 of them escalated (12315: 1, 工信部申诉: 1)."), "channel 12315 and its count apart");
    assert!(html.contains("12315: 1 — 城区: 1."), "the per-channel list");
    assert!(html.contains("Complaint assessment this month: "), "the assessment sentence");
}

//! First contact with a site's own exports (issue 29, SPEC §8.1): a sheet that looks like an
//! export but cannot be read stops the run and says what to add; `init-config --input` adds
//! it (aliases, and `branch = "from_name"` for one file per county); then the report has
//! exactly the figures of the same rows in SPEC §2 shape. The
//! fixtures are written by `tests/fixtures/firstcontact/make-firstcontact.py` (openpyxl and
//! Python's GBK codec).

use std::collections::BTreeMap;

use crate::util::{fixtures, read_metrics, Workdir};

/// The figures of a metrics CSV: (metric, branch, product, group) → (numerator, denominator,
/// value), without the rows that describe the inputs (dq.*, meta.*).
fn figures(path: &std::path::Path) -> BTreeMap<String, String> {
    read_metrics(path)
        .into_iter()
        .filter(|r| !r["metric"].starts_with("dq.") && !r["metric"].starts_with("meta."))
        .map(|r| {
            (
                format!("{} {} {} {}", r["metric"], r["branch"], r["product"], r["group"]),
                format!("{} {} {}", r["numerator"], r["denominator"], r["value"]),
            )
        })
        .collect()
}

#[test]
fn a_sites_own_exports_fail_loudly_then_read_right_with_the_proposed_config() {
    let w = Workdir::new();
    let dir = fixtures().join("firstcontact");
    let site = dir.join("site");
    let site = site.to_str().unwrap();
    // 1. Without config: exit 1, nothing written, the sheet, kind, missing field and the
    //    proposed column named.
    let out = w.run(&["report", "--input", site, "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(!w.join("out/metrics-2026-10.csv").exists() && !w.join("out/service-quality-2026-10.xlsx").exists());
    for want in [
        "calls-vendor.csv: looks like calls (话务明细): row 1 holds start_time, talk_seconds",
        "missing wait_seconds",
        "proposed: wait_seconds <- column B「排队等待(秒)」 (100%为时长或秒数；表头与别名共有「等待」)",
        "wait_seconds = [\"排队等待(秒)\"]",
        // One file per county: the branch is in the file name and the title row only.
        "安岳_工单_202610.xlsx / 工单: looks like work_orders (工单明细): row 2 holds order_id, order_type, customer_id, created_at, completed_at, cause",
        "missing branch",
        "[[files]] pattern = \"安岳_工单_202610.xlsx\", kind = \"work_orders\", branch = \"from_name\"",
    ] {
        assert!(out.stderr.contains(want), "{want}\n{}", out.stderr);
    }
    // check says the same per sheet, with the mapping used and how.
    let out = w.run(&["check", "--lang", "en", "--input", site, "--month", "2026-10"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("start_time=A「呼入开始时间」 (by containment)"), "{}", out.stdout);
    assert!(out.stdout.contains("attitude=G「满意度评价/态度」 (group header joined)"), "{}", out.stdout);
    assert!(
        out.stdout.contains("proposed: wait_seconds <- B「排队等待(秒)」: 100% durations or seconds"),
        "{}",
        out.stdout
    );
    // In the report language by default: aligned, Chinese.
    let zh = w.run(&["check", "--input", site, "--month", "2026-10"]);
    assert!(
        zh.stdout.contains("     读取      使用      期外      重复      拒收  类型         文件 / 工作表\n"),
        "{}",
        zh.stdout
    );
    assert!(
        zh.stdout.contains("建议：wait_seconds <- B「排队等待(秒)」：100%为时长或秒数；表头与别名共有「等待」"),
        "{}",
        zh.stdout
    );
    assert!(zh.stdout.contains("start_time=A「呼入开始时间」（按包含匹配）"), "{}", zh.stdout);

    // 2. init-config --input: the default config plus the alias, under its evidence.
    let out = w.run(&["init-config", "--input", site, "--month", "2026-10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("[aliases.calls]\n# calls-vendor.csv, column B「排队等待(秒)」: 100%为时长或秒数"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("\nwait_seconds = [\"排队等待(秒)\"]\n"), "{}", out.stdout);
    assert!(
        out.stdout.contains(
            "[[files]]\npattern = \"乐至_工单_202610.xlsx\"\nkind = \"work_orders\"\nbranch = \"from_name\"\n"
        ),
        "{}",
        out.stdout
    );
    w.write("svcq.toml", &out.stdout);
    // With it, the calls' two-row header reads whole (客户信息 over 区县分公司, 客户来电号码).
    let out = w.run(&["check", "--lang", "en", "--input", site, "--month", "2026-10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("branch=D「客户信息/区县分公司」 (group header joined), caller=E「客户信息/客户来电号码」 (group header joined)"), "{}", out.stdout);

    // 3. The report of the site's exports equals the report of the same rows in SPEC shape.
    let out = w.run(&["report", "--input", site, "--month", "2026-10", "--out", "site-out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let spec = dir.join("spec");
    let out = w.run(&["report", "--input", spec.to_str().unwrap(), "--month", "2026-10", "--out", "spec-out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (a, b) = (figures(&w.join("site-out/metrics-2026-10.csv")), figures(&w.join("spec-out/metrics-2026-10.csv")));
    assert!(a.len() > 100, "{} figures", a.len());
    assert_eq!(a.get("calls.offered   "), Some(&"48  48".to_string()));
    assert_eq!(a.get("survey.contacted   "), b.get("survey.contacted   "));
    let differ: Vec<String> = b
        .iter()
        .filter(|(k, v)| a.get(*k) != Some(*v))
        .map(|(k, v)| format!("{k}: spec {v}, site {:?}", a.get(k)))
        .collect();
    assert!(differ.is_empty() && a.len() == b.len(), "{} differ:\n{}", differ.len(), differ.join("\n"));

    // The ledger: the 合计 rows and the notes are footer rows, the row of "-" is blank.
    let rows = read_metrics(&w.join("site-out/metrics-2026-10.csv"));
    let dq = |m: &str, g: &str| rows.iter().find(|r| r["metric"] == m && r["group"] == g).map(|r| r["value"].clone());
    assert_eq!(dq("dq.footer", ""), Some("6".into()), "4 totals + 2 notes");
    assert_eq!(dq("dq.rows_read", ""), Some("96".into()), "48 calls + 30 surveys + 12 orders + 6 footer rows");
    assert_eq!(dq("dq.rows_used", ""), Some("90".into()));
    // The county files' orders carry their branch, as the calls name it.
    assert_eq!(a.get("fault.reports 安岳  "), Some(&"6  6".to_string()), "{a:?}");
    assert_eq!(dq("dq.rejected", ""), Some("0".into()));
    let spec_rows = read_metrics(&w.join("spec-out/metrics-2026-10.csv"));
    assert!(spec_rows.iter().all(|r| r["metric"] != "dq.footer"), "no footer rows, no dq.footer rows");
}

#[test]
fn notes_and_pivots_are_listed_but_an_unreadable_export_stops_the_run() {
    let w = Workdir::new();
    std::fs::create_dir_all(w.join("in")).unwrap();
    std::fs::create_dir_all(w.join("in2")).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let notes = wb.add_worksheet().set_name("填表说明").unwrap();
    notes.write(0, 0, "填表说明").unwrap();
    notes.write(1, 0, "1. 分公司填写全称；2. 受理时间精确到分。").unwrap();
    let pivot = wb.add_worksheet().set_name("汇总").unwrap();
    pivot.write_row(0, 0, ["分公司", "投诉量"]).unwrap();
    for (i, b) in ["东区", "西区", "北区", "城区", "安岳", "乐至", "雁江", "简阳"].iter().enumerate() {
        pivot.write(i as u32 + 1, 0, *b).unwrap();
        pivot.write(i as u32 + 1, 1, (i * 7 + 3) as f64).unwrap();
    }
    let orders = wb.add_worksheet().set_name("明细").unwrap();
    orders.write_row(0, 0, ["受理单号", "工单类型", "分公司", "受理时间"]).unwrap();
    orders.write_row(1, 0, ["T1", "投诉", "东区", "2026-10-03 09:00"]).unwrap();
    wb.save(w.join("in/complaints.xlsx")).unwrap();
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "notes and a pivot do not stop the run: {}", out.stderr);
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert!(out.stdout.contains("complaints.xlsx / 汇总  [未识别 (matches no kind)"), "{}", out.stdout);
    assert!(out.stdout.contains("complaints.xlsx / 填表说明  [未识别 (matches no kind)"), "{}", out.stdout);

    // A sheet named for calls with 25 rows under a header svcq knows nothing of: it looks
    // like an export, so the report stops rather than leave the calls out.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet().set_name("话务明细").unwrap();
    s.write_row(0, 0, ["进线时刻", "排队", "状态", "区域"]).unwrap();
    for r in 1..=25u32 {
        s.write_row(r, 0, [format!("2026-10-{:02} 09:00", r), "12".into(), "接起".into(), "东区".into()]).unwrap();
    }
    wb.save(w.join("in2/hotline.xlsx")).unwrap();
    let out = w.run(&["report", "--input", "in2", "--month", "2026-10", "--out", "out2", "-q"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("hotline.xlsx / 话务明细: looks like calls (话务明细): 25 rows below a header row"),
        "{}",
        out.stderr
    );
    assert!(!w.join("out2/metrics-2026-10.csv").exists(), "nothing written");
}

#[test]
fn a_files_rule_gives_fields_their_exports_lack() {
    let w = Workdir::new();
    w.write(
        "in/adsl-faults.csv",
        "工单号,用户号码,受理时间,完成时间\nG1,13300000001,2026-10-02 08:00,2026-10-02 10:00\nG2,13300000002,2026-10-03 08:00,\n",
    );
    // Without a rule: a work-order sheet without type and branch is not read (and says so).
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10", "-q"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    w.write(
        "svcq.toml",
        "[[files]]\npattern = \"adsl-*\"\nkind = \"work_orders\"\norder_type = \"故障\"\nbranch = \"安岳\"\nproduct = \"ADSL\"\n",
    );
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let rows = read_metrics(&w.join("out/metrics-2026-10.csv"));
    let v = |b: &str, p: &str| {
        rows.iter()
            .find(|r| r["metric"] == "fault.reports" && r["branch"] == b && r["product"] == p && r["group"].is_empty())
            .map(|r| r["value"].clone())
    };
    assert_eq!(v("安岳", "ADSL"), Some("2".into()));
    assert_eq!(v("", "ADSL"), Some("2".into()));
    assert_eq!(v("", "未分类"), None, "every order has the constant product");
}

/// The sample month as CSV files (UTF-8 or GBK as the generator wrote them) and the metrics
/// CSV its report gives: written once for every case of the property below.
fn sample_csv_month() -> &'static (Workdir, Vec<u8>) {
    static SAMPLE: std::sync::OnceLock<(Workdir, Vec<u8>)> = std::sync::OnceLock::new();
    SAMPLE.get_or_init(|| {
        let w = Workdir::new();
        let out = w.run(&["sample", "--month", "2026-10", "--out", "in", "--format", "csv"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "base", "-q"]);
        assert!(out.code == 0 || out.code == 3, "{}", out.stderr);
        let csv = std::fs::read(w.join("base/metrics-2026-10.csv")).unwrap();
        (w, csv)
    })
}

/// Rename a CSV's header cells: keep, wrap in words that hold no alias (`导出受理时间列`: found by
/// containment; only for headers of 3+ characters), or put runs of two or more neighbouring
/// columns under a group cell (`栏目1` over them: a two-row header). `choice` drives it.
fn rename_headers(text: &str, choice: &[u8]) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    // The header: the first line with as many fields as the next, and 5 or more.
    let fields = |l: &str| l.trim_end_matches('\r').split(',').count();
    let at = (0..lines.len() - 1).find(|&i| fields(lines[i]) >= 5 && fields(lines[i]) == fields(lines[i + 1])).unwrap();
    let cells: Vec<String> = lines[at].trim_end_matches('\r').split(',').map(String::from).collect();
    let mut top = cells.clone();
    let mut sub = vec![String::new(); cells.len()];
    let mut grouped = false;
    let mut i = 0;
    let mut k = 0;
    while i < cells.len() {
        let c = choice[k % choice.len()];
        k += 1;
        let plain = cells[i].trim_end_matches(['）', ')']).split(['（', '(']).next().unwrap_or("");
        match c % 3 {
            1 if plain.chars().count() >= 3 => top[i] = format!("导出{}列", cells[i]),
            2 if i + 1 < cells.len() => {
                let n = 2 + (c as usize / 3) % 2;
                let end = (i + n).min(cells.len());
                for j in i..end {
                    top[j] = String::new();
                    sub[j] = cells[j].clone();
                }
                top[i] = format!("栏目{k}");
                grouped = true;
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    let mut out: Vec<String> = lines[..at].iter().map(|s| s.to_string()).collect();
    let eol = if lines[at].ends_with('\r') { "\r" } else { "" };
    out.push(format!("{}{eol}", top.join(",")));
    if grouped {
        out.push(format!("{}{eol}", sub.join(",")));
    }
    out.extend(lines[at + 1..].iter().map(|s| s.to_string()));
    out.join("\n")
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 8, ..Default::default() })]

    /// SPEC §8.1: renaming every header of a month's exports to a containing or group-joined
    /// form never changes a figure (the metrics CSV is the same to the byte: the files, sheets
    /// and rows are the same), and never gives exit 0 with fewer rows used.
    #[test]
    fn renamed_headers_never_change_a_figure(choice in proptest::collection::vec(0u8..=255, 1..40)) {
        let (w, base) = sample_csv_month();
        let case = Workdir::new();
        for entry in std::fs::read_dir(w.join("in")).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let bytes = std::fs::read(&path).unwrap();
            if name.starts_with('.') {
                continue;
            }
            let (text, gbk) = match std::str::from_utf8(&bytes) {
                Ok(t) => (t.to_string(), false),
                Err(_) => (encoding_rs::GBK.decode(&bytes).0.into_owned(), true),
            };
            // A BOM stays at the start of the file, not with the first header cell.
            let bom = if text.starts_with('\u{FEFF}') { "\u{FEFF}" } else { "" };
            let renamed = format!("{bom}{}", rename_headers(text.trim_start_matches('\u{FEFF}'), &choice));
            let out = if gbk { encoding_rs::GBK.encode(&renamed).0.into_owned() } else { renamed.into_bytes() };
            case.write(&format!("in/{name}"), out);
        }
        let out = case.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
        proptest::prop_assert!(out.code == 0 || out.code == 3, "{}", out.stderr);
        let got = std::fs::read(case.join("out/metrics-2026-10.csv")).unwrap();
        if &got != base {
            let a = String::from_utf8_lossy(base);
            let b = String::from_utf8_lossy(&got);
            let first = a.lines().zip(b.lines()).find(|(x, y)| x != y);
            proptest::prop_assert!(false, "a figure changed: {:?}", first);
        }
    }
}

#[test]
fn a_sheet_that_reads_gets_proposals_for_its_optional_fields_and_branch_names_count_as_evidence() {
    let w = Workdir::new();
    // Calls read (start, wait, answered), with agent ids under 坐席编号 (alias 坐席工号) and the
    // branch under 归属 (no alias): the branch names are those the orders use.
    let mut calls = String::from("来电时间,等待时长,是否接通,坐席编号,归属\n");
    for k in 0..10 {
        calls.push_str(&format!("2026-10-{:02} 09:00,5,是,A{},{}\n", k + 1, k % 3, ["东区", "西区"][k % 2]));
    }
    w.write("in/calls.csv", calls);
    w.write(
        "in/orders.csv",
        "工单号,工单类型,分公司,受理时间\nT1,投诉,东区,2026-10-02 09:00\nT2,投诉,西区,2026-10-03 09:00\n",
    );
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("proposed: agent_id <- D「坐席编号」: header shares 「坐席号」"), "{}", out.stdout);
    // 归属 shares no character with a branch alias: content alone is not enough on a sheet
    // that reads (only where a required field is missing).
    assert!(!out.stdout.contains("proposed: branch"), "{}", out.stdout);
    // Without 是否接通 the calls do not read: the answered flags are proposed by their content.
    let calls = std::fs::read_to_string(w.join("in/calls.csv")).unwrap().replace("是否接通", "状态");
    w.write("in/calls.csv", calls);
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("proposed: answered <- C「状态」: 100% yes/no values"), "{}", out.stdout);
    // Orders whose branch column has no alias: proposed because its values are the branch
    // names another input uses (the surveys' 分公司).
    w.write("in/calls.csv", "来电时间,等待时长,是否接通\n2026-10-01 09:00,5,是\n");
    w.write(
        "in/orders.csv",
        "工单号,工单类型,区域,受理时间\nT1,投诉,东区,2026-10-02 09:00\nT2,投诉,西区,2026-10-03 09:00\n",
    );
    w.write("in/surveys.csv", "回访时间,回访结果,分公司\n2026-10-05 10:00,成功,东区\n2026-10-05 11:00,成功,西区\n");
    let out = w.run(&["check", "--lang", "en", "--input", "in", "--month", "2026-10"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("proposed: branch <- C「区域」: 100% known branch names"), "{}", out.stdout);
}

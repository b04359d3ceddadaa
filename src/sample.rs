//! `svcq sample`: a deterministic generator of realistic, messy monthly exports.
//!
//! It writes hotline calls, fault / install / complaint work orders and callback surveys the
//! way real systems export them (title rows above the header, merged titles, several sheets,
//! an explanatory sheet that is not data, header variants with units and full-width
//! brackets, mixed date forms, numeric phone numbers, GBK CSV, overlapping exports with
//! duplicates and conflicting re-exports, rows of neighbouring months, and a few bad rows).
//! Every row's fate is decided here, so the true ledger is known: it is written to the
//! hidden file `.truth.txt` in the output folder (ingest skips hidden files), one line
//! per sheet: `file|sheet|read|used|out_of_period|duplicates|rejected`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDateTime, Timelike};
use rust_xlsxwriter::{Format as XFormat, FormatAlign, Workbook};

use crate::month::Month;

/// File formats for `svcq sample`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    /// xlsx for calls and work orders, GBK CSV for surveys (what a real month looks like).
    Mixed,
    /// Every file xlsx.
    Xlsx,
    /// Every file CSV (calls UTF-8, the rest GBK).
    Csv,
    /// xlsx within Excel 97 limits (≤ 65,536 rows per sheet), ready to save as .xls.
    XlsCompatible,
    /// Every workbook an HTML page of tables named .xls (GBK, as web systems write them).
    HtmlXls,
    /// Every workbook an XML Spreadsheet 2003 file named .xls.
    XmlXls,
}

/// Options of one run.
pub struct SampleOptions {
    /// The month the exports are for.
    pub month: Month,
    /// Output folder.
    pub out: PathBuf,
    /// Size multiplier (1 = a few thousand rows).
    pub scale: f64,
    /// File formats.
    pub format: SampleFormat,
    /// Random seed.
    pub seed: u64,
    /// Calls per file (default: two files at small scale, 400,000 per file at large scale).
    pub calls_per_file: Option<usize>,
}

/// The true accounting of one written sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetTruth {
    /// File name.
    pub file: String,
    /// Sheet name (CSV: file stem).
    pub sheet: String,
    /// Data rows written below the header.
    pub read: u64,
    /// Rows the month uses.
    pub used: u64,
    /// Rows of other months.
    pub out_of_period: u64,
    /// Repeated rows.
    pub duplicates: u64,
    /// Bad rows.
    pub rejected: u64,
}

/// What was written.
#[derive(Debug, Default)]
pub struct Truth {
    /// Files written.
    pub files: Vec<String>,
    /// Per sheet.
    pub sheets: Vec<SheetTruth>,
    /// Calls used in the month.
    pub calls: u64,
    /// Work orders used in the month.
    pub orders: u64,
    /// Surveys used in the month.
    pub surveys: u64,
}

impl Truth {
    /// The `.truth.txt` text.
    pub fn to_text(&self) -> String {
        let mut s = String::from("# file|sheet|read|used|out_of_period|duplicates|rejected\n");
        for t in &self.sheets {
            let _ = writeln!(
                s,
                "{}|{}|{}|{}|{}|{}|{}",
                t.file, t.sheet, t.read, t.used, t.out_of_period, t.duplicates, t.rejected
            );
        }
        s
    }

    /// Parse a `.truth.txt` text.
    pub fn parse(text: &str) -> Vec<SheetTruth> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                let n = |i: usize| f.get(i).and_then(|v| v.parse().ok());
                Some(SheetTruth {
                    file: f.first()?.to_string(),
                    sheet: f.get(1)?.to_string(),
                    read: n(2)?,
                    used: n(3)?,
                    out_of_period: n(4)?,
                    duplicates: n(5)?,
                    rejected: n(6)?,
                })
            })
            .collect()
    }
}

/// SplitMix64: a small, fast, portable PRNG; the same seed gives the same files everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    /// Weighted pick: weights need not sum to 1.
    fn weighted<'a, T>(&mut self, v: &'a [(T, f64)]) -> &'a T {
        let total: f64 = v.iter().map(|x| x.1).sum();
        let mut x = self.unit() * total;
        for (item, w) in v {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &v[v.len() - 1].0
    }
    /// Log-normal-ish positive value with the given median and spread.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        // Box–Muller
        let (u1, u2) = (self.unit().max(1e-12), self.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        median * (sigma * z).exp()
    }
}

/// A value in a generated row.
#[derive(Debug, Clone)]
enum Val {
    Empty,
    Text(String),
    Num(f64),
    /// A real date cell in workbooks; formatted text in CSV.
    Date(NaiveDateTime),
}

fn t(s: impl Into<String>) -> Val {
    Val::Text(s.into())
}

/// How a date is written when it is written as text.
#[derive(Clone, Copy)]
enum DateStyle {
    /// Real date cell (xlsx) / `2026-10-05 08:05:00` (CSV).
    Cell,
    Dash,
    Slash,
    Chinese,
    Compact,
}

fn date_val(d: NaiveDateTime, style: DateStyle) -> Val {
    match style {
        DateStyle::Cell => Val::Date(d),
        DateStyle::Dash => t(d.format("%Y-%m-%d %H:%M:%S").to_string()),
        DateStyle::Slash => t(d.format("%Y/%-m/%-d %-H:%M").to_string()),
        DateStyle::Chinese => t(d.format("%Y年%-m月%-d日 %-H时%-M分").to_string()),
        DateStyle::Compact => t(d.format("%Y%m%d%H%M%S").to_string()),
    }
}

/// Where rows go: a workbook sheet or a CSV file.
trait Sink {
    fn begin_sheet(&mut self, name: &str) -> anyhow::Result<()>;
    fn title(&mut self, text: &str, ncols: u16) -> anyhow::Result<()>;
    fn blank(&mut self);
    fn row(&mut self, vals: &[Val]) -> anyhow::Result<()>;
    fn finish(self: Box<Self>, path: &Path) -> anyhow::Result<()>;
}

struct XlsxSink {
    wb: Workbook,
    sheet: Option<usize>,
    row: u32,
    date: XFormat,
    title: XFormat,
    header: XFormat,
    header_next: bool,
}

impl XlsxSink {
    fn new() -> Self {
        XlsxSink {
            wb: Workbook::new(),
            sheet: None,
            row: 0,
            date: XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            title: XFormat::new().set_bold().set_font_size(14).set_align(FormatAlign::Center),
            header: XFormat::new().set_bold(),
            header_next: false,
        }
    }
}

impl Sink for XlsxSink {
    fn begin_sheet(&mut self, name: &str) -> anyhow::Result<()> {
        let ws = self.wb.add_worksheet_with_constant_memory()?;
        ws.set_name(name)?;
        ws.set_column_range_width(0, 20, 16)?;
        self.sheet = Some(self.sheet.map_or(0, |i| i + 1));
        self.row = 0;
        self.header_next = true;
        Ok(())
    }
    fn title(&mut self, text: &str, ncols: u16) -> anyhow::Result<()> {
        let ws = self.wb.worksheet_from_index(self.sheet.unwrap_or(0))?;
        ws.merge_range(self.row, 0, self.row, ncols.saturating_sub(1), text, &self.title)?;
        self.row += 1;
        Ok(())
    }
    fn blank(&mut self) {
        self.row += 1;
    }
    fn row(&mut self, vals: &[Val]) -> anyhow::Result<()> {
        let ws = self.wb.worksheet_from_index(self.sheet.unwrap_or(0))?;
        let header = std::mem::take(&mut self.header_next);
        for (c, v) in vals.iter().enumerate() {
            let c = c as u16;
            match v {
                Val::Empty => {}
                Val::Text(s) if header => {
                    ws.write_string_with_format(self.row, c, s, &self.header)?;
                }
                Val::Text(s) => {
                    ws.write_string(self.row, c, s)?;
                }
                Val::Num(n) => {
                    ws.write_number(self.row, c, *n)?;
                }
                Val::Date(d) => {
                    ws.write_datetime_with_format(self.row, c, d, &self.date)?;
                }
            }
        }
        self.row += 1;
        Ok(())
    }
    fn finish(mut self: Box<Self>, path: &Path) -> anyhow::Result<()> {
        let created = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 1)?;
        let props = rust_xlsxwriter::DocProperties::new().set_creation_datetime(&created);
        self.wb.set_properties(&props);
        self.wb.save(path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Enc {
    Utf8Bom,
    Gbk,
}

struct CsvSink {
    enc: Enc,
    text: String,
}

impl Sink for CsvSink {
    fn begin_sheet(&mut self, _name: &str) -> anyhow::Result<()> {
        Ok(())
    }
    fn title(&mut self, text: &str, _ncols: u16) -> anyhow::Result<()> {
        self.text.push_str(text);
        self.text.push_str("\r\n");
        Ok(())
    }
    fn blank(&mut self) {
        self.text.push_str("\r\n");
    }
    fn row(&mut self, vals: &[Val]) -> anyhow::Result<()> {
        for (i, v) in vals.iter().enumerate() {
            if i > 0 {
                self.text.push(',');
            }
            let s = match v {
                Val::Empty => String::new(),
                Val::Text(s) => s.clone(),
                Val::Num(n) => crate::ingest::value::format_number(*n),
                Val::Date(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
            };
            if s.contains([',', '"', '\n']) {
                let _ = write!(self.text, "\"{}\"", s.replace('"', "\"\""));
            } else {
                self.text.push_str(&s);
            }
        }
        self.text.push_str("\r\n");
        Ok(())
    }
    fn finish(self: Box<Self>, path: &Path) -> anyhow::Result<()> {
        let bytes = match self.enc {
            Enc::Utf8Bom => {
                let mut b = vec![0xEF, 0xBB, 0xBF];
                b.extend_from_slice(self.text.as_bytes());
                b
            }
            Enc::Gbk => encoding_rs::GBK.encode(&self.text).0.into_owned(),
        };
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// Text of a cell as a web page or XML shows it.
fn cell_text(v: &Val) -> String {
    match v {
        Val::Empty => String::new(),
        Val::Text(s) => s.clone(),
        Val::Num(n) => crate::ingest::value::format_number(*n),
        Val::Date(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// Markup-escape text.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An HTML page with one table per sheet, as web systems export "Excel" files.
struct HtmlSink {
    enc: Enc,
    text: String,
    open: bool,
}

impl HtmlSink {
    fn close_table(&mut self) {
        if std::mem::take(&mut self.open) {
            self.text.push_str("</table>\n");
        }
    }
}

impl Sink for HtmlSink {
    fn begin_sheet(&mut self, _name: &str) -> anyhow::Result<()> {
        self.close_table();
        self.text.push_str("<table border=\"1\" cellspacing=\"0\">\n");
        self.open = true;
        Ok(())
    }
    fn title(&mut self, text: &str, ncols: u16) -> anyhow::Result<()> {
        let _ = writeln!(self.text, "<tr><td colspan=\"{ncols}\" align=\"center\"><b>{}</b></td></tr>", escape(text));
        Ok(())
    }
    fn blank(&mut self) {
        self.text.push_str("<tr></tr>\n");
    }
    fn row(&mut self, vals: &[Val]) -> anyhow::Result<()> {
        self.text.push_str("<tr>");
        for v in vals {
            let t = escape(&cell_text(v));
            match v {
                Val::Text(_) => {
                    let _ = write!(self.text, "<td style=\"mso-number-format:'\\@'\">{t}</td>");
                }
                _ => {
                    let _ = write!(self.text, "<td>{t}</td>");
                }
            }
        }
        self.text.push_str("</tr>\n");
        Ok(())
    }
    fn finish(mut self: Box<Self>, path: &Path) -> anyhow::Result<()> {
        self.close_table();
        let charset = if self.enc == Enc::Gbk { "gb2312" } else { "utf-8" };
        let page = format!(
            "<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\">\n<head>\n\
             <meta http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\">\n\
             <style>td {{ font-size: 12px; }}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
            self.text
        );
        let bytes = match self.enc {
            Enc::Gbk => encoding_rs::GBK.encode(&page).0.into_owned(),
            Enc::Utf8Bom => page.into_bytes(),
        };
        std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// An XML Spreadsheet 2003 workbook (typed cells, `ss:Index` gaps, a merged title).
struct XmlSink {
    text: String,
    open: bool,
    /// The next row number, and whether the last row was skipped (blank).
    row: u32,
    gap: bool,
}

impl XmlSink {
    fn close_sheet(&mut self) {
        if std::mem::take(&mut self.open) {
            self.text.push_str("  </Table>\n </Worksheet>\n");
        }
    }

    fn open_row(&mut self) {
        if std::mem::take(&mut self.gap) {
            let _ = write!(self.text, "   <Row ss:Index=\"{}\">", self.row);
        } else {
            self.text.push_str("   <Row>");
        }
    }
}

impl Sink for XmlSink {
    fn begin_sheet(&mut self, name: &str) -> anyhow::Result<()> {
        self.close_sheet();
        let _ = write!(self.text, " <Worksheet ss:Name=\"{}\">\n  <Table>\n", escape(name));
        self.open = true;
        self.row = 1;
        self.gap = false;
        Ok(())
    }
    fn title(&mut self, text: &str, ncols: u16) -> anyhow::Result<()> {
        self.open_row();
        let _ = writeln!(
            self.text,
            "<Cell ss:MergeAcross=\"{}\" ss:StyleID=\"t\"><Data ss:Type=\"String\">{}</Data></Cell></Row>",
            ncols.saturating_sub(1),
            escape(text)
        );
        self.row += 1;
        Ok(())
    }
    fn blank(&mut self) {
        self.row += 1;
        self.gap = true;
    }
    fn row(&mut self, vals: &[Val]) -> anyhow::Result<()> {
        self.open_row();
        let mut skipped = false;
        for (i, v) in vals.iter().enumerate() {
            let index = if std::mem::take(&mut skipped) { format!(" ss:Index=\"{}\"", i + 1) } else { String::new() };
            match v {
                Val::Empty => {
                    skipped = true;
                    continue;
                }
                Val::Text(t) => {
                    let _ = write!(self.text, "<Cell{index}><Data ss:Type=\"String\">{}</Data></Cell>", escape(t));
                }
                Val::Num(n) => {
                    let _ = write!(self.text, "<Cell{index}><Data ss:Type=\"Number\">{n}</Data></Cell>");
                }
                Val::Date(d) => {
                    let _ = write!(
                        self.text,
                        "<Cell{index} ss:StyleID=\"d\"><Data ss:Type=\"DateTime\">{}</Data></Cell>",
                        d.format("%Y-%m-%dT%H:%M:%S%.3f")
                    );
                }
            }
        }
        self.text.push_str("</Row>\n");
        self.row += 1;
        Ok(())
    }
    fn finish(mut self: Box<Self>, path: &Path) -> anyhow::Result<()> {
        self.close_sheet();
        let doc = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<?mso-application progid=\"Excel.Sheet\"?>\n\
             <Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" \
             xmlns:o=\"urn:schemas-microsoft-com:office:office\" \
             xmlns:x=\"urn:schemas-microsoft-com:office:excel\" \
             xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\">\n \
             <Styles>\n  <Style ss:ID=\"d\"><NumberFormat ss:Format=\"yyyy\\-mm\\-dd\\ hh:mm:ss\"/></Style>\n  \
             <Style ss:ID=\"t\"><Font ss:Bold=\"1\"/></Style>\n </Styles>\n{}</Workbook>\n",
            self.text
        );
        std::fs::write(path, doc).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

/// A file being written, with the truth of its sheets.
struct FileOut {
    name: String,
    csv: bool,
    html: bool,
    sink: Box<dyn Sink>,
    sheets: Vec<SheetTruth>,
}

impl FileOut {
    fn new(name: String, format: SampleFormat, csv_enc: Enc) -> FileOut {
        let csv = format == SampleFormat::Csv || name.ends_with(".csv");
        let web = matches!(format, SampleFormat::HtmlXls | SampleFormat::XmlXls);
        let name = if csv && !name.ends_with(".csv") {
            name.replace(".xlsx", ".csv")
        } else if web {
            name.replace(".xlsx", ".xls").replace(".csv", ".xls")
        } else {
            name
        };
        let html = format == SampleFormat::HtmlXls;
        let sink: Box<dyn Sink> = if csv {
            Box::new(CsvSink { enc: csv_enc, text: String::new() })
        } else if html {
            Box::new(HtmlSink { enc: csv_enc, text: String::new(), open: false })
        } else if format == SampleFormat::XmlXls {
            Box::new(XmlSink { text: String::new(), open: false, row: 1, gap: false })
        } else {
            Box::new(XlsxSink::new())
        };
        FileOut { name, csv: csv && !web, html, sink, sheets: Vec::new() }
    }

    fn sheet(&mut self, name: &str) -> anyhow::Result<()> {
        self.sink.begin_sheet(name)?;
        let sheet = if self.csv {
            self.name.trim_end_matches(".csv").to_string()
        } else if self.html {
            format!("Table{}", self.sheets.len() + 1)
        } else {
            name.to_string()
        };
        self.sheets.push(SheetTruth { file: self.name.clone(), sheet, ..Default::default() });
        Ok(())
    }

    fn cur(&mut self) -> &mut SheetTruth {
        self.sheets.last_mut().expect("a sheet was begun")
    }

    /// A data row with its fate.
    fn data(&mut self, vals: &[Val], fate: Fate) -> anyhow::Result<()> {
        self.sink.row(vals)?;
        let s = self.cur();
        s.read += 1;
        match fate {
            Fate::Used => s.used += 1,
            Fate::OutOfPeriod => s.out_of_period += 1,
            Fate::Duplicate => s.duplicates += 1,
            Fate::Rejected => s.rejected += 1,
        }
        Ok(())
    }

    fn finish(self, dir: &Path, truth: &mut Truth) -> anyhow::Result<()> {
        self.sink.finish(&dir.join(&self.name))?;
        truth.files.push(self.name);
        truth.sheets.extend(self.sheets);
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Fate {
    Used,
    OutOfPeriod,
    Duplicate,
    Rejected,
}

/// The hour-of-day profile of calls and orders: (hour, weight).
const HOUR_WEIGHTS: &[(i64, f64)] = &[
    (8, 6.0),
    (9, 10.0),
    (10, 11.0),
    (11, 10.0),
    (12, 6.0),
    (13, 6.0),
    (14, 9.0),
    (15, 9.0),
    (16, 8.0),
    (17, 7.0),
    (18, 5.0),
    (19, 5.0),
    (20, 4.0),
    (21, 3.0),
    (22, 1.0),
    (7, 1.5),
    (23, 0.5),
];

/// What a complaint says and how it was settled, in the words of the exports.
fn complaint_text(r: &mut Rng, category: &str) -> (String, String) {
    let n = 10 + r.below(90);
    let (content, result): (String, &str) = match category {
        "费用争议" => {
            let result = format!("经核查为客户误点订购的增值业务，已退订并退费{n}元，客户表示认可。");
            return (format!("客户反映近期话费比平时多扣{n}元，称未订购任何增值业务，要求核实并退还。"), result);
        }
        "网络质量" => (
            r.pick(&[
                "宽带晚上频繁掉线，已报修多次仍未解决，客户情绪激动。",
                "家中手机信号差，室内基本无法通话，要求尽快处理。",
                "宽带网速远低于签约速率，测速只有十几兆。",
            ])
            .to_string(),
            "已安排网络优化人员上门测试，调整设备后恢复正常，客户满意。",
        ),
        "装维服务" => (
            r.pick(&["装维人员预约后未按时上门，客户等待半天。", "装维人员上门态度生硬，未清理施工垃圾。"]).to_string(),
            "已向客户致歉，对装维人员进行考核并加强培训。",
        ),
        "营业服务" => (
            "营业厅排队时间过长，工作人员解释不清套餐内容。".into(),
            "已向客户解释套餐内容并致歉，营业厅增加高峰时段窗口。",
        ),
        "业务办理" => {
            (format!("客户{n}天前申请办理宽带移机，至今未办理完成。"), "已协调装维部门加急处理，移机已完成。")
        }
        _ => ("光猫使用不到半年即损坏，要求免费更换。".into(), "已为客户免费更换光猫。"),
    };
    (content, result.to_string())
}

/// The place-name part of a branch's site names: 雁江分公司 → 雁江.
fn site_stem(branch: &str) -> &str {
    branch.trim_end_matches("分公司")
}

const BRANCHES: &[&str] = &[
    "城区分公司",
    "东区分公司",
    "西区分公司",
    "北区分公司",
    "雁江分公司",
    "安岳分公司",
    "乐至分公司",
    "简阳分公司",
    "南区分公司",
    "高新分公司",
    "临江分公司",
    "石桥分公司",
    "丹山分公司",
    "龙台分公司",
    "通贤分公司",
    "石羊分公司",
];

/// A work order as generated (kept to link surveys and to write re-exports).
#[derive(Clone)]
struct GenOrder {
    id: String,
    branch: usize,
    vals: Vec<Val>,
    completed_col: Option<usize>,
    completed: Option<NaiveDateTime>,
    in_period: bool,
}

struct Gen<'a> {
    o: &'a SampleOptions,
    rng: Rng,
    branches: Vec<&'static str>,
    /// Per-branch quality skew, so branches differ visibly.
    skill: Vec<f64>,
    truth: Truth,
    /// In-period orders by type, for surveys.
    survey_targets: Vec<(String, usize)>,
}

/// Write a month of sample exports into `o.out`.
pub fn generate(o: &SampleOptions) -> anyhow::Result<Truth> {
    std::fs::create_dir_all(&o.out).with_context(|| format!("creating {}", o.out.display()))?;
    let rng = Rng(o.seed ^ (o.month.year as u64 * 100 + o.month.month as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let nb = if o.scale >= 50.0 { 16 } else { 8 };
    let branches: Vec<&'static str> = BRANCHES[..nb].to_vec();
    // Branch skill is fixed by the seed, not the month, so months are comparable.
    let mut skill_rng = Rng(o.seed);
    let skill = (0..nb).map(|_| skill_rng.unit()).collect();
    let mut g = Gen { o, rng, branches, skill, truth: Truth::default(), survey_targets: Vec::new() };
    g.calls()?;
    g.faults()?;
    g.installs()?;
    g.complaints()?;
    g.surveys()?;
    let text = g.truth.to_text();
    std::fs::write(o.out.join(".truth.txt"), text).context("writing .truth.txt")?;
    Ok(g.truth)
}

impl Gen<'_> {
    fn n(&self, base: f64) -> usize {
        (base * self.o.scale).round().max(1.0) as usize
    }

    fn stamp(&self) -> String {
        format!("{}{:02}", self.o.month.year, self.o.month.month)
    }

    /// A time in the month with a daytime-heavy hour profile; `day` fixes the day.
    fn time_on(&mut self, day: i64) -> NaiveDateTime {
        let hour = *self.rng.weighted(HOUR_WEIGHTS);
        let secs = hour * 3600 + self.rng.below(3600) as i64;
        self.o.month.start() + Duration::days(day) + Duration::seconds(secs)
    }

    fn time_in_month(&mut self) -> NaiveDateTime {
        let day = self.rng.below(self.o.month.days() as usize) as i64;
        self.time_on(day)
    }

    fn branch(&mut self) -> usize {
        // Bigger branches first: city branches carry more traffic.
        let weights: Vec<(usize, f64)> = (0..self.branches.len()).map(|i| (i, 1.0 / (1.0 + i as f64 * 0.25))).collect();
        *self.rng.weighted(&weights)
    }

    fn file(&self, name: &str, csv_enc: Enc) -> FileOut {
        FileOut::new(name.to_string(), self.o.format, csv_enc)
    }

    fn rows_per_sheet(&self) -> usize {
        if self.o.format == SampleFormat::XlsCompatible {
            65_000
        } else {
            1_000_000
        }
    }

    fn calls(&mut self) -> anyhow::Result<()> {
        let n = self.n(3000.0);
        let days = self.o.month.days();
        let nfiles = match self.o.calls_per_file {
            Some(k) => n.div_ceil(k.clamp(1, self.rows_per_sheet())),
            None => {
                let per_file = if self.o.format == SampleFormat::XlsCompatible { 60_000 } else { 400_000 };
                n.div_ceil(per_file).max(2)
            }
        };
        let header = |answer_word: &str| {
            [
                "呼叫流水号",
                "来电时间",
                "分公司",
                "技能组",
                "坐席工号",
                "主叫号码",
                answer_word,
                "通话时长(秒)",
                "等待时长（秒）",
                "是否一次解决",
            ]
            .map(t)
        };
        let callers: usize = (n as f64 * 0.8) as usize + 10;
        let mut seq = 0usize;
        let mut carry: Vec<Vec<Val>> = Vec::new();
        for f in 0..nfiles {
            let name = format!("话务明细-{}-{:02}.xlsx", self.stamp(), f + 1);
            // As CSV: GBK and UTF-8 with BOM alternate, as different call systems write them.
            let mut out = self.file(&name, if f % 2 == 0 { Enc::Gbk } else { Enc::Utf8Bom });
            out.sheet("话务明细")?;
            if f == 0 {
                out.sink.title(&format!("{}年{}月人工话务明细", self.o.month.year, self.o.month.month), 10)?;
                out.sink.blank();
            }
            let text_dates = f % 2 == 1;
            out.sink.row(&header(if f % 2 == 0 { "是否接通" } else { "人工接通" }))?;
            // The previous file's last rows again: overlapping exports.
            for vals in carry.drain(..) {
                out.data(&vals, Fate::Duplicate)?;
            }
            let d0 = days * f as i64 / nfiles as i64;
            let d1 = days * (f as i64 + 1) / nfiles as i64;
            let count = n / nfiles + usize::from(f < n % nfiles);
            if f == 0 {
                // A few calls of the last evening of the previous month.
                for _ in 0..self.n(12.0) {
                    let when = self.o.month.start() - Duration::minutes(1 + self.rng.below(300) as i64);
                    let vals = self.call_row(&mut seq, when, callers, text_dates, 1_000_000);
                    out.data(&vals, Fate::OutOfPeriod)?;
                }
            }
            let mut rows = Vec::with_capacity(count);
            for _ in 0..count {
                let day = d0 + self.rng.below((d1 - d0).max(1) as usize) as i64;
                rows.push(self.time_on(day));
            }
            rows.sort();
            for (i, when) in rows.into_iter().enumerate() {
                let bad = self.rng.chance(0.002);
                let mut vals = self.call_row(&mut seq, when, callers, text_dates, i);
                if bad {
                    match self.rng.below(3) {
                        0 => vals[1] = t(format!("{}-{:02}-32 09:15", self.o.month.year, self.o.month.month)),
                        1 => vals[8] = t("约30秒"),
                        _ => vals[1] = Val::Empty,
                    }
                }
                let fate = if bad { Fate::Rejected } else { Fate::Used };
                out.data(&vals, fate)?;
                if !bad && f + 1 < nfiles && i + self.n(5.0) >= count {
                    carry.push(vals);
                }
            }
            if f + 1 == nfiles {
                for _ in 0..self.n(10.0) {
                    let when = self.o.month.end() + Duration::minutes(self.rng.below(600) as i64);
                    let vals = self.call_row(&mut seq, when, callers, text_dates, 1_000_000);
                    out.data(&vals, Fate::OutOfPeriod)?;
                }
            }
            out.finish(&self.o.out, &mut self.truth)?;
        }
        self.truth.calls = self.truth.sheets.iter().map(|s| s.used).sum();
        Ok(())
    }

    fn call_row(
        &mut self,
        seq: &mut usize,
        when: NaiveDateTime,
        callers: usize,
        text_dates: bool,
        i: usize,
    ) -> Vec<Val> {
        *seq += 1;
        let b = self.branch();
        let answer_p = 0.86 + 0.12 * self.skill[b];
        let answered = self.rng.chance(answer_p);
        let wait = if answered {
            self.rng.lognormal(4.0 + 5.0 * (1.0 - self.skill[b]), 0.8).min(600.0).round()
        } else {
            (5.0 + self.rng.unit() * 110.0).round()
        };
        let talk = if answered { (30.0 + self.rng.lognormal(150.0, 0.8)).min(3600.0).round() } else { 0.0 };
        let caller = 13_300_000_000u64 + (self.rng.below(callers) as u64 * 7919) % 99_999_999;
        let date = if text_dates {
            date_val(when, if i.is_multiple_of(3) { DateStyle::Slash } else { DateStyle::Dash })
        } else {
            date_val(when, DateStyle::Cell)
        };
        let answered_val = if text_dates {
            Val::Num(if answered { 1.0 } else { 0.0 })
        } else {
            t(if answered { "是" } else { "否" })
        };
        let resolved = if answered { t(if self.rng.chance(0.82) { "是" } else { "否" }) } else { Val::Empty };
        vec![
            t(format!("C{}{:08}", when.format("%Y%m%d"), *seq)),
            date,
            t(self.branches[b]),
            t(*self.rng.pick(&["宽带", "移动", "固话", "政企", "综合"])),
            Val::Num(1000.0 + (self.rng.below(1_000_000) % self.agent_pool(when)) as f64),
            Val::Num(caller as f64),
            answered_val,
            Val::Num(talk),
            Val::Num(wait),
            resolved,
        ]
    }

    /// How many agents answer in the hour of `when` (SPEC §7.6's sample): about three times
    /// the traffic plus four, but on weekday mornings 09:00–11:00 only 0.8 of it — an
    /// understaffed morning the staffing section shows.
    fn agent_pool(&self, when: NaiveDateTime) -> usize {
        let total: f64 = HOUR_WEIGHTS.iter().map(|w| w.1).sum();
        let weight = HOUR_WEIGHTS.iter().find(|w| w.0 == i64::from(when.hour())).map_or(0.5, |w| w.1);
        // Erlangs in a 30-minute interval: calls per day × the hour's share ÷ 2 × ~200 s ÷ 1800 s.
        let calls_per_day = 3000.0 * self.o.scale / f64::from(self.o.month.days() as u32);
        let erlangs = calls_per_day * weight / total / 2.0 * 200.0 / 1800.0;
        let morning = (9..11).contains(&when.hour()) && when.weekday().num_days_from_monday() < 5;
        let pool = if morning { erlangs * 0.8 } else { erlangs * 3.0 + 4.0 };
        (pool.round() as usize).max(1)
    }

    fn order_header() -> Vec<Val> {
        [
            "工单编号",
            "工单类型",
            "所属分公司",
            "产品",
            "用户号码",
            "受理时间",
            "承诺时间",
            "修复时间",
            "责任部门",
            "故障现象",
            "故障原因",
            "是否预处理",
            "局站",
        ]
        .map(t)
        .to_vec()
    }

    fn faults(&mut self) -> anyhow::Result<()> {
        let n = self.n(420.0);
        let file_name = format!("故障工单-{}.xlsx", self.stamp());
        let mut main = self.file(&file_name, Enc::Gbk);
        let mut supplement: Vec<(GenOrder, Fate)> = Vec::new();
        let sheets: [(&str, &[(&str, f64)]); 2] = [
            ("宽带故障", &[("E8", 5.0), ("E8-2", 2.0), ("E6", 1.0), ("E9", 2.0), ("ADSL", 3.0), ("iTV", 1.0)]),
            ("固话及C网故障", &[("固话", 2.0), ("C网", 1.0)]),
        ];
        let mut seq = 0;
        let mut customers: Vec<Vec<String>> = vec![Vec::new(); 8];
        for (si, (sheet, products)) in sheets.iter().enumerate() {
            if main.csv && si > 0 {
                main.finish(&self.o.out, &mut self.truth)?;
                main = self.file(&format!("故障工单-{}-{}.csv", self.stamp(), sheet), Enc::Gbk);
            }
            main.sheet(sheet)?;
            main.sink
                .title(&format!("资阳电信{}年{}月{}工单明细", self.o.month.year, self.o.month.month, sheet), 12)?;
            main.sink.blank();
            main.sink.row(&Self::order_header())?;
            let count = if si == 0 { n * 4 / 5 } else { n - n * 4 / 5 };
            let count = count.min(self.rows_per_sheet());
            for _ in 0..count {
                let pi = {
                    let idx: Vec<(usize, f64)> = products.iter().enumerate().map(|(i, p)| (i, p.1)).collect();
                    *self.rng.weighted(&idx)
                };
                let product = products[pi].0;
                let slot = (si * 6 + pi) % customers.len();
                // Out of period: reported in the days before the month, or on the 1st of the next.
                let fate_roll = self.rng.unit();
                let created = if fate_roll < 0.02 {
                    self.o.month.start() - Duration::hours(1 + self.rng.below(240) as i64)
                } else if fate_roll < 0.025 {
                    self.o.month.end() + Duration::hours(self.rng.below(20) as i64)
                } else {
                    self.time_in_month()
                };
                let in_period = self.o.month.contains(created);
                let b = self.branch();
                let repeat = self.rng.chance(0.03 + 0.06 * (1.0 - self.skill[b])) && !customers[slot].is_empty();
                let customer = if repeat {
                    let c = &customers[slot];
                    c[self.rng.below(c.len())].clone()
                } else {
                    let id = match product {
                        "固话" => format!("0832{:07}", self.rng.below(9_999_999)),
                        "C网" => format!("{}", 13_308_000_000u64 + self.rng.below(999_999) as u64),
                        _ => format!("zy{}{:07}", product.to_lowercase().replace('-', ""), self.rng.below(9_999_999)),
                    };
                    customers[slot].push(id.clone());
                    id
                };
                seq += 1;
                let mut order = self.fault_order(seq, b, product, &customer, created);
                order.in_period = in_period;
                let bad = self.rng.chance(0.005);
                if bad {
                    match self.rng.below(3) {
                        0 => order.vals[4] = t("-"),
                        1 => order.vals[5] = t(format!("{}-{:02}-32 09:00", self.o.month.year, self.o.month.month)),
                        _ => order.vals[2] = Val::Empty,
                    }
                    main.data(&order.vals, Fate::Rejected)?;
                    continue;
                }
                // Re-exports: an identical copy, or a copy completed later (a conflict).
                let roll = self.rng.unit();
                if in_period && roll < 0.015 {
                    main.data(&order.vals, if in_period { Fate::Used } else { Fate::OutOfPeriod })?;
                    supplement.push((order.clone(), Fate::Duplicate));
                } else if in_period && roll < 0.02 && order.completed.is_some() {
                    // The main export has the earlier completion: its row is the duplicate.
                    main.data(&order.vals, Fate::Duplicate)?;
                    let mut later = order.clone();
                    let done = order.completed.map(|d| d + Duration::minutes(30 + self.rng.below(600) as i64));
                    later.vals[order.completed_col.unwrap_or(7)] = done.map_or(Val::Empty, Val::Date);
                    supplement.push((later, Fate::Used));
                } else {
                    main.data(&order.vals, if in_period { Fate::Used } else { Fate::OutOfPeriod })?;
                }
                if in_period {
                    self.survey_targets.push((order.id.clone(), order.branch));
                }
            }
            if si == 0 {
                self.incidents(&mut main, &mut customers[0], &mut seq)?;
            }
        }
        if !main.csv {
            // A sheet of notes that is not data: reported as matching no kind.
            main.sheet("说明")?;
            main.sink.row(&[t("本表由综合服务保障系统导出，仅供内部质量分析使用。")])?;
            main.sink.row(&[t("导出时间"), t(format!("{}-01 02:00", self.o.month.next()))])?;
        }
        main.finish(&self.o.out, &mut self.truth)?;
        let mut sup = self.file(&format!("故障工单-补充导出-{}.xlsx", self.stamp()), Enc::Gbk);
        sup.sheet("Sheet1")?;
        sup.sink.row(&Self::order_header())?;
        for (order, fate) in supplement {
            sup.data(&order.vals, fate)?;
        }
        sup.finish(&self.o.out, &mut self.truth)?;
        Ok(())
    }

    /// Mass faults (SPEC §7.4): bursts of E8 reports at one site, a few minutes apart, all
    /// restored together; one customer in five had reported before (a repeat caused by the
    /// outage). Then a near miss: a burst one customer short of `incidents.min_customers`.
    fn incidents(&mut self, main: &mut FileOut, known: &mut Vec<String>, seq: &mut usize) -> anyhow::Result<()> {
        let n = (2.0 * self.o.scale.sqrt()).round().max(1.0) as usize;
        let days = self.o.month.days() as usize;
        for k in 0..=n {
            let near_miss = k == n;
            let b = self.branch();
            let site = format!("{}{}", site_stem(self.branches[b]), 5300 + k);
            let customers = if near_miss { 19 } else { 20 + self.rng.below(30) };
            let day = self.rng.below(days.saturating_sub(2).max(1)) as i64;
            let mut created = self.o.month.start()
                + Duration::days(day)
                + Duration::hours(8 + self.rng.below(10) as i64)
                + Duration::minutes(self.rng.below(60) as i64);
            let restored_after = Duration::minutes(90 + self.rng.below(240) as i64);
            let restored = created + restored_after;
            let phenomenon = *self.rng.pick(&["无法上网", "频繁掉线"]);
            let mut seen = std::collections::HashSet::new();
            for _ in 0..customers {
                let earlier =
                    (!known.is_empty() && self.rng.chance(0.2)).then(|| known[self.rng.below(known.len())].clone());
                let customer = if let Some(c) = earlier.filter(|c| !seen.contains(c)) {
                    c
                } else {
                    let id = format!("zye8{:07}", self.rng.below(9_999_999));
                    known.push(id.clone());
                    id
                };
                seen.insert(customer.clone());
                *seq += 1;
                let mut order = self.fault_order(*seq, b, "E8", &customer, created);
                // Restored together when the site comes back (the last report may be later).
                let done = restored.max(created + Duration::minutes(10));
                order.vals[7] = Val::Date(done);
                order.vals[9] = t(phenomenon);
                order.vals[10] = t("设备故障");
                order.vals[12] = t(site.clone());
                main.data(&order.vals, Fate::Used)?;
                self.survey_targets.push((order.id.clone(), order.branch));
                created += Duration::minutes(1 + self.rng.below(12) as i64);
            }
        }
        Ok(())
    }

    fn fault_order(&mut self, seq: usize, b: usize, product: &str, customer: &str, created: NaiveDateTime) -> GenOrder {
        let skill = self.skill[b];
        let hours = self.rng.lognormal(4.0 + 6.0 * (1.0 - skill), 0.8).min(24.0 * 12.0);
        let mut completed = Some(created + Duration::seconds((hours * 3600.0) as i64));
        if self.rng.chance(0.03) || completed.is_some_and(|c| c >= self.o.month.end() + Duration::days(1)) {
            completed = None; // still open at export time
        }
        let phenomena: &[&str] = match product {
            "固话" => &["无拨号音", "杂音", "单通", "无法呼出"],
            "C网" => &["无信号", "通话断续", "无法上网"],
            "iTV" => &["IPTV无画面", "画面卡顿", "无法开机"],
            _ => &["无法上网", "网速慢", "频繁掉线", "无法拨号"],
        };
        let causes: &[(&str, f64)] = &[
            ("查中自复", 17.0),
            ("用户方网线故障", 15.0),
            ("光电转换器故障", 9.0),
            ("光猫故障", 12.0),
            ("线路故障", 14.0),
            ("设备故障", 8.0),
            ("不明原因", 4.0),
            ("用户原因", 10.0),
            ("欠费停机", 3.0),
        ];
        let id = format!("GZ{}{:07}", created.format("%Y%m"), seq);
        let commit =
            if self.rng.chance(0.1) { date_val(created + Duration::hours(24), DateStyle::Cell) } else { Val::Empty };
        let customer_val = if product == "C网" { Val::Num(customer.parse().unwrap_or(0.0)) } else { t(customer) };
        let done_val = completed.map_or_else(|| if self.rng.chance(0.5) { Val::Empty } else { t("NULL") }, Val::Date);
        let vals = vec![
            t(id.clone()),
            t(*self.rng.pick(&["故障", "障碍", "宽带故障", "申告"])),
            t(self.branches[b]),
            t(product),
            customer_val,
            date_val(created, DateStyle::Cell),
            commit,
            done_val,
            t(format!("{}装维部", self.branches[b].trim_end_matches("分公司"))),
            t(*self.rng.pick(phenomena)),
            if completed.is_some() { t(*self.rng.weighted(causes)) } else { Val::Empty },
            t(if self.rng.chance(0.3 + 0.4 * skill) { "是" } else { "否" }),
            // Broadband reports mostly name their access site; phones are placed by number.
            if !matches!(product, "固话" | "C网") && self.rng.chance(0.6) {
                t(format!("{}{}", site_stem(self.branches[b]), 5000 + self.rng.below(200)))
            } else {
                Val::Empty
            },
        ];
        GenOrder { id, branch: b, vals, completed_col: Some(7), completed, in_period: true }
    }

    fn installs(&mut self) -> anyhow::Result<()> {
        let n = self.n(200.0).min(self.rows_per_sheet());
        let other = self.n(30.0);
        let mut out = self.file(&format!("装移机工单-{}.xlsx", self.stamp()), Enc::Gbk);
        out.sheet("装移机")?;
        out.sink.row(
            &["工单号", "工单类型", "分公司", "产品类型", "业务号码", "派单时间", "预约时间", "竣工时间", "处理部门"]
                .map(t),
        )?;
        for i in 0..n + other {
            let b = self.branch();
            let created = self.time_in_month();
            let is_other = i >= n;
            let kind = if is_other { "拆机" } else { *self.rng.pick(&["新装", "移机", "装移机", "新装"]) };
            let product = *self.rng.pick(&["E8", "E8", "E9", "iTV", "固话", "E6"]);
            let appointed = !is_other && self.rng.chance(0.93 + 0.05 * self.skill[b]);
            let appt = created + Duration::hours(24 + 24 * self.rng.below(4) as i64);
            let date_only = self.rng.chance(0.3);
            let appt_val = if !appointed {
                Val::Empty
            } else if date_only {
                t(appt.format("%Y-%m-%d").to_string())
            } else {
                date_val(appt, DateStyle::Cell)
            };
            let deadline = if date_only { appt.date().and_hms_opt(23, 59, 59).unwrap_or(appt) } else { appt };
            let late = self.rng.chance(0.01 + 0.06 * (1.0 - self.skill[b]));
            let done = if late {
                deadline + Duration::hours(2 + self.rng.below(72) as i64)
            } else {
                appt - Duration::minutes(30 + self.rng.below(600) as i64)
            };
            let done = done.max(created + Duration::hours(1));
            let done_val =
                if self.rng.chance(0.05) || done >= self.o.month.end() { Val::Empty } else { Val::Date(done) };
            let style = if i % 4 == 0 { DateStyle::Chinese } else { DateStyle::Cell };
            let mut vals = vec![
                t(format!("ZJ{}{:06}", created.format("%Y%m"), i + 1)),
                t(kind),
                t(self.branches[b]),
                t(product),
                Val::Num(18_000_000_000.0 + self.rng.below(900_000_000) as f64),
                date_val(created, style),
                appt_val,
                done_val,
                t(format!("{}客户经理部", self.branches[b].trim_end_matches("分公司"))),
            ];
            let bad = self.rng.chance(0.004);
            if bad {
                vals[6] = t("待定");
            }
            out.data(&vals, if bad { Fate::Rejected } else { Fate::Used })?;
            if !bad && !is_other {
                self.survey_targets.push((vals[0].text(), b));
            }
        }
        out.finish(&self.o.out, &mut self.truth)?;
        Ok(())
    }

    fn complaints(&mut self) -> anyhow::Result<()> {
        let n = self.n(100.0).min(self.rows_per_sheet());
        let mut out = self.file(&format!("投诉工单-{}.xlsx", self.stamp()), Enc::Gbk);
        out.sheet("投诉明细")?;
        out.sink.title(&format!("{}年{}月投诉工单明细", self.o.month.year, self.o.month.month), 12)?;
        out.sink.row(
            &[
                "受理单号",
                "单据类型",
                "区县分公司",
                "业务品牌",
                "客户号码",
                "受理时间",
                "要求完成时间",
                "归档时间",
                "承办部门",
                "投诉来源",
                "投诉分类",
                "是否有理由",
                "一次关单",
                "投诉内容",
                "处理结果",
                "回单规范",
                "人为差错",
            ]
            .map(t),
        )?;
        let channels: &[(&str, f64)] = &[
            ("10000号", 60.0),
            ("营业厅", 12.0),
            ("网上营业厅", 8.0),
            ("工信部", 1.5),
            ("省公司", 3.0),
            ("集团网站", 2.0),
            ("总经理热线", 2.5),
            ("12315", 1.0),
        ];
        let categories: &[(&str, f64)] = &[
            ("费用争议", 25.0),
            ("网络质量", 22.0),
            ("装维服务", 18.0),
            ("营业服务", 12.0),
            ("业务办理", 14.0),
            ("产品质量", 9.0),
        ];
        for i in 0..n {
            let b = self.branch();
            let created = self.time_in_month();
            let channel = *self.rng.weighted(channels);
            let dept = if self.rng.chance(0.25) {
                (*self.rng.pick(&["城区公众客户部", "客户服务部", "网络运维部"])).to_string()
            } else {
                self.branches[b].to_string()
            };
            let hours = self.rng.lognormal(12.0 + 16.0 * (1.0 - self.skill[b]), 0.6);
            let done = created + Duration::seconds((hours * 3600.0) as i64);
            let done_val =
                if done >= self.o.month.end() || self.rng.chance(0.02) { Val::Empty } else { Val::Date(done) };
            let style = if i % 5 == 0 { DateStyle::Compact } else { DateStyle::Cell };
            // Drawn in the order the row's cells were drawn before the texts existed.
            let product = *self.rng.pick(&["E8", "E9", "C网", "固话", "iTV"]);
            let customer = Val::Num(13_300_000_000.0 + self.rng.below(99_999_999) as f64);
            let category = *self.rng.weighted(categories);
            // The texts and the §7.1 flags come from their own stream, so every other column
            // (and every later file) is what it was before they existed.
            let mut words = Rng(self.o.seed ^ 0x7E57_CA5E ^ (i as u64).wrapping_mul(0x9E37_79B9));
            let (content, result) = complaint_text(&mut words, category);
            let closed = !matches!(done_val, Val::Empty);
            let vals = vec![
                t(format!("TS{}{:05}", created.format("%Y%m"), i + 1)),
                t("投诉"),
                t(self.branches[b]),
                t(product),
                customer,
                date_val(created, style),
                Val::Empty,
                done_val,
                t(dept),
                t(channel),
                t(category),
                t(if self.rng.chance(0.35) { "是" } else { "否" }),
                t(if self.rng.chance(0.85) { "是" } else { "否" }),
                t(content),
                if closed { t(result) } else { Val::Empty },
                if closed { t(if words.chance(0.9) { "是" } else { "否" }) } else { Val::Empty },
                t(if words.chance(0.06) { "是" } else { "否" }),
            ];
            out.data(&vals, Fate::Used)?;
            self.survey_targets.push((vals[0].text(), b));
        }
        out.finish(&self.o.out, &mut self.truth)?;
        self.truth.orders = self.truth.sheets.iter().filter(|s| s.file.contains("工单")).map(|s| s.used).sum();
        Ok(())
    }

    fn surveys(&mut self) -> anyhow::Result<()> {
        let n = self.n(300.0).min(self.rows_per_sheet());
        let enc = Enc::Gbk;
        let name = if self.o.format == SampleFormat::Mixed || self.o.format == SampleFormat::Csv {
            format!("回访明细-{}.csv", self.stamp())
        } else {
            format!("回访明细-{}.xlsx", self.stamp())
        };
        let mut out = self.file(&name, enc);
        out.sheet("回访明细")?;
        out.sink.row(
            &[
                "回访流水号",
                "关联工单号",
                "分公司",
                "回访时间",
                "回访结果",
                "满意度",
                "处理及时",
                "服务态度",
                "不满意原因",
            ]
            .map(t),
        )?;
        let targets = std::mem::take(&mut self.survey_targets);
        for i in 0..n {
            let (order_id, b) =
                if targets.is_empty() { (String::new(), 0) } else { targets[self.rng.below(targets.len())].clone() };
            let roll = self.rng.unit();
            let when = if roll < 0.01 {
                self.o.month.start() - Duration::hours(3 + self.rng.below(40) as i64)
            } else {
                self.time_in_month()
            };
            let contacted = self.rng.chance(0.6);
            let result =
                if contacted { "成功" } else { *self.rng.pick(&["无人接听", "关机", "拒访", "失败"]) };
            let satisfied_p = 0.88 + 0.11 * self.skill[b];
            let (sat, timely, attitude, reason) = if contacted {
                let s = self.rng.chance(satisfied_p);
                let sat = if self.rng.chance(0.05) {
                    t(if s { "5" } else { "2" })
                } else if s {
                    t(*self.rng.pick(&["非常满意", "满意", "满意", "基本满意"]))
                } else {
                    t(*self.rng.pick(&["一般", "不满意", "非常不满意"]))
                };
                let timely = t(if self.rng.chance(satisfied_p) { "是" } else { "否" });
                let att = t(if self.rng.chance(satisfied_p + 0.03) { "满意" } else { "不满意" });
                let reason = if s {
                    Val::Empty
                } else {
                    t(*self.rng.pick(&[
                        "维修不及时",
                        "多次上门未解决",
                        "费用解释不清",
                        "=HYPERLINK(\"http://x\",\"点此\")",
                    ]))
                };
                (sat, timely, att, reason)
            } else {
                (Val::Empty, Val::Empty, Val::Empty, Val::Empty)
            };
            // Branch left empty: filled from the work order; a few cannot be.
            let branch_roll = self.rng.unit();
            let (branch, order_val, rejected) = if branch_roll < 0.05 {
                (Val::Empty, t(order_id.clone()), false)
            } else if branch_roll < 0.053 {
                (Val::Empty, t(format!("WX{:08}", 90_000_000 + i)), true)
            } else {
                (t(self.branches[b]), t(order_id.clone()), false)
            };
            let mut vals = vec![
                t(format!("HF{}{:06}", when.format("%Y%m"), i + 1)),
                order_val,
                branch,
                date_val(when, if i % 2 == 0 { DateStyle::Slash } else { DateStyle::Dash }),
                t(result),
                sat,
                timely,
                attitude,
                reason,
            ];
            let bad_time = !rejected && self.rng.chance(0.004);
            if bad_time {
                vals[3] = t("十月五日");
            }
            let fate = if rejected || bad_time {
                Fate::Rejected
            } else if self.o.month.contains(when) {
                Fate::Used
            } else {
                Fate::OutOfPeriod
            };
            out.data(&vals, fate)?;
        }
        out.finish(&self.o.out, &mut self.truth)?;
        self.truth.surveys = self.truth.sheets.last().map_or(0, |s| s.used);
        Ok(())
    }
}

impl Val {
    fn text(&self) -> String {
        match self {
            Val::Text(s) => s.clone(),
            _ => String::new(),
        }
    }
}

//! Where generated rows go: xlsx (rust_xlsxwriter), CSV in UTF-8 or GBK, HTML and XML
//! Spreadsheet 2003 pages named .xls, each file with the truth of its sheets.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use chrono::NaiveDateTime;
use rust_xlsxwriter::{Format as XFormat, FormatAlign, Workbook};

use super::{Fate, SampleFormat, SheetTruth, Truth};

/// A value in a generated row.
#[derive(Debug, Clone)]
pub(super) enum Val {
    Empty,
    Text(String),
    Num(f64),
    /// A real date cell in workbooks; formatted text in CSV.
    Date(NaiveDateTime),
}

pub(super) fn t(s: impl Into<String>) -> Val {
    Val::Text(s.into())
}

/// How a date is written when it is written as text.
#[derive(Clone, Copy)]
pub(super) enum DateStyle {
    /// Real date cell (xlsx) / `2026-10-05 08:05:00` (CSV).
    Cell,
    Dash,
    Slash,
    Chinese,
    Compact,
}

pub(super) fn date_val(d: NaiveDateTime, style: DateStyle) -> Val {
    match style {
        DateStyle::Cell => Val::Date(d),
        DateStyle::Dash => t(d.format("%Y-%m-%d %H:%M:%S").to_string()),
        DateStyle::Slash => t(d.format("%Y/%-m/%-d %-H:%M").to_string()),
        DateStyle::Chinese => t(d.format("%Y年%-m月%-d日 %-H时%-M分").to_string()),
        DateStyle::Compact => t(d.format("%Y%m%d%H%M%S").to_string()),
    }
}

/// Where rows go: a workbook sheet or a CSV file.
pub(super) trait Sink {
    fn begin_sheet(&mut self, name: &str) -> anyhow::Result<()>;
    fn title(&mut self, text: &str, ncols: u16) -> anyhow::Result<()>;
    fn blank(&mut self);
    fn row(&mut self, vals: &[Val]) -> anyhow::Result<()>;
    fn finish(self: Box<Self>, path: &Path) -> anyhow::Result<()>;
}

pub(super) struct XlsxSink {
    wb: Workbook,
    sheet: Option<usize>,
    row: u32,
    date: XFormat,
    title: XFormat,
    header: XFormat,
    header_next: bool,
}

impl XlsxSink {
    pub(super) fn new() -> Self {
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
pub(super) enum Enc {
    Utf8Bom,
    Gbk,
}

pub(super) struct CsvSink {
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
pub(super) fn cell_text(v: &Val) -> String {
    match v {
        Val::Empty => String::new(),
        Val::Text(s) => s.clone(),
        Val::Num(n) => crate::ingest::value::format_number(*n),
        Val::Date(d) => d.format("%Y-%m-%d %H:%M:%S").to_string(),
    }
}

/// Markup-escape text.
pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// An HTML page with one table per sheet, as web systems export "Excel" files.
pub(super) struct HtmlSink {
    enc: Enc,
    text: String,
    open: bool,
}

impl HtmlSink {
    pub(super) fn close_table(&mut self) {
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
pub(super) struct XmlSink {
    text: String,
    open: bool,
    /// The next row number, and whether the last row was skipped (blank).
    row: u32,
    gap: bool,
}

impl XmlSink {
    pub(super) fn close_sheet(&mut self) {
        if std::mem::take(&mut self.open) {
            self.text.push_str("  </Table>\n </Worksheet>\n");
        }
    }

    pub(super) fn open_row(&mut self) {
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
pub(super) struct FileOut {
    name: String,
    pub(super) csv: bool,
    html: bool,
    pub(super) sink: Box<dyn Sink>,
    sheets: Vec<SheetTruth>,
}

impl FileOut {
    pub(super) fn new(name: String, format: SampleFormat, csv_enc: Enc) -> FileOut {
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

    pub(super) fn sheet(&mut self, name: &str) -> anyhow::Result<()> {
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

    pub(super) fn cur(&mut self) -> &mut SheetTruth {
        self.sheets.last_mut().expect("a sheet was begun")
    }

    /// A data row with its fate.
    pub(super) fn data(&mut self, vals: &[Val], fate: Fate) -> anyhow::Result<()> {
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

    pub(super) fn finish(self, dir: &Path, truth: &mut Truth) -> anyhow::Result<()> {
        self.sink.finish(&dir.join(&self.name))?;
        truth.files.push(self.name);
        truth.sheets.extend(self.sheets);
        Ok(())
    }
}

impl Val {
    pub(super) fn text(&self) -> String {
        match self {
            Val::Text(s) => s.clone(),
            _ => String::new(),
        }
    }
}

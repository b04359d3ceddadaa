//! Web-system exports: an HTML page of `<table>`s or an XML Spreadsheet 2003 file, usually
//! named `.xls` (NGCC, 综调 and portal exports; Excel opens them with a warning). Each is
//! read as a workbook: one sheet per HTML table, one per XML worksheet.
//!
//! Choices (docs/inputs.md, "Input rules"): an HTML sheet is named by the table's `<caption>`, else
//! `Table<N>`; its row numbers count the table's `<tr>`s from 1. Merged cells (colspan,
//! rowspan, `ss:MergeAcross`, `ss:MergeDown`) hold their value in the top-left cell and
//! leave the cells they cover empty, as Excel shows them. HTML cells are text (so ids keep
//! their digits, as `mso-number-format:'\@'` asks); `<br>` is a line break; entities are
//! decoded; runs of white space are one space. XML cells keep their `ss:Type`.

use std::borrow::Cow;
use std::cell::RefCell;
use std::path::Path;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts};
use quick_xml::events::Event;

use super::format::{Format, ReadError, RowVisitor};
use super::value::{parse_datetime_text, Cell};

/// Which markup a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    /// An HTML page with at least one table.
    Html,
    /// An XML Spreadsheet 2003 workbook.
    Xml2003,
}

/// Decode a markup file: a BOM, else the charset its head declares (`<meta charset>`,
/// `content="…; charset=…"`, `<?xml encoding=…?>`), else UTF-8 when valid, else GB18030.
pub(crate) fn decode(bytes: &[u8]) -> (Cow<'_, str>, &'static str) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text, enc.name());
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    let declared = ["charset=", "encoding="].iter().find_map(|key| {
        let at = head.find(key)? + key.len();
        let rest = head[at..].trim_start_matches(['"', '\'', ' ']);
        let label: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        encoding_rs::Encoding::for_label(label.as_bytes())
    });
    if let Some(enc) = declared {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return (text, enc.name());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), "UTF-8"),
        Err(_) => (encoding_rs::GB18030.decode_without_bom_handling(bytes).0, "GBK/GB18030"),
    }
}

/// What a markup text is: XML 2003 by its namespace, HTML by a `<table>`.
pub(crate) fn classify(text: &str) -> Option<Markup> {
    let head = &text[..text.floor_char_boundary(text.len().min(8192))];
    if head.contains("urn:schemas-microsoft-com:office:spreadsheet") && head.contains("<Workbook") {
        return Some(Markup::Xml2003);
    }
    // "<table" in any case, without copying the (possibly large) page.
    let has_table = memchr::memchr_iter(b'<', text.as_bytes())
        .any(|i| text.as_bytes().get(i + 1..i + 6).is_some_and(|t| t.eq_ignore_ascii_case(b"table")));
    has_table.then_some(Markup::Html)
}

/// Read an HTML page's tables as sheets.
pub(crate) fn read_html(text: &str, visitor: &mut dyn RowVisitor) {
    let sink = HtmlSink { state: RefCell::new(HtmlState::default()), visitor: RefCell::new(visitor) };
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(text));
    let tok = Tokenizer::new(sink, TokenizerOpts::default());
    let _ = tok.feed(&input);
    tok.end();
}

/// One table being read.
#[derive(Default)]
struct TableState {
    /// Rows seen (`<tr>`), the current row's number.
    row: u32,
    /// A row is open (its cells not yet handed over).
    open: bool,
    /// Cells of the current row, by column.
    cells: Vec<String>,
    /// Rows still covered by a rowspan, by column.
    covered: Vec<u32>,
    /// The cell being read: its column and text.
    cell: Option<(usize, String)>,
    /// The caption's text, while reading it.
    caption: Option<String>,
    /// Whether the sheet was begun (at the first row or caption).
    begun: bool,
    /// The table's index in the page (1-based).
    index: usize,
}

#[derive(Default)]
struct HtmlState {
    tables: Vec<TableState>,
    count: usize,
    /// Inside `<script>`, `<style>` or the like: text is not data.
    raw: bool,
}

struct HtmlSink<'v, 'w> {
    state: RefCell<HtmlState>,
    visitor: RefCell<&'v mut (dyn RowVisitor + 'w)>,
}

/// Collapse white space as a browser does (a `<br>` arrives as '\n' and is kept).
fn push_text(out: &mut String, s: &str) {
    for c in s.chars() {
        let c = if c == '\u{a0}' { ' ' } else { c };
        if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\u{c}' {
            if !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
}

impl HtmlSink<'_, '_> {
    fn begin(&self, t: &mut TableState) {
        if !t.begun {
            t.begun = true;
            let name = t.caption.take().filter(|c| !c.trim().is_empty()).unwrap_or_else(|| format!("Table{}", t.index));
            self.visitor.borrow_mut().begin_sheet(name.trim(), Format::Html, false);
        }
    }

    fn end_cell(t: &mut TableState) {
        if let Some((col, text)) = t.cell.take() {
            if t.cells.len() <= col {
                t.cells.resize(col + 1, String::new());
            }
            t.cells[col] = text.trim().to_string();
        }
    }

    fn end_row(&self, t: &mut TableState) {
        Self::end_cell(t);
        if !std::mem::take(&mut t.open) {
            return;
        }
        let cells: Vec<Cell<'_>> =
            t.cells.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text(Cow::Borrowed(s)) }).collect();
        if cells.iter().any(|c| !c.is_blank()) {
            self.visitor.borrow_mut().row(t.row, &cells);
        }
        t.cells.clear();
        for c in &mut t.covered {
            *c = c.saturating_sub(1);
        }
    }

    fn tag(&self, kind: TagKind, name: &str, attr: impl Fn(&str) -> Option<String>) -> TokenSinkResult<()> {
        let mut st = self.state.borrow_mut();
        match (kind, name) {
            (TagKind::StartTag, "script" | "style" | "textarea" | "title") => {
                use html5ever::tokenizer::states::RawKind;
                st.raw = true;
                return TokenSinkResult::RawData(match name {
                    "script" => RawKind::ScriptData,
                    "style" => RawKind::Rawtext,
                    _ => RawKind::Rcdata,
                });
            }
            (TagKind::EndTag, "script" | "style" | "textarea" | "title") => st.raw = false,
            (TagKind::StartTag, "table") => {
                if let Some(t) = st.tables.last_mut() {
                    // A table inside a cell: its text belongs to that cell.
                    if t.cell.is_some() {
                        st.tables.push(TableState { index: 0, begun: true, ..Default::default() });
                        return TokenSinkResult::Continue;
                    }
                }
                st.count += 1;
                let index = st.count;
                st.tables.push(TableState { index, ..Default::default() });
            }
            (TagKind::EndTag, "table") => {
                if let Some(mut t) = st.tables.pop() {
                    if t.index == 0 {
                        return TokenSinkResult::Continue; // a nested table
                    }
                    self.end_row(&mut t);
                    if t.begun {
                        self.visitor.borrow_mut().end_sheet();
                    }
                }
            }
            _ => {}
        }
        let nested = st.tables.last().is_some_and(|t| t.index == 0);
        let Some(t) = st.tables.last_mut() else { return TokenSinkResult::Continue };
        if nested {
            if name == "br" || name == "tr" || name == "p" {
                drop(st);
                self.chars("\n");
            }
            return TokenSinkResult::Continue;
        }
        match (kind, name) {
            (TagKind::StartTag, "caption") => t.caption = Some(String::new()),
            (TagKind::EndTag, "caption") => {}
            (TagKind::StartTag, "tr") => {
                self.end_row(t);
                self.begin(t);
                t.row += 1;
                t.open = true;
            }
            (TagKind::EndTag, "tr") => self.end_row(t),
            (TagKind::StartTag, "td" | "th") => {
                if !t.open {
                    // A cell outside any <tr>: browsers open a row for it.
                    self.begin(t);
                    t.row += 1;
                    t.open = true;
                }
                Self::end_cell(t);
                let next = t.cells.len().max(t.cell.as_ref().map_or(0, |c| c.0 + 1));
                let mut col = next;
                while t.covered.get(col).is_some_and(|r| *r > 0) {
                    col += 1;
                }
                let span = |a: &str| attr(a).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, 1000);
                let (colspan, rowspan) = (span("colspan"), span("rowspan"));
                if t.cells.len() < col + colspan {
                    t.cells.resize(col + colspan, String::new());
                }
                if rowspan > 1 {
                    if t.covered.len() < col + colspan {
                        t.covered.resize(col + colspan, 0);
                    }
                    for c in &mut t.covered[col..col + colspan] {
                        *c = (*c).max(rowspan as u32);
                    }
                }
                t.cell = Some((col, String::new()));
            }
            (TagKind::EndTag, "td" | "th") => Self::end_cell(t),
            (TagKind::StartTag, "br") | (TagKind::EndTag, "br") => {
                if let Some((_, text)) = &mut t.cell {
                    let trimmed = text.trim_end_matches(' ').len();
                    text.truncate(trimmed);
                    text.push('\n');
                }
            }
            (TagKind::StartTag, "p" | "div") => {
                if let Some((_, text)) = &mut t.cell {
                    if !text.trim().is_empty() && !text.ends_with('\n') {
                        text.push('\n');
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn chars(&self, s: &str) {
        let mut st = self.state.borrow_mut();
        if st.raw {
            return;
        }
        let depth = st.tables.len();
        // Text goes to the innermost cell of an outer (non-nested) table.
        let Some(pos) = st.tables.iter().rposition(|t| t.index != 0) else { return };
        let t = &mut st.tables[pos];
        if pos + 1 < depth || t.cell.is_some() {
            if let Some((_, text)) = &mut t.cell {
                push_text(text, s);
            }
        } else if let Some(c) = &mut t.caption {
            push_text(c, s);
        }
    }
}

impl TokenSink for HtmlSink<'_, '_> {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_ascii_lowercase();
                let attrs = &tag.attrs;
                let attr = |n: &str| {
                    attrs.iter().find(|a| (*a.name.local).eq_ignore_ascii_case(n)).map(|a| a.value.to_string())
                };
                let r = self.tag(tag.kind, &name, attr);
                if tag.self_closing && tag.kind == TagKind::StartTag && matches!(name.as_str(), "td" | "th") {
                    let mut st = self.state.borrow_mut();
                    if let Some(t) = st.tables.last_mut() {
                        Self::end_cell(t);
                    }
                }
                r
            }
            Token::CharacterTokens(s) => {
                self.chars(&s);
                TokenSinkResult::Continue
            }
            Token::EOFToken => {
                let mut st = self.state.borrow_mut();
                while let Some(mut t) = st.tables.pop() {
                    if t.index != 0 {
                        self.end_row(&mut t);
                        if t.begun {
                            self.visitor.borrow_mut().end_sheet();
                        }
                    }
                }
                TokenSinkResult::Continue
            }
            _ => TokenSinkResult::Continue,
        }
    }
}

/// Read an XML Spreadsheet 2003 workbook.
pub(crate) fn read_xml2003(path: &Path, text: &str, visitor: &mut dyn RowVisitor) -> Result<(), ReadError> {
    let corrupt = |message: String| ReadError::Corrupt { path: path.to_path_buf(), format: "XML Spreadsheet", message };
    let mut reader = quick_xml::Reader::from_str(text);
    let mut in_sheet = false;
    let mut row = 0u32;
    let mut cells: Vec<Cell<'static>> = Vec::new();
    let mut covered: Vec<u32> = Vec::new();
    let mut col = 0usize;
    // The cell being read: column, type, text; and whether we are inside its <Data>.
    let mut cell: Option<(usize, String, String)> = None;
    let mut in_data = false;
    let mut row_open = false;
    loop {
        let event = reader.read_event().map_err(|e| corrupt(format!("{e} at byte {}", reader.buffer_position())))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) if e.local_name().as_ref() == "Worksheet" => {
                let name = attr(e, "Name").unwrap_or_else(|| "Sheet1".into());
                visitor.begin_sheet(&name, Format::Xml2003, false);
                in_sheet = matches!(event, Event::Start(_));
                if !in_sheet {
                    visitor.end_sheet(); // <Worksheet/>: an empty sheet
                }
                row = 0;
                covered.clear();
            }
            Event::End(e) if e.local_name().as_ref() == "Worksheet" => {
                if in_sheet {
                    visitor.end_sheet();
                }
                in_sheet = false;
            }
            Event::Start(ref e) | Event::Empty(ref e) if in_sheet && e.local_name().as_ref() == "Row" => {
                let next = row + 1;
                row = attr(e, "Index").and_then(|v| v.parse::<u32>().ok()).filter(|i| *i >= next).unwrap_or(next);
                cells.clear();
                col = 0;
                row_open = matches!(event, Event::Start(_));
                if !row_open {
                    for c in &mut covered {
                        *c = c.saturating_sub(1);
                    }
                }
                let span = attr(e, "Span").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0).min(1_048_576);
                row += span;
            }
            Event::End(e) if in_sheet && e.local_name().as_ref() == "Row" => {
                if cells.iter().any(|c| !c.is_blank()) {
                    visitor.row(row, &cells);
                }
                for c in &mut covered {
                    *c = c.saturating_sub(1);
                }
                row_open = false;
            }
            Event::Start(ref e) | Event::Empty(ref e) if row_open && e.local_name().as_ref() == "Cell" => {
                let index = attr(e, "Index").and_then(|v| v.parse::<usize>().ok()).filter(|i| (1..=16_384).contains(i));
                col = match index {
                    Some(i) => i - 1,
                    None => {
                        let mut c = col;
                        while covered.get(c).is_some_and(|r| *r > 0) {
                            c += 1;
                        }
                        c
                    }
                };
                let across = attr(e, "MergeAcross").and_then(|v| v.parse::<usize>().ok()).unwrap_or(0).min(16_384);
                let down = attr(e, "MergeDown").and_then(|v| v.parse::<u32>().ok()).unwrap_or(0).min(1_048_576);
                if down > 0 {
                    if covered.len() < col + across + 1 {
                        covered.resize(col + across + 1, 0);
                    }
                    for c in &mut covered[col..=col + across] {
                        *c = (*c).max(down + 1);
                    }
                }
                if matches!(event, Event::Start(_)) {
                    cell = Some((col, String::new(), String::new()));
                }
                col += across + 1;
            }
            Event::End(e) if e.local_name().as_ref() == "Cell" => {
                if let Some((c, typ, text)) = cell.take() {
                    if c < 16_384 {
                        if cells.len() <= c {
                            cells.resize(c + 1, Cell::Empty);
                        }
                        cells[c] = typed(&typ, text);
                    }
                }
            }
            Event::Start(ref e) if cell.is_some() && e.local_name().as_ref() == "Data" => {
                if let Some((_, typ, _)) = &mut cell {
                    *typ = attr(e, "Type").unwrap_or_default();
                }
                in_data = true;
            }
            Event::End(e) if e.local_name().as_ref() == "Data" => in_data = false,
            Event::Text(t) if in_data => {
                if let Some((_, _, text)) = &mut cell {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if in_data => {
                if let Some((_, _, text)) = &mut cell {
                    let name = AsRef::<str>::as_ref(&r).to_string();
                    text.push_str(&entity(&name).ok_or_else(|| corrupt(format!("unknown entity &{name};")))?);
                }
            }
            Event::CData(t) if in_data => {
                if let Some((_, _, text)) = &mut cell {
                    text.push_str(t.as_ref());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if in_sheet {
        return Err(corrupt("the file ends inside a worksheet".into()));
    }
    Ok(())
}

/// An XML entity reference: the five predefined and numeric character references.
fn entity(name: &str) -> Option<String> {
    Some(match name {
        "lt" => "<".into(),
        "gt" => ">".into(),
        "amp" => "&".into(),
        "apos" => "'".into(),
        "quot" => "\"".into(),
        _ => {
            let n = match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => name.strip_prefix('#')?.parse().ok()?,
            };
            char::from_u32(n)?.to_string()
        }
    })
}

/// An attribute by local name (`ss:Index` and `Index` alike).
fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// A cell by its `ss:Type`.
fn typed(typ: &str, text: String) -> Cell<'static> {
    match typ {
        "Number" => text.trim().parse().map_or(Cell::Text(text.into()), Cell::Number),
        "Boolean" => Cell::Bool(text.trim() == "1"),
        "DateTime" => {
            let t = text.trim();
            let t = t.strip_suffix(".000").unwrap_or(t);
            match parse_datetime_text(&t.replace('T', " ")) {
                Some((dt, _)) => Cell::DateTime(dt),
                None => Cell::Text(text.into()),
            }
        }
        "Error" => Cell::Error(text),
        _ if text.is_empty() => Cell::Empty,
        _ => Cell::Text(text.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sheet as read: its name and its (row number, cell texts).
    type Sheet = (String, Vec<(u32, Vec<String>)>);

    #[derive(Default)]
    struct Rows(Vec<Sheet>);

    impl RowVisitor for Rows {
        fn begin_sheet(&mut self, name: &str, _: Format, _: bool) {
            self.0.push((name.to_string(), Vec::new()));
        }
        fn row(&mut self, row: u32, cells: &[Cell<'_>]) {
            self.0.last_mut().unwrap().1.push((row, cells.iter().map(Cell::raw).collect()));
        }
        fn end_sheet(&mut self) {}
    }

    #[test]
    fn html_tables_with_spans_entities_and_breaks() {
        let html = r#"<html><head><meta charset="utf-8"><style>td { color: red }</style></head><body>
            <p>导出时间 2026-11-01</p>
            <table border=1>
              <tr><td colspan="3">2026年10月故障工单明细</td></tr>
              <tr><th>工单号</th><th>分公司</th><th>备注</th></tr>
              <tr><td style="mso-number-format:'\@'">0012</td><td rowspan=2>城区</td><td>A&amp;B<br>第二行</td></tr>
              <tr><td>0013</td><td>&lt;x&gt;&nbsp; y</td></tr>
            </table>
            <table><caption>汇总</caption><tr><td>1</td></tr></table>
            </body></html>"#;
        let mut rows = Rows::default();
        read_html(html, &mut rows);
        assert_eq!(rows.0.len(), 2);
        let (name, t) = &rows.0[0];
        assert_eq!(name, "Table1");
        assert_eq!(t[0], (1, vec!["2026年10月故障工单明细".into(), String::new(), String::new()]));
        assert_eq!(t[1].1, ["工单号", "分公司", "备注"]);
        assert_eq!(t[2], (3, vec!["0012".into(), "城区".into(), "A&B\n第二行".into()]));
        // The rowspan covers column B of row 4: the next cell moves to column C.
        assert_eq!(t[3], (4, vec!["0013".into(), String::new(), "<x> y".into()]));
        assert_eq!(rows.0[1].0, "汇总");
        assert_eq!(rows.0[1].1, [(1, vec!["1".to_string()])]);
    }

    #[test]
    fn xml2003_types_index_gaps_and_merges() {
        let xml = r#"<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="故障">
  <Table>
   <Row><Cell ss:MergeAcross="2"><Data ss:Type="String">标题</Data></Cell></Row>
   <Row ss:Index="3"><Cell><Data ss:Type="String">工单号</Data></Cell><Cell ss:Index="3"><Data ss:Type="String">时间</Data></Cell></Row>
   <Row><Cell ss:MergeDown="1"><Data ss:Type="Number">13350690999</Data></Cell><Cell><Data ss:Type="DateTime">2026-10-01T08:05:00.000</Data></Cell><Cell><Data ss:Type="String">a &amp; b&#10;c</Data></Cell></Row>
   <Row><Cell><Data ss:Type="Boolean">1</Data></Cell></Row>
  </Table>
 </Worksheet>
 <Worksheet ss:Name="空"/>
</Workbook>"#;
        let mut rows = Rows::default();
        read_xml2003(Path::new("x.xls"), xml, &mut rows).unwrap();
        assert_eq!(rows.0.len(), 2);
        let (name, t) = &rows.0[0];
        assert_eq!(name, "故障");
        assert_eq!(t[0], (1, vec!["标题".to_string()]));
        assert_eq!(t[1], (3, vec!["工单号".into(), String::new(), "时间".into()]));
        assert_eq!(t[2], (4, vec!["13350690999".into(), "2026-10-01 08:05:00".into(), "a & b\nc".into()]));
        // MergeDown covers column A of row 5: the cell moves to column B.
        assert_eq!(t[3], (5, vec![String::new(), "TRUE".into()]));
        assert!(rows.0[1].1.is_empty());
    }

    #[test]
    fn declared_charsets_and_classification() {
        let gbk = encoding_rs::GBK.encode("<meta http-equiv=Content-Type content=\"text/html; charset=gb2312\"><table><tr><td>分公司</td></tr></table>").0;
        let (text, enc) = decode(&gbk);
        assert_eq!(enc, "GBK");
        assert!(text.contains("分公司"));
        assert_eq!(classify(&text), Some(Markup::Html));
        assert_eq!(classify("<html><body>no tables</body></html>"), None);
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">";
        assert_eq!(classify(xml), Some(Markup::Xml2003));
    }
}

//! The Excel workbook (SPEC §4.2): one sheet per report section, tables formatted the way
//! analysts format them by hand, native Excel charts, every input string written as a string.

use rust_xlsxwriter::{
    Chart as XChart, ChartFormat, ChartLine, ChartLineDashType, ChartSolidFill, ChartType, Color,
    ConditionalFormatCell, ConditionalFormatCellRule, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder,
    Workbook, Worksheet, XlsxError,
};

mod body;

use crate::config::Lang;
use crate::metrics::defs::Unit;
use crate::report::{Chart, ChartKind, ColKind, Label, Report, Section, Table, V};

const GREEN_BG: u32 = 0xC6EFCE;
const GREEN_FG: u32 = 0x006100;
const RED_BG: u32 = 0xFFC7CE;
const RED_FG: u32 = 0x9C0006;
const HEADER_BG: u32 = 0xDDEBF7;
const BLUE: u32 = 0x2F6EBA;
const ORANGE: u32 = 0xED7D31;
const PALETTE: [u32; 8] = [0x2F6EBA, 0xED7D31, 0x70AD47, 0xFFC000, 0x5B9BD5, 0xA5A5A5, 0x9E480E, 0x264478];

/// Chart size in pixels and the rows a row of charts takes.
const CHART_W: u32 = 600;
const CHART_H: u32 = 300;
const CHART_ROWS: u32 = 17;

/// Widest text column (characters); longer texts wrap.
const TEXT_CAP: usize = 36;

/// Longest text Excel stores in a cell.
const MAX_CELL: usize = 32_767;

/// Cell formatting of one cell.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
struct Style {
    bold: bool,
    total: bool,
}

fn base(style: Style) -> Format {
    let mut f = Format::new().set_border(FormatBorder::Thin).set_border_color(Color::RGB(0xBFBFBF)).set_font_size(10);
    if style.bold || style.total {
        f = f.set_bold();
    }
    if style.total {
        f = f.set_border_top(FormatBorder::Double).set_background_color(Color::RGB(0xF2F2F2));
    }
    f
}

/// The sheet title (merged across the top row).
fn title_format() -> Format {
    Format::new().set_bold().set_font_size(14)
}

/// A narrative line (merged across the sheet).
fn narrative_format() -> Format {
    Format::new().set_text_wrap().set_font_size(10)
}

/// A table's title above its header.
fn table_title_format() -> Format {
    Format::new().set_bold().set_font_size(11).set_font_color(Color::RGB(BLUE))
}

/// A table's header cells.
fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_font_size(10)
        .set_border(FormatBorder::Thin)
        .set_background_color(Color::RGB(HEADER_BG))
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap()
}

/// A column filled in by hand.
fn fill_in_format() -> Format {
    Format::new().set_text_wrap()
}

/// The small-sample note under a sheet's tables.
fn note_format() -> Format {
    Format::new().set_italic().set_font_size(9).set_font_color(Color::RGB(0x595959))
}

fn met_colours(f: Format, met: Option<bool>) -> Format {
    match met {
        Some(true) => f.set_background_color(Color::RGB(GREEN_BG)).set_font_color(Color::RGB(GREEN_FG)),
        Some(false) => f.set_background_color(Color::RGB(RED_BG)).set_font_color(Color::RGB(RED_FG)),
        None => f,
    }
}

/// Display width of a text (CJK counts double).
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 2 } else { 1 }).sum()
}

/// [`width`] when it is at most `cap`, else `cap` or more. A character is never wider than
/// its UTF-8 bytes (double width starts at U+2E80, three bytes), so a text of `cap` bytes or
/// fewer is measured as it is and a longer one only until it passes `cap` (most detail cells
/// are short ids and names; a few are paragraphs).
fn width_upto(s: &str, cap: usize) -> usize {
    if s.len() <= cap {
        return width(s);
    }
    let mut w = 0;
    for c in s.chars() {
        w += if (c as u32) >= 0x2E80 { 2 } else { 1 };
        if w > cap {
            break;
        }
    }
    w
}

fn truncate(s: &str) -> &str {
    if s.len() <= MAX_CELL {
        return s;
    }
    let mut end = MAX_CELL;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

struct Writer<'a> {
    lang: Lang,
    ws: &'a mut Worksheet,
    /// The formats made so far, by look: a detail sheet writes a million cells of a dozen looks.
    formats: rustc_hash::FxHashMap<(Style, Look), Format>,
}

/// What a cell looks like, apart from its [`Style`]: everything its format depends on.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Look {
    Blank,
    Text { wrap: bool },
    Number(&'static str),
    Rate { small: bool, met: Option<bool> },
    Change { fmt: &'static str, bold: bool },
    Met(bool),
    Time,
}

fn format_of(style: Style, look: Look) -> Format {
    let f = base(style);
    match look {
        Look::Blank => f,
        Look::Text { wrap } => {
            if wrap {
                f.set_text_wrap()
            } else {
                f
            }
        }
        Look::Number(fmt) => f.set_num_format(fmt),
        Look::Rate { small, met } => {
            // A small sample keeps its numeric value and shows a trailing * (see the legend).
            let fmt = if small { "0.00%\"*\"" } else { "0.00%" };
            let f = met_colours(f.set_num_format(fmt), met);
            if small {
                f.set_italic()
            } else {
                f
            }
        }
        Look::Change { fmt, bold } => {
            let f = f.set_num_format(fmt);
            if bold {
                f.set_bold()
            } else {
                f
            }
        }
        Look::Met(m) => met_colours(f.set_align(FormatAlign::Center), Some(m)),
        Look::Time => f.set_num_format("yyyy-mm-dd hh:mm"),
    }
}

/// How a value looks in its cell.
fn look_of(v: &V, lang: Lang) -> Look {
    match v {
        V::Empty => Look::Blank,
        // Long texts (reasons, notes, formulas in words) wrap inside a capped width.
        V::Text(s) => Look::Text { wrap: width_upto(s, TEXT_CAP) > TEXT_CAP },
        V::Count(_) => Look::Number("#,##0"),
        V::Num(_, Unit::Hours | Unit::Seconds | Unit::Number) => Look::Number("#,##0.0"),
        V::Num(..) => Look::Number("#,##0.00"),
        V::Rate { small, met, .. } => Look::Rate { small: *small, met: *met },
        V::Change { unit, significant, .. } => {
            let fmt = match unit {
                Unit::Rate => Label::PercentPointsFormat.text(lang),
                Unit::Count => "+#,##0;-#,##0;0",
                _ => "+#,##0.0;-#,##0.0;0.0",
            };
            Look::Change { fmt, bold: *significant == Some(true) }
        }
        V::Met(m) => Look::Met(*m),
        V::Time(_) => Look::Time,
    }
}

/// Whether a table shows a small-sample rate (its sheet then gets the note).
fn has_small_rate(table: &Table) -> bool {
    table.rows.iter().chain(table.total.iter()).flatten().any(|v| matches!(v, V::Rate { small: true, .. }))
}

/// The formats [`sheet`] uses on a detail sheet, in the order it first uses them: the
/// workbook numbers the formats of its constant-memory sheets in that order, so registering
/// them in this order before the detail sheets are written on both cores keeps the styles
/// (and the file's bytes) what one core writing them in turn gives.
fn detail_formats(section: &Section, lang: Lang) -> Vec<Format> {
    let mut out = vec![title_format()];
    if !section.narrative.is_empty() {
        out.push(narrative_format());
    }
    let mut seen = rustc_hash::FxHashSet::default();
    let mut cell = |out: &mut Vec<Format>, style: Style, v: &V| {
        let look = look_of(v, lang);
        if seen.insert((style, look)) {
            out.push(format_of(style, look));
        }
    };
    for table in &section.tables {
        out.push(table_title_format());
        for c in 0..table.columns.len() {
            if c == 0 {
                out.push(header_format());
            }
            if table.kinds.get(c) == Some(&ColKind::FillIn) {
                out.push(fill_in_format());
            }
        }
        for v in table.rows.iter().flatten() {
            cell(&mut out, Style::default(), v);
        }
        for v in table.total.iter().flatten() {
            cell(&mut out, Style { bold: true, total: true }, v);
        }
    }
    if section.tables.iter().any(has_small_rate) {
        out.push(note_format());
    }
    out
}

impl Writer<'_> {
    /// One row of a table from column 0: the values first, unformatted, then each run of
    /// neighbouring cells that look alike gets its format in one call (the workbook looks a
    /// format up by hashing it: once a run, not once a cell, is most of a detail sheet's
    /// writing time saved). The formats are numbered in the order of first use, as before.
    fn row(&mut self, row: u32, cells: &[V], style: Style) -> Result<(), XlsxError> {
        for (c, v) in cells.iter().enumerate() {
            self.value(row, c as u16, v)?;
        }
        let mut from = 0;
        while from < cells.len() {
            let look = look_of(&cells[from], self.lang);
            let to = from + cells[from..].iter().take_while(|v| look_of(v, self.lang) == look).count();
            let f = self.formats.entry((style, look)).or_insert_with(|| format_of(style, look));
            // Also gives an empty cell (nothing stored for it yet) its format, as a blank.
            self.ws.set_range_format(row, from as u16, row, (to - 1) as u16, f)?;
            from = to;
        }
        Ok(())
    }

    /// A cell's value without a format (an empty value stores nothing).
    fn value(&mut self, row: u32, col: u16, v: &V) -> Result<(), XlsxError> {
        match v {
            V::Empty => {}
            V::Text(s) => {
                // write_string stores a string, never a formula: "=HYPERLINK(...)" stays text.
                self.ws.write_string(row, col, truncate(s))?;
            }
            V::Count(n) | V::Num(n, _) | V::Rate { v: n, .. } => {
                self.ws.write_number(row, col, *n)?;
            }
            V::Change { v, unit, .. } => {
                let value = if *unit == Unit::Rate { v * 100.0 } else { *v };
                self.ws.write_number(row, col, value)?;
            }
            V::Met(m) => {
                let text = if *m { Label::MetWord.text(self.lang) } else { Label::NotMetWord.text(self.lang) };
                self.ws.write_string(row, col, text)?;
            }
            V::Time(dt) => {
                self.ws.write_datetime(row, col, dt)?;
            }
        }
        Ok(())
    }
}

/// The kind of sheet a table is written on.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sheet {
    /// A summary sheet (charts' helper columns).
    Summary,
    /// A detail sheet, its rows written cell by cell.
    Detail,
    /// A detail sheet whose body rows svcq writes when the workbook is saved (`body`).
    DetailSpliced,
}

/// Where a table was written on its sheet (what its native charts refer to).
pub(crate) struct Placed {
    /// The header's row.
    pub(crate) header_row: u32,
    /// The first body row.
    pub(crate) first: u32,
    /// The last row (the total's, if any).
    pub(crate) last: u32,
    /// Helper column (target values), if written.
    target_col: Option<u16>,
    /// Helper column (cumulative share), if written.
    cumulative_col: Option<u16>,
    /// The body rows shown, when svcq writes them into the part when the workbook is saved
    /// (`body`) rather than rust_xlsxwriter cell by cell.
    spliced: Option<usize>,
}

/// The workbook with every sheet written, not yet zipped (see [`Workbook::save_to_buffer`]:
/// its deflate runs on one core, so the caller gives the other core other work meanwhile).
/// `created` is the fixed document date (reproducible output).
pub(crate) fn workbook<'r>(report: &'r Report, created: &ExcelDateTime) -> Result<Pending<'r>, XlsxError> {
    workbook_with(report, created, true)
}

/// Deflate level of the workbook's parts: 2 (zlib-rs's fast strategy) instead of 6 — the
/// province workbook's writing stage ~0.6 s shorter for ~22 % more bytes (level 3: ~0.3 s,
/// 14 %; level 1: 64 % more); the parts are the same (BENCHMARKS.md, sessions 4 and 8).
const ZIP_LEVEL: u8 = 2;

/// A workbook written but not yet saved: rust_xlsxwriter's workbook without the detail
/// tables' body rows, which [`Pending::save`] writes into their sheets (`body`).
pub(crate) struct Pending<'r> {
    wb: Workbook,
    report: &'r Report,
    splices: Vec<body::Splice>,
    xf: body::Xf,
}

impl Pending<'_> {
    /// The workbook's bytes: rust_xlsxwriter's package (its deflate on one core), then the
    /// detail sheets' parts with their body rows, compressed on both cores.
    pub(crate) fn save(&mut self) -> Result<Vec<u8>, XlsxError> {
        let xlsx = self.wb.save_to_buffer()?;
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(i64::from(ZIP_LEVEL)))
            .unix_permissions(0o600)
            .last_modified_time(zip::DateTime::default())
            .large_file(false);
        body::splice(xlsx, self.report, &self.splices, &self.xf, options)
    }
}

/// [`workbook`], the detail tables' body rows written by svcq (`splice`) or cell by cell
/// through rust_xlsxwriter (the same parts; a unit test compares them).
fn workbook_with<'r>(report: &'r Report, created: &ExcelDateTime, splice: bool) -> Result<Pending<'r>, XlsxError> {
    let mut wb = Workbook::new();
    let title = format!("{} {} {}", report.organisation, report.title, report.period);
    let props = DocProperties::new()
        .set_title(&title)
        .set_subject(format!("{} {}", Label::ReportSubject.text(report.lang), report.period))
        .set_author("svcq")
        .set_company(&report.organisation)
        .set_creation_datetime(created);
    wb.set_properties(&props);
    wb.set_zip_compression_level(ZIP_LEVEL);
    // Every sheet is named here and written below on both cores: a summary sheet numbers its
    // formats on its own (the workbook joins them in sheet order when it is saved); the detail
    // sheets (constant memory, most of the cells) share the workbook's numbering.
    for section in &report.sections {
        let ws = if section.detail { wb.add_worksheet_with_constant_memory()? } else { wb.add_worksheet() };
        ws.set_name(&section.name)?;
    }
    // Register the detail sheets' formats in one core's order on a scratch sheet (dropped
    // again), so the formats' numbering never depends on which core got there first.
    let scratch = wb.add_worksheet_with_constant_memory()?;
    let formats: Vec<Format> = {
        use rayon::prelude::*;
        let each: Vec<Vec<Format>> =
            report.sections.par_iter().filter(|s| s.detail).map(|s| detail_formats(s, report.lang)).collect();
        each.into_iter().flatten().collect()
    };
    for (n, f) in formats.iter().enumerate() {
        scratch.write_blank(n as u32, 0, f)?;
    }
    wb.worksheets_mut().pop();
    let xf = body::Xf::new(&formats);
    // Biggest sheet first, each core taking the next sheet when it is done (longest job
    // first: the two cores finish close together; the order of the sheets in the file is
    // unchanged).
    let mut jobs: Vec<(usize, &mut Worksheet, &Section)> =
        wb.worksheets_mut().iter_mut().zip(&report.sections).enumerate().map(|(i, (w, s))| (i, w, s)).collect();
    jobs.sort_by_key(|(_, _, s)| std::cmp::Reverse(if splice && s.detail { 0 } else { cells(s) }));
    let failed = std::sync::Mutex::new(None);
    let splices = std::sync::Mutex::new(Vec::new());
    rayon::scope_fifo(|scope| {
        for (i, ws, section) in jobs {
            let (failed, splices) = (&failed, &splices);
            scope.spawn_fifo(move |_| match sheet(ws, report, section, splice) {
                Ok(tables) => splices.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend(
                    tables.into_iter().map(|(table, first, shown)| body::Splice { sheet: i, table, first, shown }),
                ),
                Err(e) => {
                    failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(e);
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
        return Err(e);
    }
    let mut splices = splices.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    // The sheets in their order, each sheet's tables in theirs (the jobs finished in any order).
    splices.sort_by_key(|s| (s.sheet, s.first));
    Ok(Pending { wb, report, splices, xf })
}

/// The cells a section's tables fill (a sheet's share of the writing).
fn cells(section: &Section) -> usize {
    section.tables.iter().map(|t| (t.rows.len() + 1) * t.columns.len()).sum()
}

/// Write a section's sheet; returns the detail tables whose body rows are left to
/// [`Pending::save`]: (table, first body row, body rows shown).
fn sheet(
    ws: &mut Worksheet,
    report: &Report,
    section: &Section,
    splice: bool,
) -> Result<Vec<(usize, u32, usize)>, XlsxError> {
    let lang = report.lang;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_footer("&C&P / &N");
    let title = format!("{} {} — {}（{}）", report.organisation, report.title, section.name, report.period);
    let ncols = section.tables.iter().map(|t| t.columns.len()).max().unwrap_or(1).max(6) as u16;
    ws.merge_range(0, 0, 0, ncols - 1, &title, &title_format())?;
    ws.set_row_height(0, 24)?;
    let mut row: u32 = 1;
    for line in &section.narrative {
        ws.merge_range(row, 0, row, ncols - 1, truncate(line), &narrative_format())?;
        ws.set_row_height(row, 30)?;
        row += 1;
    }
    row += 1;
    // Charts first, two per row (a chart is about 16 rows tall), then the tables below them.
    let drawable: Vec<&Chart> = section
        .charts
        .iter()
        .filter(|c| {
            c.kind != ChartKind::HeatMap
                && c.kind != ChartKind::Waterfall
                && section.tables.iter().any(|t| t.id == c.table && !t.rows.is_empty())
        })
        .collect();
    let chart_top = row;
    row += (drawable.len().div_ceil(2) as u32) * CHART_ROWS;
    // A heat map's many narrow columns keep the sheet printable at fit-to-width.
    let narrow = section.charts.iter().any(|c| c.kind == ChartKind::HeatMap);
    let mut widths: Vec<usize> = vec![if narrow { 4 } else { 8 }; 64];
    let mut placed: Vec<(String, Placed)> = Vec::new();
    let mut has_small = false;
    let mut spliced = Vec::new();
    for (t, table) in section.tables.iter().enumerate() {
        let charts_for: Vec<&Chart> = section.charts.iter().filter(|c| c.table == table.id).collect();
        let on = match (section.detail, splice) {
            (false, _) => Sheet::Summary,
            (true, false) => Sheet::Detail,
            (true, true) => Sheet::DetailSpliced,
        };
        let p = write_table(ws, lang, table, row, &charts_for, &mut widths, on)?;
        if let Some(shown) = p.spliced {
            spliced.push((t, p.first, shown));
        }
        has_small |= has_small_rate(table);
        row = p.last + 3;
        placed.push((table.id.clone(), p));
    }
    if has_small {
        let note = Label::SmallSampleNoteSheet.text(lang);
        ws.write_string_with_format(row - 2, 0, note, &note_format())?;
    }
    for (i, chart) in drawable.iter().enumerate() {
        let (Some((_, p)), Some(table)) =
            (placed.iter().find(|(id, _)| *id == chart.table), section.tables.iter().find(|t| t.id == chart.table))
        else {
            continue;
        };
        let c = native_chart(&section.name, chart, table, p, lang);
        let at = chart_top + (i / 2) as u32 * CHART_ROWS;
        ws.insert_chart_with_offset(at, 0, &c, if i % 2 == 0 { 4 } else { CHART_W + 16 }, 4)?;
    }
    // Heat maps are the table itself, shaded by a conditional format: cells above 0 red.
    for chart in section.charts.iter().filter(|c| c.kind == ChartKind::HeatMap) {
        let (Some((_, p)), Some(table)) =
            (placed.iter().find(|(id, _)| *id == chart.table), section.tables.iter().find(|t| t.id == chart.table))
        else {
            continue;
        };
        if table.rows.is_empty() {
            continue;
        }
        let cf = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::GreaterThan(0))
            .set_format(met_colours(Format::new(), Some(false)));
        ws.add_conditional_format(p.first, 1, p.last, (table.columns.len() - 1) as u16, &cf)?;
    }
    for (c, w) in widths.iter().enumerate().take(64) {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
    }
    if section.detail {
        if let Some((_, p)) = placed.first() {
            ws.set_freeze_panes(p.header_row + 1, 0)?;
            ws.set_repeat_rows(p.header_row, p.header_row)?;
            let last_col = section.tables[0].columns.len().saturating_sub(1) as u16;
            ws.autofilter(p.header_row, 0, p.last.max(p.header_row), last_col)?;
        }
    } else {
        ws.set_freeze_panes(1, 0)?;
        // The longest table, when it runs past a printed page (变化归因's segments, 数据质量's
        // rejected rows, 指标口径), has its header row on every page after its first; below
        // other tables, it starts a page of its own.
        let long = placed
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| p.last - p.header_row > PAGE_ROWS)
            .max_by_key(|(_, (_, p))| p.last - p.header_row);
        let mut breaks: Vec<u32> = Vec::new();
        if let Some((i, (_, p))) = long {
            if i > 0 {
                breaks.push(p.header_row - 1);
            }
            ws.set_repeat_rows(p.header_row, p.header_row)?;
        }
        // Tables the report starts on a page of their own (their title row first).
        breaks.extend(
            placed
                .iter()
                .enumerate()
                .filter(|(i, (id, _))| *i > 0 && section.new_pages.contains(id))
                .map(|(_, (_, p))| p.header_row - 1),
        );
        breaks.sort_unstable();
        breaks.dedup();
        if !breaks.is_empty() {
            ws.set_page_breaks(&breaks)?;
        }
    }
    Ok(spliced)
}

/// Rows a printed page holds on a summary sheet (landscape A4, fit to the page's width).
const PAGE_ROWS: u32 = 40;

/// Rows in an Excel sheet.
const SHEET_ROWS: u32 = 1_048_576;

/// How many of `n` body rows fit on a sheet from row `first` (0-based), with room for the
/// total row and a blank row after.
fn rows_that_fit(n: usize, first: u32, total: bool) -> usize {
    let room = SHEET_ROWS.saturating_sub(first + u32::from(total) + 1) as usize;
    n.min(room)
}

/// Write a table (title, header, rows, total, the charts' helper columns) from row `top`.
pub(crate) fn write_table(
    ws: &mut Worksheet,
    lang: Lang,
    table: &Table,
    top: u32,
    charts: &[&Chart],
    widths: &mut [usize],
    on: Sheet,
) -> Result<Placed, XlsxError> {
    let detail = on != Sheet::Summary;
    ws.write_string_with_format(top, 0, &table.title, &table_title_format())?;
    let header_row = top + 1;
    // A sheet holds 1,048,576 rows: a longer detail table (a group's month) is cut there,
    // its title row saying how many are shown.
    let shown = rows_that_fit(table.rows.len(), header_row + 1, table.total.is_some());
    if shown < table.rows.len() {
        let note = format!(
            "{} {shown} / {} {}",
            Label::ShowingFirst.text(lang),
            table.rows.len(),
            Label::SheetRowLimit.text(lang)
        );
        ws.write_string_with_format(top, 1, note, &note_format())?;
    }
    let header = header_format();
    for (c, h) in table.columns.iter().enumerate() {
        ws.write_string_with_format(header_row, c as u16, h, &header)?;
        widths[c] = widths[c].max(width(h).min(24));
        if table.kinds.get(c) == Some(&ColKind::FillIn) {
            // What is written into it by hand wraps, and prints with the rest of the row.
            ws.set_column_format(c as u16, &fill_in_format())?;
        }
    }
    // A detail table's rows are written by svcq when the workbook is saved, if it can.
    let spliced = (on == Sheet::DetailSpliced && body::plain(table, shown)).then_some(shown);
    let mut w = Writer { lang, ws, formats: rustc_hash::FxHashMap::default() };
    let mut r = header_row + 1;
    for row in &table.rows[..shown] {
        if spliced.is_none() {
            // Rows with wrapped text get the height of their longest text (set before the
            // cells, as constant-memory sheets require).
            let lines = body::lines(row);
            if lines > 1 {
                w.ws.set_row_height(r, body::row_height(lines))?;
            }
            w.row(r, row, Style::default())?;
        }
        for (c, v) in row.iter().enumerate() {
            track_width(widths, c, v, table.kinds.get(c).copied());
        }
        r += 1;
    }
    let first = header_row + 1;
    let last = r.saturating_sub(1);
    if let Some(total) = &table.total {
        if spliced.is_none() {
            w.row(r, total, Style { bold: true, total: true })?;
        }
        for (c, v) in total.iter().enumerate() {
            track_width(widths, c, v, table.kinds.get(c).copied());
        }
    }
    let ws = w.ws;
    let mut target_col = None;
    let mut cumulative_col = None;
    let helper = table.columns.len() as u16;
    if !detail {
        // Helper columns that the native charts draw: the target value, the cumulative share.
        if let Some((name, value)) =
            charts.iter().filter(|c| c.kind != ChartKind::ColumnLine).find_map(|c| c.target.clone())
        {
            let f = base(Style::default())
                .set_num_format(if value <= 1.0 { "0.00%" } else { "0.00" })
                .set_font_color(Color::RGB(0x7F7F7F));
            ws.write_string_with_format(
                header_row,
                helper,
                format!("{}{}", Label::TargetSeries.text(lang), name),
                &header,
            )?;
            for rr in first..=last.max(first) {
                if rr <= last {
                    ws.write_number_with_format(rr, helper, value, &f)?;
                }
            }
            widths[helper as usize] = widths[helper as usize].max(12);
            target_col = Some(helper);
        }
        if charts.iter().any(|c| c.kind == ChartKind::Pareto) {
            let col = helper + u16::from(target_col.is_some());
            ws.write_string_with_format(header_row, col, Label::CumulativeShare.text(lang), &header)?;
            let total: f64 = table.rows.iter().map(|r| if let Some(V::Count(n)) = r.get(1) { *n } else { 0.0 }).sum();
            let mut acc = 0.0;
            for (i, row) in table.rows.iter().enumerate() {
                if let Some(V::Count(n)) = row.get(1) {
                    acc += n;
                }
                let share = if total > 0.0 { acc / total } else { 0.0 };
                ws.write_number_with_format(
                    first + i as u32,
                    col,
                    share,
                    &base(Style::default()).set_num_format("0.00%"),
                )?;
            }
            widths[col as usize] = widths[col as usize].max(10);
            cumulative_col = Some(col);
        }
    }
    Ok(Placed {
        header_row,
        first,
        last: if table.total.is_some() { r } else { last },
        target_col,
        cumulative_col,
        spliced,
    })
}

fn track_width(widths: &mut [usize], c: usize, v: &V, kind: Option<ColKind>) {
    let w = match v {
        // Never wider than the widest cap below.
        V::Text(s) => width_upto(s, TEXT_CAP),
        V::Time(_) => 16,
        V::Count(n) => format!("{n:.0}").len() + 2,
        V::Change { .. } => 12,
        V::Met(_) => 6,
        _ => 9,
    };
    let (w, cap) = match kind {
        // An empty column to fill in by hand: as wide as the widest text column.
        Some(ColKind::FillIn) => (TEXT_CAP, TEXT_CAP),
        Some(ColKind::Text) => (w, TEXT_CAP),
        _ => (w, 20),
    };
    if let Some(slot) = widths.get_mut(c) {
        *slot = (*slot).max(w.min(cap));
    }
}

/// The native chart of `chart`, drawn from `table` as placed on `sheet`.
pub(crate) fn native_chart(sheet: &str, chart: &Chart, table: &Table, p: &Placed, lang: Lang) -> XChart {
    // Body rows only (not the total row).
    let last_body = p.first + table.rows.len() as u32 - 1;
    let cats = (sheet, p.first, chart.category as u16, last_body, chart.category as u16);
    let mut c = match chart.kind {
        ChartKind::Bar => XChart::new(ChartType::Bar),
        ChartKind::Line => XChart::new(ChartType::Line),
        _ => XChart::new(ChartType::Column),
    };
    c.title().set_name(&chart.title);
    c.set_width(CHART_W).set_height(CHART_H);
    let mut colours = PALETTE.iter().cycle();
    let bar_series: Vec<usize> =
        if chart.kind == ChartKind::ColumnLine { chart.series[..1].to_vec() } else { chart.series.clone() };
    for &col in &bar_series {
        let s = c.add_series();
        s.set_categories(cats).set_values((sheet, p.first, col as u16, last_body, col as u16)).set_name((
            sheet,
            p.header_row,
            col as u16,
        ));
        let colour = *colours.next().unwrap_or(&BLUE);
        if chart.kind == ChartKind::Line {
            s.set_format(ChartFormat::new().set_line(ChartLine::new().set_color(Color::RGB(colour)).set_width(2.0)));
        } else {
            s.set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(colour))));
            s.set_gap(60);
        }
    }
    if chart.percent {
        c.y_axis().set_num_format("0%");
        if chart.kind == ChartKind::Bar {
            c.x_axis().set_num_format("0%");
        }
        // High rates (on-time, satisfaction) read best on a 0–100 % axis; Excel would pick 120 %.
        let max = table
            .rows
            .iter()
            .flat_map(|r| chart.series.iter().filter_map(move |&c| r.get(c)))
            .filter_map(|v| if let V::Rate { v, .. } = v { Some(*v) } else { None })
            .fold(0.0, f64::max);
        if max > 0.5 {
            c.y_axis().set_max(1.0);
        }
    }
    let mut line = XChart::new(ChartType::Line);
    let mut combined = false;
    if let Some(col) = p.target_col {
        if chart.target.is_some() && chart.kind != ChartKind::ColumnLine {
            line.add_series()
                .set_categories(cats)
                .set_values((sheet, p.first, col, last_body, col))
                .set_name((sheet, p.header_row, col))
                .set_format(
                    ChartFormat::new().set_line(
                        ChartLine::new()
                            .set_color(Color::RGB(RED_FG))
                            .set_width(1.75)
                            .set_dash_type(ChartLineDashType::Dash),
                    ),
                );
            combined = true;
        }
    }
    if chart.kind == ChartKind::ColumnLine {
        if let Some(&col) = chart.series.get(1) {
            line.add_series()
                .set_categories(cats)
                .set_values((sheet, p.first, col as u16, last_body, col as u16))
                .set_name((sheet, p.header_row, col as u16))
                .set_secondary_axis(true)
                .set_format(ChartFormat::new().set_line(ChartLine::new().set_color(Color::RGB(ORANGE)).set_width(2.0)));
            line.y2_axis().set_num_format("0%");
            combined = true;
        }
    }
    if chart.kind == ChartKind::Pareto {
        if let Some(col) = p.cumulative_col {
            line.add_series()
                .set_categories(cats)
                .set_values((sheet, p.first, col, last_body, col))
                .set_name((sheet, p.header_row, col))
                .set_secondary_axis(true)
                .set_format(ChartFormat::new().set_line(ChartLine::new().set_color(Color::RGB(ORANGE)).set_width(2.0)));
            line.y2_axis().set_num_format("0%").set_max(1.0).set_min(0.0);
            combined = true;
        }
    }
    if combined {
        c.combine(&line);
    }
    if chart.series.len() == 1 && !combined {
        c.legend().set_hidden();
    }
    let _ = lang;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn a_width_up_to_a_cap_is_the_width_or_past_the_cap(s in "[a-z ]{0,50}|[a-z北京分公司，é]{0,50}", cap in 0usize..60) {
            let (upto, whole) = (width_upto(&s, cap), width(&s));
            proptest::prop_assert!(upto == whole || (upto > cap && whole > cap), "{} {} {}", s, upto, whole);
            proptest::prop_assert!(whole <= s.len());
            let lines = body::lines(&[V::Text(s.clone())]);
            proptest::prop_assert_eq!(lines, whole.div_ceil(TEXT_CAP));
        }
    }

    #[test]
    fn a_detail_table_is_cut_at_the_sheets_last_row() {
        // Header on row 2 (0-based), body from row 3: 1,048,573 rows end on the last row.
        assert_eq!(rows_that_fit(10, 3, false), 10);
        assert_eq!(rows_that_fit(2_000_000, 3, false), 1_048_572);
        assert_eq!(rows_that_fit(2_000_000, 3, true), 1_048_571, "room for the total row");
        let last = 3 + rows_that_fit(2_000_000, 3, true) as u32; // the total row
        assert!(last < SHEET_ROWS);
    }

    /// A report of two detail sheets whose cells cover every kind of value and the texts
    /// that need escaping, wrapping or a preserved space.
    fn detail_report() -> Report {
        use chrono::NaiveDate;
        let t = |s: &str| V::Text(s.to_string());
        let at = |d: u32, h: u32| V::Time(NaiveDate::from_ymd_opt(2026, 10, d).unwrap().and_hms_opt(h, 7, 31).unwrap());
        let long = "客户反映宽带晚间频繁掉线，装维人员两次上门均未解决，要求赔偿并投诉至工信部。".repeat(2);
        let rows: Vec<Vec<V>> = (0..300)
            .map(|i| {
                vec![
                    t(["东区分公司", "a & b <c>", " 前导空格", "末尾换行\n", "控制\u{1}字符\u{FFFE}", ""][i % 6]),
                    if i % 7 == 0 { V::Empty } else { V::Count(i as f64) },
                    V::Num(i as f64 / 3.0, Unit::Hours),
                    V::Rate {
                        v: 1.0 / (i as f64 + 3.0),
                        small: i % 5 == 0,
                        met: [None, Some(true), Some(false)][i % 3],
                    },
                    V::Change { v: (i as f64 - 150.0) / 1e3, unit: Unit::Rate, significant: Some(i % 4 == 0) },
                    V::Change { v: i as f64 - 7.0, unit: Unit::Count, significant: None },
                    V::Met(i % 2 == 0),
                    at(1 + (i % 30) as u32, (i % 24) as u32),
                    if i % 11 == 0 { t(&long.repeat(1 + i % 9)) } else { t("短") },
                ]
            })
            .collect();
        let columns = |n: usize| (0..n).map(|c| format!("列{c}")).collect::<Vec<_>>();
        let table = |id: &str, rows: Vec<Vec<V>>, total: Option<Vec<V>>| {
            let n = rows.first().map_or(3, Vec::len);
            Table {
                id: id.into(),
                title: format!("表{id}"),
                columns: columns(n),
                kinds: vec![ColKind::Text; n],
                rows,
                total,
            }
        };
        let wide: Vec<Vec<V>> = (0..40).map(|i| (0..30).map(|c| V::Count((i * c) as f64)).collect()).collect();
        // An "_x0041_" is escaped by rust_xlsxwriter: that table is written cell by cell.
        let escaped = vec![vec![t("_x0041_"), V::Count(1.0)], vec![t("b"), V::Count(f64::NAN)]];
        let section = |name: &str, tables: Vec<Table>, narrative: Vec<String>| Section {
            id: "detail",
            name: name.into(),
            narrative,
            tables,
            charts: Vec::new(),
            detail: true,
            new_pages: Vec::new(),
        };
        let total =
            Some(vec![t("合计"), V::Count(300.0), V::Empty, V::Empty, V::Empty, V::Empty, V::Empty, V::Empty, t("")]);
        Report {
            title: "服务质量月报".into(),
            organisation: "某省".into(),
            branch: None,
            period: crate::period::Period::month("2026-10".parse().unwrap()),
            baseline_periods: 0,
            generated: "2026-11-01".into(),
            lang: Lang::Zh,
            levels: Vec::new(),
            headlines: Vec::new(),
            product_headlines: Vec::new(),
            warnings: Vec::new(),
            incidents: Vec::new(),
            assessment: Default::default(),
            escalations: Vec::new(),
            staffing: Default::default(),
            incident_rule: (0, String::new()),
            sections: vec![
                section("明细-甲", vec![table("a", rows, total)], vec!["说明一句。".into()]),
                section(
                    "明细-乙",
                    vec![table("b", wide, None), table("c", escaped, None), table("d", Vec::new(), None)],
                    Vec::new(),
                ),
            ],
        }
    }

    /// Every part of a package, by name.
    fn parts(xlsx: &[u8]) -> Vec<(String, String)> {
        use std::io::Read as _;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut s = String::new();
                f.read_to_string(&mut s).unwrap();
                (f.name().unwrap().to_string(), s)
            })
            .collect()
    }

    #[test]
    fn detail_rows_written_by_svcq_are_the_parts_rust_xlsxwriter_writes_cell_by_cell() {
        let report = detail_report();
        let created = ExcelDateTime::from_ymd(2026, 11, 1).unwrap();
        let ours = workbook_with(&report, &created, true).unwrap().save().unwrap();
        let theirs = workbook_with(&report, &created, false).unwrap().save().unwrap();
        let (ours, theirs) = (parts(&ours), parts(&theirs));
        assert_eq!(ours.iter().map(|p| &p.0).collect::<Vec<_>>(), theirs.iter().map(|p| &p.0).collect::<Vec<_>>());
        // rust_xlsxwriter ends a constant-memory sheet whose last row has a height with that
        // row again, empty (`<row r="303" ht="…" customHeight="1"/>` after row 303): a second
        // element for the same row, which svcq's rows do not repeat.
        let repeated = |xml: &str| {
            let end = xml.find("</sheetData>").unwrap_or(0);
            let start = xml[..end].rfind("<row ").unwrap_or(end);
            if xml[start..end].ends_with("/>") {
                format!("{}{}", &xml[..start], &xml[end..])
            } else {
                xml.to_string()
            }
        };
        for ((name, a), (_, b)) in ours.iter().zip(&theirs) {
            assert_eq!(a, &repeated(b), "{name}");
        }
        let sheet = |n: usize| &ours.iter().find(|p| p.0 == format!("xl/worksheets/sheet{n}.xml")).unwrap().1;
        // The rows really are there, escaped, wrapped and preserved as text.
        // Title, sentence, blank, table title, header, 300 rows, total, blank, the small-sample note.
        assert!(sheet(1).contains("<dimension ref=\"A1:I307\"/>"), "{}", &sheet(1)[..300]);
        assert!(sheet(1).contains("<t>a &amp; b &lt;c&gt;</t>"));
        assert!(sheet(1).contains("<t xml:space=\"preserve\"> 前导空格</t>"));
        assert!(sheet(1).contains("控制_x0001_字符_xFFFE_"));
        assert!(sheet(1).contains("customHeight=\"1\"><c r=\"A"));
        assert!(sheet(2).contains("<c r=\"AD"), "columns past Z");
        assert!(sheet(2).contains("_x005F_x0041_"), "the cell-by-cell table");
        assert!(sheet(1).matches("<row ").count() > 300);
    }
}

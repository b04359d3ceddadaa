//! The body rows of the detail sheets, written as sheet XML by svcq instead of cell by cell
//! through rust_xlsxwriter (issue 33): a province month's six detail sheets hold ~1.3 M cells,
//! and rust_xlsxwriter's per-cell work (a `String` and an `Arc` per text, a map entry per
//! cell, a hashed `Format` per run of cells) was ~0.6 CPU-seconds of the run. The workbook is
//! written by rust_xlsxwriter without those rows (title, header, widths, filter, panes, the
//! styles); when it is saved, each detail sheet's part is read back, its body rows are written
//! between its header and what follows, and the part is compressed again (the sheets on both
//! cores) into the same package.
//!
//! The XML is the XML rust_xlsxwriter 0.102 writes for the same cells in constant-memory mode,
//! byte for byte (a unit test writes a table both ways and compares the parts): the same
//! `<row>` and `<c>` elements, the same style numbers, numbers in Rust's shortest form, texts
//! escaped alike — but for one element: rust_xlsxwriter ends a sheet whose last row has a
//! height with that row again, empty, and svcq does not repeat it. A table with a value this
//! writer does not mirror (a number that is not finite, a text with an `_xHHHH_`-like
//! sequence) is written through rust_xlsxwriter as before.

use std::io::{Cursor, Read, Write};

use rust_xlsxwriter::{Format, IntoExcelDateTime, XlsxError};
use rustc_hash::FxHashMap;
use zip::write::SimpleFileOptions;

use super::{format_of, look_of, truncate, Look, Style, TEXT_CAP};
use crate::config::Lang;
use crate::metrics::defs::Unit;
use crate::report::{Label, Report, Table, V};

/// A detail table whose body rows (and total) svcq writes into its sheet's part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::render) struct Splice {
    /// The sheet (0-based, in the workbook's order), and the report's section of that index.
    pub sheet: usize,
    /// The table within the section.
    pub table: usize,
    /// The first body row (0-based).
    pub first: u32,
    /// Body rows written (the sheet's row limit may cut a table).
    pub shown: usize,
}

/// Whether svcq writes `table`'s first `shown` rows and its total itself: every value is one
/// whose XML [`rows`] mirrors exactly.
pub(in crate::render) fn plain(table: &Table, shown: usize) -> bool {
    table.rows[..shown].iter().chain(table.total.iter()).flatten().all(|v| match v {
        V::Text(s) => !s.contains("_x"),
        V::Count(n) | V::Num(n, _) | V::Rate { v: n, .. } | V::Change { v: n, .. } => n.is_finite(),
        V::Empty | V::Met(_) | V::Time(_) => true,
    })
}

/// The workbook-wide style number of each format a detail sheet uses: rust_xlsxwriter numbers
/// a constant-memory sheet's formats in the workbook's order of first use, from 1 (0 is the
/// default format), and `formats` is that order (see `detail_formats`).
pub(in crate::render) struct Xf {
    index: std::collections::HashMap<Format, u32>,
}

impl Xf {
    /// The numbers of `formats` (in order of first use, repeats allowed).
    pub(in crate::render) fn new(formats: &[Format]) -> Xf {
        let mut index: std::collections::HashMap<Format, u32> = std::collections::HashMap::new();
        index.insert(Format::default(), 0);
        for f in formats {
            let next = index.len() as u32;
            index.entry(f.clone()).or_insert(next);
        }
        Xf { index }
    }
}

/// The style numbers of the looks met so far (a format is hashed once a look, not once a cell).
struct Looks<'a> {
    xf: &'a Xf,
    seen: FxHashMap<(Style, Look), u32>,
}

impl Looks<'_> {
    fn of(&mut self, style: Style, look: Look) -> u32 {
        let xf = self.xf;
        *self.seen.entry((style, look)).or_insert_with(|| xf.index.get(&format_of(style, look)).copied().unwrap_or(0))
    }
}

/// The last row and column (0-based) holding a value or a row height among the rows written,
/// as rust_xlsxwriter's `<dimension>` counts them (an empty text or value is a formatted
/// blank and does not count; a row given a height counts in column 0).
fn extent(rows: &[(&[V], Style)], first: u32) -> Option<(u32, u16)> {
    let mut out: Option<(u32, u16)> = None;
    for (i, (row, style)) in rows.iter().enumerate() {
        let r = first + i as u32;
        if *style == Style::default() && lines(row) > 1 {
            let (row_max, col_max) = out.unwrap_or((r, 0));
            out = Some((row_max.max(r), col_max));
        }
        for (c, v) in row.iter().enumerate() {
            let counts = match v {
                V::Empty => false,
                V::Text(s) => !s.is_empty(),
                _ => true,
            };
            if counts {
                let (row_max, col_max) = out.unwrap_or((r, c as u16));
                out = Some((row_max.max(r), col_max.max(c as u16)));
            }
        }
    }
    out
}

/// The rows svcq writes for `s`: the first `shown` body rows, then the total.
fn written<'t>(table: &'t Table, s: &Splice) -> Vec<(&'t [V], Style)> {
    let total = table.total.iter().map(|t| (t.as_slice(), Style { bold: true, total: true }));
    table.rows[..s.shown].iter().map(|r| (r.as_slice(), Style::default())).chain(total).collect()
}

/// Lines of the longest text in a row (a wrapped text's row is that many lines high).
pub(in crate::render) fn lines(row: &[V]) -> usize {
    let lines = |s: &str| match s.len() {
        0 => 0,
        // No wider than its bytes ([`super::width_upto`]).
        1..=TEXT_CAP => 1,
        _ => super::width(s).div_ceil(TEXT_CAP),
    };
    row.iter().map(|v| if let V::Text(s) = v { lines(s) } else { 1 }).max().unwrap_or(1)
}

/// The height in points of a row of `lines` lines of wrapped text (8 at most).
pub(in crate::render) fn row_height(lines: usize) -> f64 {
    13.5 * lines.min(8) as f64
}

/// Write `rows` from row `first` (0-based) as sheet XML.
fn rows(
    out: &mut impl Write,
    rows: &[(&[V], Style)],
    first: u32,
    looks: &mut Looks<'_>,
    lang: Lang,
) -> std::io::Result<()> {
    let mut number = String::new();
    let mut cols: Vec<String> = Vec::new();
    for (i, &(row, style)) in rows.iter().enumerate() {
        let r = first + i as u32 + 1;
        let n = lines(row);
        if style == Style::default() && n > 1 {
            let pixels = (row_height(n) * 4.0 / 3.0).round() as u32;
            write!(out, r#"<row r="{r}" ht="{}" customHeight="1">"#, f64::from(pixels) * 0.75)?;
        } else {
            write!(out, r#"<row r="{r}">"#)?;
        }
        while cols.len() < row.len() {
            cols.push(rust_xlsxwriter::utility::column_number_to_name(cols.len() as u16));
        }
        for (c, v) in row.iter().enumerate() {
            let col = &cols[c];
            let s = looks.of(style, look_of(v, lang));
            match v {
                V::Empty => write!(out, r#"<c r="{col}{r}" s="{s}"/>"#)?,
                V::Text(t) if t.is_empty() => write!(out, r#"<c r="{col}{r}" s="{s}"/>"#)?,
                V::Text(t) => text(out, col, r, s, truncate(t))?,
                V::Met(m) => {
                    let t = if *m { Label::MetWord.text(lang) } else { Label::NotMetWord.text(lang) };
                    text(out, col, r, s, t)?;
                }
                V::Count(x) | V::Num(x, _) | V::Rate { v: x, .. } => num(out, col, r, s, *x, &mut number)?,
                V::Change { v, unit, .. } => {
                    let x = if *unit == Unit::Rate { v * 100.0 } else { *v };
                    num(out, col, r, s, x, &mut number)?;
                }
                V::Time(dt) => num(out, col, r, s, (&dt).to_excel_serial_date(), &mut number)?,
            }
        }
        out.write_all(b"</row>")?;
    }
    Ok(())
}

fn num(out: &mut impl Write, col: &str, r: u32, s: u32, x: f64, buf: &mut String) -> std::io::Result<()> {
    use std::fmt::Write as _;
    buf.clear();
    let _ = write!(buf, "{x}");
    write!(out, r#"<c r="{col}{r}" s="{s}"><v>{buf}</v></c>"#)
}

fn text(out: &mut impl Write, col: &str, r: u32, s: u32, t: &str) -> std::io::Result<()> {
    let ws = ['\t', '\n', ' '];
    let preserve = if t.starts_with(ws) || t.ends_with(ws) { " xml:space=\"preserve\"" } else { "" };
    write!(out, r#"<c r="{col}{r}" s="{s}" t="inlineStr"><is><t{preserve}>"#)?;
    escape(out, t)?;
    out.write_all(b"</t></is></c>")
}

/// Text as XML character data, the way rust_xlsxwriter escapes it: `&`, `<`, `>` as
/// entities; control characters but tab and line feed, U+FFFE and U+FFFF as `_xHHHH_`.
fn escape(out: &mut impl Write, t: &str) -> std::io::Result<()> {
    let special =
        |c: char| matches!(c, '&' | '<' | '>' | '\u{0}'..='\u{8}' | '\u{B}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}');
    let mut from = 0;
    for (i, c) in t.char_indices().filter(|(_, c)| special(*c)) {
        out.write_all(&t.as_bytes()[from..i])?;
        match c {
            '&' => out.write_all(b"&amp;")?,
            '<' => out.write_all(b"&lt;")?,
            '>' => out.write_all(b"&gt;")?,
            c => write!(out, "_x{:04X}_", c as u32)?,
        }
        from = i + c.len_utf8();
    }
    out.write_all(&t.as_bytes()[from..])
}

/// The saved workbook `xlsx` with the body rows of `splices` written into their sheets.
pub(in crate::render) fn splice(
    xlsx: Vec<u8>,
    report: &Report,
    splices: &[Splice],
    xf: &Xf,
    options: SimpleFileOptions,
) -> Result<Vec<u8>, XlsxError> {
    if splices.is_empty() {
        return Ok(xlsx);
    }
    let mut sheets: Vec<usize> = splices.iter().map(|s| s.sheet).collect();
    sheets.dedup();
    let mut source = zip::ZipArchive::new(Cursor::new(xlsx.as_slice()))?;
    let mut parts: Vec<(String, String)> = Vec::new();
    for &sheet in &sheets {
        let name = format!("xl/worksheets/sheet{}.xml", sheet + 1);
        let mut xml = String::new();
        source.by_name(&name)?.read_to_string(&mut xml)?;
        parts.push((name, xml));
    }
    // Each sheet's part in a package of its own, compressed on whichever core is free: the
    // biggest first, each core taking the next when done (the last to finish is a small
    // one; in sheet order the province's 21 MB part was often compressed alone at the end).
    use rayon::prelude::*;
    let weight = |sheet: usize| -> usize {
        splices
            .iter()
            .filter(|s| s.sheet == sheet)
            .map(|s| s.shown * report.sections[s.sheet].tables[s.table].columns.len().max(1))
            .sum()
    };
    let mut work: Vec<((String, String), usize)> = parts.into_iter().zip(sheets.iter().copied()).collect();
    work.sort_by_key(|(_, sheet)| std::cmp::Reverse(weight(*sheet)));
    let packed: Vec<Result<(String, Vec<u8>), XlsxError>> = work
        .into_iter()
        .par_bridge()
        .map(|((name, xml), sheet)| {
            let mine: Vec<&Splice> = splices.iter().filter(|s| s.sheet == sheet).collect();
            let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
            z.start_file(name.as_str(), options)?;
            write_part(&mut z, &xml, &mine, report, xf)?;
            Ok((name, z.finish()?.into_inner()))
        })
        .collect();
    let packed: FxHashMap<String, Vec<u8>> = packed.into_iter().collect::<Result<_, _>>()?;
    let mut out =
        zip::ZipWriter::new(Cursor::new(Vec::with_capacity(xlsx.len() + packed.values().map(Vec::len).sum::<usize>())));
    for i in 0..source.len() {
        let name = source.name_for_index(i).map(|n| n.map(|n| n.to_string())).transpose()?.unwrap_or_default();
        match packed.get(&name) {
            Some(bytes) => {
                let mut one = zip::ZipArchive::new(Cursor::new(bytes.as_slice()))?;
                out.raw_copy_file(one.by_index_raw(0)?)?;
            }
            None => out.raw_copy_file(source.by_index_raw(i)?)?,
        }
    }
    Ok(out.finish()?.into_inner())
}

/// A sheet's part (`xml`, as rust_xlsxwriter wrote it without the body rows) with the rows
/// of `splices` inserted before the first row written below them, and its `<dimension>`
/// widened to them.
fn write_part(out: &mut impl Write, xml: &str, splices: &[&Splice], report: &Report, xf: &Xf) -> Result<(), XlsxError> {
    let written: Vec<Vec<(&[V], Style)>> =
        splices.iter().map(|s| written(&report.sections[s.sheet].tables[s.table], s)).collect();
    let mut xml = std::borrow::Cow::Borrowed(xml);
    if let Some(dim) = dimension(&xml, splices.iter().zip(&written).filter_map(|(s, w)| extent(w, s.first))) {
        xml = std::borrow::Cow::Owned(dim);
    }
    let mut looks = Looks { xf, seen: FxHashMap::default() };
    let mut rest: &str = &xml;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    for (s, w) in splices.iter().zip(&written) {
        let at = insertion_point(rest, s.first);
        out.write_all(&rest.as_bytes()[..at])?;
        rest = &rest[at..];
        // A few thousand rows at a time into the compressor.
        for (k, piece) in w.chunks(2048).enumerate() {
            buf.clear();
            rows(&mut buf, piece, s.first + (k * 2048) as u32, &mut looks, report.lang)?;
            out.write_all(&buf)?;
        }
    }
    out.write_all(rest.as_bytes())?;
    Ok(())
}

/// Where rows from `first` (0-based) go in a part's XML: before the first `<row>` below them,
/// or before `</sheetData>`.
fn insertion_point(xml: &str, first: u32) -> usize {
    let mut at = 0;
    while let Some(i) = xml[at..].find("<row r=\"") {
        let start = at + i;
        let digits = &xml[start + 8..];
        let end = digits.find('"').unwrap_or(0);
        if digits[..end].parse::<u32>().is_ok_and(|r| r > first) {
            return start;
        }
        at = start + 8;
    }
    xml.find("</sheetData>").unwrap_or(xml.len())
}

/// The part's XML with its `<dimension ref>` widened to the extents (last row, last column)
/// given, or `None` when it needs no change.
fn dimension(xml: &str, extents: impl Iterator<Item = (u32, u16)>) -> Option<String> {
    let (row, col) = extents
        .fold(None, |acc: Option<(u32, u16)>, (r, c)| Some(acc.map_or((r, c), |(ar, ac)| (ar.max(r), ac.max(c)))))?;
    let open = "<dimension ref=\"";
    let start = xml.find(open)? + open.len();
    let end = start + xml[start..].find('"')?;
    let (a, b) = match xml[start..end].split_once(':') {
        Some((a, b)) => (a, b),
        None => (&xml[start..end], &xml[start..end]),
    };
    let (r1, c1) = cell(a)?;
    let (r2, c2) = cell(b)?;
    let range = rust_xlsxwriter::utility::cell_range(r1, c1, r2.max(row), c2.max(col));
    Some(format!("{}{}{}", &xml[..start], range, &xml[end..]))
}

/// A cell reference ("AB12") as 0-based (row, column).
fn cell(r: &str) -> Option<(u32, u16)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    let col =
        letters.bytes().try_fold(0u32, |acc, b| b.is_ascii_uppercase().then(|| acc * 26 + u32::from(b - b'A') + 1))?;
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, u16::try_from(col.checked_sub(1)?).ok()?))
}

//! Workbook readers: turn a file (xlsx, xlsm, xlsb, xls, ods; CSV and web exports through
//! [`super::delimited`] and [`super::markup`]) into sheets of rows of [`Cell`]s, handed one row at a
//! time to a [`RowVisitor`].
//!
//! The format is sniffed from the first bytes ([`super::format`]), not trusted from the extension.
//! xlsx is streamed cell by cell (a million-row sheet never sits in memory as a grid);
//! xls and ods are parsed whole by calamine.

use std::cell::Cell as StdCell;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use super::delimited::read_csv;
use super::format::{emit, sniff_file, zip_flavour, Format, ReadError, RowVisitor};
use super::guard;
use super::markup;
use super::value::{parse_datetime_text, Cell};
use calamine::{Data, DataRef, ExcelDateTime, Ods, Reader, Xls, XlsOptions, Xlsb, Xlsx};

/// Read every sheet of `path` into `visitor`. Returns the text encoding detected for CSV files.
pub(crate) fn read_file(path: &Path, visitor: &mut dyn RowVisitor) -> Result<Option<&'static str>, ReadError> {
    let io = |source| ReadError::Io { path: path.to_path_buf(), source };
    let mut file = File::open(path).map_err(io)?;
    let format = sniff_file(path, &mut file)?;
    // calamine is third-party code on untrusted input: a panic inside it becomes a
    // "corrupt file" error, never a backtrace.
    let damaged = |format, message| ReadError::Damaged { path: path.to_path_buf(), format, message };
    let result = quiet_catch_unwind(|| match format {
        Format::Xlsx | Format::Ods | Format::Xlsb => {
            let zip_kind = zip_flavour(path);
            let flavour = match zip_kind {
                Format::Ods => "ods",
                Format::Xlsb => "xlsb",
                _ => "xlsx",
            };
            guard::check_zip(BufReader::new(&mut file)).map_err(|m| damaged(flavour, m))?;
            file.rewind().map_err(io)?;
            if zip_kind == Format::Ods {
                read_ods(path, BufReader::new(file), visitor)
            } else if zip_kind == Format::Xlsb {
                read_xlsb(path, BufReader::new(file), visitor)
            } else {
                read_xlsx(path, BufReader::new(file), visitor)
            }
        }
        Format::Xls => {
            // xls is parsed whole anyway: read it once, check it, hand calamine the bytes.
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(io)?;
            guard::check_xls(&bytes).map_err(|m| damaged("xls", m))?;
            read_xls(path, std::io::Cursor::new(bytes), visitor)
        }
        Format::Csv => {
            drop(file);
            read_csv(path, visitor).map(Some)
        }
        Format::Html | Format::Xml2003 => {
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(io)?;
            read_markup(path, &bytes, visitor).map(Some)
        }
    });
    match result {
        Ok(r) => r,
        Err(msg) => Err(ReadError::Corrupt {
            path: path.to_path_buf(),
            format: format.name(),
            message: format!("the reader failed: {msg}"),
        }),
    }
}

thread_local! {
    /// Set while third-party readers run, so the panic hook stays silent.
    pub static QUIET_PANIC: StdCell<bool> = const { StdCell::new(false) };
}

fn quiet_catch_unwind<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    QUIET_PANIC.with(|q| q.set(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET_PANIC.with(|q| q.set(false));
    r.map_err(|e| {
        e.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| e.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal error".into())
    })
}

fn excel_datetime(dt: &ExcelDateTime) -> Cell<'static> {
    if dt.is_duration() || dt.as_f64() < 1.0 {
        return Cell::Duration((dt.as_f64() * 86_400.0 * 1000.0).round() / 1000.0);
    }
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    chrono::NaiveDate::from_ymd_opt(y.into(), mo.into(), d.into())
        .and_then(|date| date.and_hms_milli_opt(h.into(), mi.into(), s.into(), ms.into()))
        .map(|t| {
            // Round to whole seconds.
            let secs = (t.and_utc().timestamp_millis() as f64 / 1000.0).round() as i64;
            chrono::DateTime::from_timestamp(secs, 0).map_or(t, |d| d.naive_utc())
        })
        .map_or(Cell::Number(dt.as_f64()), Cell::DateTime)
}

fn iso_datetime(s: &str) -> Cell<'static> {
    match parse_datetime_text(s) {
        Some((dt, _)) => Cell::DateTime(dt),
        None => match chrono::NaiveTime::parse_from_str(s, "%H:%M:%S") {
            Ok(t) => Cell::Duration(f64::from(chrono::Timelike::num_seconds_from_midnight(&t))),
            Err(_) => Cell::Text(s.to_string().into()),
        },
    }
}

/// ISO 8601 durations as ODS writes them: `PT00H02M05S`, `P1DT2H`.
fn iso_duration(s: &str) -> Cell<'static> {
    let mut secs = 0.0;
    let mut num = String::new();
    let mut in_time = false;
    for c in s.trim_start_matches('-').chars() {
        match c {
            'P' => {}
            'T' => in_time = true,
            '0'..='9' | '.' => num.push(c),
            unit => {
                let v: f64 = match num.parse() {
                    Ok(v) => v,
                    Err(_) => return Cell::Text(s.to_string().into()),
                };
                num.clear();
                secs += v * match (unit, in_time) {
                    ('D', _) => 86_400.0,
                    ('H', true) => 3_600.0,
                    ('M', true) => 60.0,
                    ('S', true) => 1.0,
                    _ => return Cell::Text(s.to_string().into()),
                };
            }
        }
    }
    Cell::Duration(secs)
}

fn from_data(d: &Data) -> Cell<'_> {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.as_str().into()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => excel_datetime(dt),
        Data::DateTimeIso(s) => iso_datetime(s),
        Data::DurationIso(s) => iso_duration(s),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

fn from_data_ref(d: DataRef<'_>) -> Cell<'_> {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.into()),
        DataRef::SharedString(s) => Cell::Text(s.into()),
        DataRef::Float(f) => Cell::Number(f),
        DataRef::Int(i) => Cell::Number(i as f64),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => excel_datetime(&dt),
        DataRef::DateTimeIso(s) => iso_datetime(&s),
        DataRef::DurationIso(s) => iso_duration(&s),
        DataRef::Error(e) => Cell::Error(e.to_string()),
    }
}

/// Hand a sheet's cells, streamed in row order, to the visitor one row at a time.
fn stream_rows<'a>(
    visitor: &mut dyn RowVisitor,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>, ReadError>,
) -> Result<(), ReadError> {
    let mut current: Option<u32> = None;
    let mut row: Vec<Cell<'_>> = Vec::new();
    while let Some(cell) = next()? {
        let (r, c) = cell.get_position();
        if current != Some(r) {
            if let Some(prev) = current {
                emit(visitor, prev + 1, &row);
                row.clear();
            }
            current = Some(r);
        }
        let c = c as usize;
        if c > 16_384 {
            continue; // beyond Excel's last column: ignore rather than allocate
        }
        if row.len() <= c {
            row.resize(c + 1, Cell::Empty);
        }
        row[c] = from_data_ref(cell.get_value().clone());
    }
    if let Some(prev) = current {
        emit(visitor, prev + 1, &row);
    }
    Ok(())
}

fn read_xlsx<R: Read + Seek>(
    path: &Path,
    reader: R,
    visitor: &mut dyn RowVisitor,
) -> Result<Option<&'static str>, ReadError> {
    let corrupt = |e: calamine::XlsxError| ReadError::Corrupt {
        path: path.to_path_buf(),
        format: "xlsx",
        message: e.to_string(),
    };
    let mut wb = Xlsx::new(reader).map_err(corrupt)?;
    let date1904 = wb.has_1904_epoch();
    for name in wb.sheet_names() {
        let mut cells = wb.worksheet_cells_reader(&name).map_err(corrupt)?;
        visitor.begin_sheet(&name, Format::Xlsx, date1904);
        stream_rows(visitor, || cells.next_cell().map_err(corrupt))?;
        visitor.end_sheet();
    }
    Ok(None)
}

fn read_xlsb<R: Read + Seek>(
    path: &Path,
    reader: R,
    visitor: &mut dyn RowVisitor,
) -> Result<Option<&'static str>, ReadError> {
    let corrupt = |e: calamine::XlsbError| ReadError::Corrupt {
        path: path.to_path_buf(),
        format: "xlsb",
        message: e.to_string(),
    };
    let mut wb = Xlsb::new(reader).map_err(corrupt)?;
    let date1904 = wb.has_1904_epoch();
    let names: Vec<String> = wb.sheet_names();
    for name in names {
        let mut cells = wb.worksheet_cells_reader(&name).map_err(corrupt)?;
        visitor.begin_sheet(&name, Format::Xlsb, date1904);
        stream_rows(visitor, || cells.next_cell().map_err(corrupt))?;
        visitor.end_sheet();
    }
    Ok(None)
}

fn read_range(name: &str, format: Format, range: &calamine::Range<Data>, date1904: bool, visitor: &mut dyn RowVisitor) {
    visitor.begin_sheet(name, format, date1904);
    if let Some((r0, c0)) = range.start() {
        for (i, cells) in range.rows().enumerate() {
            let mut row = vec![Cell::Empty; c0 as usize];
            row.extend(cells.iter().map(from_data));
            emit(visitor, r0 + i as u32 + 1, &row);
        }
    }
    visitor.end_sheet();
}

fn read_xls<R: Read + Seek>(
    path: &Path,
    reader: R,
    visitor: &mut dyn RowVisitor,
) -> Result<Option<&'static str>, ReadError> {
    let corrupt =
        |e: calamine::XlsError| ReadError::Corrupt { path: path.to_path_buf(), format: "xls", message: e.to_string() };
    let mut wb = Xls::new_with_options(reader, XlsOptions::default()).map_err(corrupt)?;
    let date1904 = wb.has_1904_epoch();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        read_range(&name, Format::Xls, &range, date1904, visitor);
    }
    Ok(None)
}

fn read_ods<R: Read + Seek>(
    path: &Path,
    reader: R,
    visitor: &mut dyn RowVisitor,
) -> Result<Option<&'static str>, ReadError> {
    let corrupt =
        |e: calamine::OdsError| ReadError::Corrupt { path: path.to_path_buf(), format: "ods", message: e.to_string() };
    let mut wb = Ods::new(reader).map_err(corrupt)?;
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(corrupt)?;
        // ODS has no serial date system: dates arrive as ISO text.
        read_range(&name, Format::Ods, &range, false, visitor);
    }
    Ok(None)
}

/// An HTML page of tables or an XML Spreadsheet 2003 file. Returns the encoding.
fn read_markup(path: &Path, bytes: &[u8], visitor: &mut dyn RowVisitor) -> Result<&'static str, ReadError> {
    let (text, encoding) = markup::decode(bytes);
    match markup::classify(&text) {
        Some(markup::Markup::Html) => markup::read_html(&text, visitor),
        Some(markup::Markup::Xml2003) => markup::read_xml2003(path, &text, visitor)?,
        None => {
            return Err(ReadError::NotSpreadsheet {
                path: path.to_path_buf(),
                what: "it is an HTML or XML page without a table or worksheet".into(),
            })
        }
    }
    Ok(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_values() {
        assert_eq!(iso_duration("PT00H02M05S"), Cell::Duration(125.0));
        assert_eq!(iso_duration("P1DT1H"), Cell::Duration(90_000.0));
        assert!(matches!(iso_datetime("2009-07-01T08:05:00"), Cell::DateTime(_)));
    }
}

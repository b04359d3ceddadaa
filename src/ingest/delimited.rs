//! CSV and TSV in UTF-8, UTF-16 or GBK/GB18030: decoding (whole, or a piece at a time for a
//! big file), the delimiter, the rows Excel would show, and the records handed to a
//! [`RowVisitor`].

use std::path::Path;

use super::format::{emit, Format, ReadError, RowVisitor};
use super::value::Cell;

/// Decode text bytes: UTF-8 (BOM or valid), UTF-16 with BOM, else GB18030 (a GBK superset).
/// Returns the text and the encoding's name.
pub(crate) fn decode_text(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static str) {
    // The encoding is decided in one place, [`CsvBytes::of`].
    match CsvBytes::of(bytes) {
        // Valid UTF-8 after any BOM: borrowed as it is.
        Some(CsvBytes { utf8: Some(text), encoding, .. }) => (std::borrow::Cow::Borrowed(text), encoding),
        Some(csv) => (encoding_rs::GB18030.decode_without_bom_handling(csv.bytes).0, csv.encoding),
        None if bytes.starts_with(&[0xFF, 0xFE]) => (encoding_rs::UTF_16LE.decode(bytes).0, "UTF-16LE"),
        None if bytes.starts_with(&[0xFE, 0xFF]) => (encoding_rs::UTF_16BE.decode(bytes).0, "UTF-16BE"),
        // A UTF-8 BOM before invalid UTF-8.
        None => (String::from_utf8_lossy(bytes.get(3..).unwrap_or_default()), "UTF-8 (BOM)"),
    }
}

/// A CSV file's bytes decoded a piece at a time (a big file's text is never held whole): UTF-8
/// as it is, GBK/GB18030 through a decoder. Pieces are cut just after a line feed, which is
/// never part of a UTF-8 or GB18030 sequence, so decoding piece by piece gives the text that
/// [`decode_text`] gives for the whole file.
pub(crate) struct CsvBytes<'a> {
    /// The bytes after any BOM.
    pub bytes: &'a [u8],
    /// The encoding's name, as [`decode_text`] names it.
    pub encoding: &'static str,
    /// The text, when the bytes are UTF-8 (checked once, here); `None` for GBK.
    utf8: Option<&'a str>,
}

impl<'a> CsvBytes<'a> {
    /// The bytes of a UTF-8 file (with or without BOM) or a GBK one; `None` for UTF-16 and for
    /// a UTF-8 BOM before invalid UTF-8 (those are decoded whole).
    pub(crate) fn of(raw: &'a [u8]) -> Option<CsvBytes<'a>> {
        if let Some(rest) = raw.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            let text = std::str::from_utf8(rest).ok()?;
            return Some(CsvBytes { bytes: rest, encoding: "UTF-8 (BOM)", utf8: Some(text) });
        }
        if raw.starts_with(&[0xFF, 0xFE]) || raw.starts_with(&[0xFE, 0xFF]) {
            return None;
        }
        let utf8 = std::str::from_utf8(raw).ok();
        Some(CsvBytes { bytes: raw, encoding: if utf8.is_some() { "UTF-8" } else { "GBK/GB18030" }, utf8 })
    }

    /// The text of `bytes[range]` (a range that ends after a line feed or at the end),
    /// decoded into `buf` when the file is GBK.
    pub(crate) fn text<'b>(&'b self, range: std::ops::Range<usize>, buf: &'b mut String) -> std::borrow::Cow<'b, str> {
        if let Some(text) = self.utf8 {
            // Valid UTF-8 cut after a line feed (a character boundary): borrowed, not checked
            // again.
            return match text.get(range.clone()) {
                Some(t) => std::borrow::Cow::Borrowed(t),
                None => String::from_utf8_lossy(&self.bytes[range]),
            };
        }
        let piece = &self.bytes[range];
        buf.clear();
        let mut decoder = encoding_rs::GB18030.new_decoder_without_bom_handling();
        let mut read = 0;
        loop {
            let rest = piece.len() - read;
            buf.reserve(decoder.max_utf8_buffer_length(rest).unwrap_or(rest));
            let (result, n, _) = decoder.decode_to_string(&piece[read..], buf, true);
            read += n;
            if result == encoding_rs::CoderResult::InputEmpty {
                break;
            }
        }
        std::borrow::Cow::Borrowed(buf.as_str())
    }

    /// The field delimiter, sniffed as [`load_csv`] does on the whole text (from the first 25
    /// lines that are not blank), given the file's line starts.
    pub(crate) fn delimiter(&self, path: &Path, line_starts: &[usize]) -> u8 {
        let tsv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
        if tsv {
            return b'\t';
        }
        let mut buf = String::new();
        let mut n = 64;
        loop {
            let end = line_starts.get(n).copied().unwrap_or(self.bytes.len());
            let text = self.text(0..end, &mut buf);
            let enough = text.lines().filter(|l| !l.trim().is_empty()).nth(24).is_some();
            if enough || end == self.bytes.len() {
                return sniff_delimiter(&text);
            }
            n *= 4;
        }
    }
}

/// A CSV/TSV file decoded to text.
pub(crate) struct CsvText {
    /// The text (UTF-8).
    pub text: String,
    /// The encoding it was in.
    pub encoding: &'static str,
    /// The field delimiter.
    pub delimiter: u8,
    /// The "sheet" name: the file stem.
    pub sheet: String,
}

/// Read and decode a CSV/TSV file.
pub(crate) fn load_csv(path: &Path) -> Result<CsvText, ReadError> {
    let bytes = std::fs::read(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    Ok(csv_text(path, &bytes))
}

/// Decode a CSV/TSV file's bytes whole.
pub(crate) fn csv_text(path: &Path, bytes: &[u8]) -> CsvText {
    let (text, encoding) = decode_text(bytes);
    let text = text.into_owned();
    let tsv = path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("tsv"));
    let delimiter = if tsv { b'\t' } else { sniff_delimiter(&text) };
    CsvText { text, encoding, delimiter, sheet: csv_sheet_name(path) }
}

/// The "sheet" name of a CSV file: its stem.
pub(crate) fn csv_sheet_name(path: &Path) -> String {
    path.file_stem().and_then(|s| s.to_str()).unwrap_or("csv").to_string()
}

/// Parse the records of `text` (which starts at a record boundary) into `visitor`, numbering
/// record i with `rows[i]` (the row Excel shows; past the end of `rows`, counting on).
pub(crate) fn parse_records(
    path: &Path,
    text: &str,
    delimiter: u8,
    rows: &[u32],
    visitor: &mut dyn RowVisitor,
) -> Result<(), ReadError> {
    visitor.rows_hint(rows.len());
    if plain_lines(text.as_bytes(), delimiter) {
        parse_plain_lines(text, delimiter, rows, visitor);
        return Ok(());
    }
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut n: usize = 0;
    let mut last = rows.first().map_or(0, |r| r.saturating_sub(1));
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let row = rows.get(n).copied().unwrap_or(last.saturating_add(1));
                last = row;
                n += 1;
                let cells: Vec<Cell<'_>> =
                    record.iter().map(|f| if f.is_empty() { Cell::Empty } else { Cell::Text(f.into()) }).collect();
                emit(visitor, row, &cells);
            }
            Err(e) => {
                return Err(ReadError::Corrupt { path: path.to_path_buf(), format: "csv", message: e.to_string() });
            }
        }
    }
}

/// [`parse_records`] of a text already known to be [`plain_lines`] (not checked again).
pub(crate) fn parse_plain_records(text: &str, delimiter: u8, rows: &[u32], visitor: &mut dyn RowVisitor) {
    visitor.rows_hint(rows.len());
    parse_plain_lines(text, delimiter, rows, visitor);
}

/// Whether every record of `text` is one line split at the delimiter: no quote character,
/// no carriage return except before a line feed, an ASCII delimiter. The csv crate then
/// reads exactly the non-empty lines, each split at every delimiter, which
/// [`parse_plain_lines`] does without re-checking the text's UTF-8. The bytes that decide
/// it are ASCII below 0x30, which GBK/GB18030 never uses inside a character: a GBK file's
/// bytes answer as its decoded text does.
pub(crate) fn plain_lines(text: &[u8], delimiter: u8) -> bool {
    delimiter.is_ascii()
        && delimiter != b'"'
        && memchr::memchr(b'"', text).is_none()
        && memchr::memchr_iter(b'\r', text).all(|i| text.get(i + 1) == Some(&b'\n'))
}

/// The records of a [`plain_lines`] text: each non-empty line (without its `\r\n` or `\n`),
/// split at the delimiter, empty fields as [`Cell::Empty`].
fn plain_cell(f: &str) -> Cell<'_> {
    if f.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(f.into())
    }
}

fn parse_plain_lines(text: &str, delimiter: u8, rows: &[u32], visitor: &mut dyn RowVisitor) {
    let mut n: usize = 0;
    let mut last = rows.first().map_or(0, |r| r.saturating_sub(1));
    let mut cells: Vec<Cell<'_>> = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    // One pass over the text for delimiters and line feeds (both ASCII, so every cut is a
    // character boundary).
    for i in memchr::memchr2_iter(delimiter, b'\n', bytes).chain(std::iter::once(bytes.len())) {
        if i < bytes.len() && bytes[i] == delimiter {
            cells.push(plain_cell(&text[start..i]));
            start = i + 1;
            continue;
        }
        let end = if i > start && bytes[i - 1] == b'\r' { i - 1 } else { i };
        let line_empty = cells.is_empty() && end == start;
        if !line_empty {
            cells.push(plain_cell(&text[start..end]));
            let row = rows.get(n).copied().unwrap_or(last.saturating_add(1));
            last = row;
            n += 1;
            emit(visitor, row, &cells);
        }
        cells.clear();
        start = i + 1;
    }
}

/// Read a CSV/TSV file whole into `visitor`; returns its encoding.
pub(super) fn read_csv(path: &Path, visitor: &mut dyn RowVisitor) -> Result<&'static str, ReadError> {
    let csv = load_csv(path)?;
    visitor.begin_sheet(&csv.sheet, Format::Csv, false);
    // The row Excel shows for each record (blank lines are rows there; the csv crate skips them).
    let rows = record_rows(csv.text.as_bytes(), csv.delimiter);
    parse_records(path, &csv.text, csv.delimiter, &rows, visitor)?;
    visitor.end_sheet();
    Ok(csv.encoding)
}

/// The Excel row number (1-based line of its first line, as Excel shows a CSV: one row per
/// record, blank lines included) of every non-blank record, following RFC 4180 quoting: a
/// quote opens a quoted field only at the start of a field, `""` inside it is a quote.
pub(crate) fn record_rows(text: &[u8], delimiter: u8) -> Vec<u32> {
    if memchr::memchr(b'"', text).is_none() {
        // No quotes (most exports): every non-blank line is a record.
        return lines_unquoted(text).0;
    }
    record_rows_quoted(text, delimiter)
}

/// Whether every carriage return of `text` comes before a line feed. The csv crate ends a
/// record at a lone carriage return, [`record_rows`] does not: only a text without one is cut
/// at the offsets of [`record_starts_quoted`].
pub(crate) fn no_lone_cr(text: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', text).all(|i| text.get(i + 1) == Some(&b'\n'))
}

/// Whether a text with quotes can be cut at the offsets of [`record_starts_quoted`]: an ASCII
/// delimiter other than the quote, and [`no_lone_cr`].
pub(crate) fn cuttable(text: &[u8], delimiter: u8) -> bool {
    delimiter.is_ascii() && delimiter != b'"' && no_lone_cr(text)
}

/// [`record_rows`] of a text with quotes, with the byte offset where each record's first line
/// starts. Cut there, a text with [`no_lone_cr`] reads, piece after piece, as the csv crate
/// reads it whole: the quoting state there is the start of a record in both.
pub(crate) fn record_starts_quoted(text: &[u8], delimiter: u8) -> (Vec<u32>, Vec<usize>) {
    record_scan(text, delimiter)
}

/// The non-blank lines of a text without quotes: the Excel row of each and the byte offset
/// where it starts. Each is one record, so the text can be cut at any of these offsets.
pub(crate) fn lines_unquoted(text: &[u8]) -> (Vec<u32>, Vec<usize>) {
    let n = memchr::memchr_iter(b'\n', text).count() + 1;
    let (mut rows, mut starts) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut start = 0;
    let mut row: u32 = 1;
    for end in memchr::memchr_iter(b'\n', text).chain(std::iter::once(text.len())) {
        if start <= end && text[start..end].iter().any(|b| *b != b'\r') {
            rows.push(row);
            starts.push(start);
        }
        row = row.saturating_add(1);
        start = end + 1;
    }
    (rows, starts)
}

fn record_rows_quoted(text: &[u8], delimiter: u8) -> Vec<u32> {
    record_scan(text, delimiter).0
}

/// The Excel row and the byte offset of the first line of every non-blank record, following
/// RFC 4180 quoting.
fn record_scan(text: &[u8], delimiter: u8) -> (Vec<u32>, Vec<usize>) {
    let (mut rows, mut starts) = (Vec::new(), Vec::new());
    let mut st = St::FieldStart;
    let mut row: u32 = 1;
    let mut start_row: u32 = 1;
    let mut start: usize = 0;
    let mut blank = true;
    let mut i = 0;
    while i < text.len() {
        if st == St::Quoted {
            // Only a quote ends a quoted field; a line break inside it stays in the same
            // Excel row.
            match memchr::memchr(b'"', &text[i..]) {
                Some(k) => {
                    st = St::AfterQuote;
                    i += k + 1;
                    continue;
                }
                None => break,
            }
        }
        // The bytes before the next quote, line feed or delimiter can only make the field
        // unquoted text and the line not blank (a carriage return changes nothing).
        let k = memchr::memchr3(b'"', b'\n', delimiter, &text[i..]).unwrap_or(text.len() - i);
        if text[i..i + k].iter().any(|&b| b != b'\r') {
            st = st.after_other();
            blank = false;
        }
        i += k;
        let Some(&b) = text.get(i) else { break };
        match b {
            b'"' if st == St::AfterQuote => st = St::Quoted,
            b'\n' => {
                if !blank {
                    rows.push(start_row);
                    starts.push(start);
                }
                row = row.saturating_add(1);
                start_row = row;
                start = i + 1;
                blank = true;
                st = St::FieldStart;
            }
            b'"' if st == St::FieldStart => {
                st = St::Quoted;
                blank = false;
            }
            _ if b == delimiter => {
                st = St::FieldStart;
                blank = false;
            }
            _ => {
                st = st.after_other();
                blank = false;
            }
        }
        i += 1;
    }
    if !blank {
        rows.push(start_row);
        starts.push(start);
    }
    (rows, starts)
}

/// Where [`record_scan`] stands in a record.
#[derive(PartialEq, Clone, Copy, Debug)]
enum St {
    FieldStart,
    Unquoted,
    Quoted,
    AfterQuote,
}

impl St {
    /// The state after a byte that is not a quote, line break or delimiter, outside quotes.
    fn after_other(self) -> St {
        match self {
            St::FieldStart | St::AfterQuote => St::Unquoted,
            other => other,
        }
    }
}

/// Pick the delimiter (comma, tab or semicolon) that splits the first lines most consistently.
fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(25).collect();
    let mut best = (b',', 0usize);
    for d in [b',', b'\t', b';'] {
        let max = lines.iter().map(|l| l.bytes().filter(|b| *b == d).count()).max().unwrap_or(0);
        if max > best.1 {
            best = (d, max);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row handed to a visitor, with the cells' raw text.
    #[derive(Default)]
    struct Rows(Vec<(u32, Vec<String>)>);

    impl RowVisitor for Rows {
        fn begin_sheet(&mut self, _: &str, _: Format, _: bool) {}
        fn row(&mut self, row: u32, cells: &[Cell<'_>]) {
            self.0.push((row, cells.iter().map(|c| format!("{c:?}")).collect()));
        }
        fn end_sheet(&mut self) {}
    }

    use proptest::strategy::Strategy as _;

    proptest::proptest! {
        #[test]
        fn plain_lines_read_as_the_csv_crate_reads_them(
            text in "([a-c ,\t]|北|\r\n|\n|\u{3000}){0,60}",
            tab in proptest::bool::ANY,
        ) {
            let delimiter = if tab { b'\t' } else { b',' };
            proptest::prop_assume!(plain_lines(text.as_bytes(), delimiter));
            let rows = record_rows(text.as_bytes(), delimiter);
            let mut ours = Rows::default();
            parse_plain_lines(&text, delimiter, &rows, &mut ours);
            let mut theirs = Rows::default();
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            for (n, record) in rdr.records().enumerate() {
                let record = record.unwrap();
                let cells: Vec<Cell<'_>> =
                    record.iter().map(|f| if f.is_empty() { Cell::Empty } else { Cell::Text(f.into()) }).collect();
                emit(&mut theirs, rows[n], &cells);
            }
            proptest::prop_assert_eq!(ours.0, theirs.0, "{:?}", text);
        }

        #[test]
        fn quoted_text_cut_at_record_starts_reads_as_the_whole(
            text in "([a-c ,]|北|\"|\"\"|\r\n|\n){0,60}",
            cut in proptest::num::usize::ANY,
        ) {
            proptest::prop_assume!(no_lone_cr(text.as_bytes()));
            let (rows, starts) = record_starts_quoted(text.as_bytes(), b',');
            proptest::prop_assert_eq!(&rows, &record_rows(text.as_bytes(), b','));
            let path = Path::new("t.csv");
            let mut whole = Rows::default();
            parse_records(path, &text, b',', &rows, &mut whole).unwrap();
            // Records and rows as the csv crate reads the whole text, at any record start.
            let k = if starts.is_empty() { 0 } else { cut % (starts.len() + 1) };
            let at = starts.get(k).copied().unwrap_or(text.len());
            let mut pieced = Rows::default();
            parse_records(path, &text[..at], b',', &rows[..k], &mut pieced).unwrap();
            parse_records(path, &text[at..], b',', &rows[k..], &mut pieced).unwrap();
            proptest::prop_assert_eq!(pieced.0, whole.0, "{:?} cut at {}", text, at);
        }

        #[test]
        fn quoted_gbk_bytes_cut_at_record_starts_read_as_the_decoded_whole(
            // Quotes, delimiters and line breaks among GBK text, stray lead and trail bytes,
            // GB18030 four-byte starts.
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "([a-c,\"\n 0-9]|\r\n){1,4}".prop_map(|s| s.into_bytes()),
                    proptest::string::string_regex("[北京分公司来电时间]{1,3}").unwrap().prop_map(|s| encoding_rs::GBK.encode(&s).0.into_owned()),
                    proptest::collection::vec(proptest::prop_oneof![
                        proptest::num::u8::ANY, proptest::strategy::Just(0x81u8), proptest::strategy::Just(0x30u8),
                        proptest::strategy::Just(b'"'), proptest::strategy::Just(b'\n'),
                    ], 1..4),
                ],
                0..30,
            ),
            cut in proptest::num::usize::ANY,
        ) {
            let raw = parts.concat();
            let Some(csv) = CsvBytes::of(&raw) else { return Ok(()) };
            proptest::prop_assume!(no_lone_cr(csv.bytes));
            let (whole, _) = decode_text(&raw);
            let path = Path::new("t.csv");
            let mut expected = Rows::default();
            let whole_rows = record_rows(whole.as_bytes(), b',');
            parse_records(path, &whole, b',', &whole_rows, &mut expected).unwrap();
            let (rows, starts) = record_starts_quoted(csv.bytes, b',');
            proptest::prop_assert_eq!(&rows, &whole_rows, "{:?}", raw);
            let k = if starts.is_empty() { 0 } else { cut % (starts.len() + 1) };
            let at = starts.get(k).copied().unwrap_or(csv.bytes.len());
            let mut pieced = Rows::default();
            let mut buf = String::new();
            parse_records(path, &csv.text(0..at, &mut buf), b',', &rows[..k], &mut pieced).unwrap();
            parse_records(path, &csv.text(at..csv.bytes.len(), &mut buf), b',', &rows[k..], &mut pieced).unwrap();
            proptest::prop_assert_eq!(pieced.0, expected.0, "{:?} cut at {}", raw, at);
        }

        #[test]
        fn pieces_cut_after_line_feeds_decode_as_the_whole_file(
            // GBK text, stray lead and trail bytes, GB18030 four-byte starts, line feeds.
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-c,\r\n 0-9]{1,4}".prop_map(|s| s.into_bytes()),
                    proptest::string::string_regex("[北京分公司来电时间]{1,3}").unwrap().prop_map(|s| encoding_rs::GBK.encode(&s).0.into_owned()),
                    proptest::collection::vec(proptest::prop_oneof![
                        proptest::num::u8::ANY, proptest::strategy::Just(0x81u8), proptest::strategy::Just(0x30u8),
                        proptest::strategy::Just(b'\n'),
                    ], 1..4),
                ],
                0..30,
            ),
            bom in proptest::bool::ANY,
        ) {
            let mut raw: Vec<u8> = if bom { vec![0xEF, 0xBB, 0xBF] } else { Vec::new() };
            raw.extend(parts.concat());
            let (whole, encoding) = decode_text(&raw);
            if let Some(csv) = CsvBytes::of(&raw) {
                proptest::prop_assert_eq!(csv.encoding, encoding);
                // Cut after every line feed (the shortest pieces there can be).
                let mut cuts: Vec<usize> = memchr::memchr_iter(b'\n', csv.bytes).map(|i| i + 1).collect();
                cuts.insert(0, 0);
                cuts.push(csv.bytes.len());
                let mut buf = String::new();
                let pieced: String = cuts.windows(2).map(|w| csv.text(w[0]..w[1], &mut buf).into_owned()).collect();
                proptest::prop_assert_eq!(pieced, whole.into_owned(), "{:?}", raw);
            } else {
                proptest::prop_assert!(bom, "only a UTF-8 BOM before invalid UTF-8 is decoded whole");
            }
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(decode_text("\u{FEFF}分公司".as_bytes()).0, "分公司");
        let (gbk, _, _) = encoding_rs::GBK.encode("来电时间,分公司");
        let (t, enc) = decode_text(&gbk);
        assert_eq!(t, "来电时间,分公司");
        assert_eq!(enc, "GBK/GB18030");
        assert_eq!(decode_text("来电".as_bytes()).1, "UTF-8");
    }

    /// [`record_scan`] a byte at a time, as it was written first: the reference.
    fn record_scan_bytewise(text: &[u8], delimiter: u8) -> (Vec<u32>, Vec<usize>) {
        let (mut rows, mut starts) = (Vec::new(), Vec::new());
        let mut st = St::FieldStart;
        let (mut row, mut start_row, mut start, mut blank) = (1u32, 1u32, 0usize, true);
        for (i, &b) in text.iter().enumerate() {
            match st {
                St::Quoted => {
                    if b == b'"' {
                        st = St::AfterQuote;
                    }
                    continue;
                }
                St::AfterQuote if b == b'"' => {
                    st = St::Quoted;
                    continue;
                }
                _ => {}
            }
            match b {
                b'\n' => {
                    if !blank {
                        rows.push(start_row);
                        starts.push(start);
                    }
                    row += 1;
                    start_row = row;
                    start = i + 1;
                    blank = true;
                    st = St::FieldStart;
                }
                b'\r' => {}
                b'"' if st == St::FieldStart => {
                    st = St::Quoted;
                    blank = false;
                }
                _ if b == delimiter => {
                    st = St::FieldStart;
                    blank = false;
                }
                _ => {
                    st = st.after_other();
                    blank = false;
                }
            }
        }
        if !blank {
            rows.push(start_row);
            starts.push(start);
        }
        (rows, starts)
    }

    proptest::proptest! {
        #[test]
        fn record_scan_jumps_as_the_bytewise_scan_steps(
            text in "([a-c ,;]|北|\"|\"\"|\r\n|\n|\r){0,80}",
            semicolon in proptest::bool::ANY,
        ) {
            let delimiter = if semicolon { b';' } else { b',' };
            proptest::prop_assert_eq!(record_scan(text.as_bytes(), delimiter), record_scan_bytewise(text.as_bytes(), delimiter), "{:?}", text);
        }
    }

    #[test]
    fn excel_rows_of_csv_records() {
        let text = "title\r\n\r\nh1,h2\r\nT1,\"a\r\nb\"\r\nT2,\"say \"\"hi\"\"\",x\r\nT3,ab\"c\r\n";
        assert_eq!(record_rows(text.as_bytes(), b','), [1, 3, 4, 5, 6], "a quoted line break stays in its row");
        assert_eq!(record_rows(b"a\nb", b','), [1, 2]);
        assert_eq!(record_rows(b"a\r\n\r\nb\r\n", b','), [1, 3], "the fast path without quotes");
        assert_eq!(record_rows_quoted(b"a\r\n\r\nb\r\n", b','), [1, 3]);
        let quoted = "h\r\n\r\nx,\"a\nb\"\ny\n";
        assert_eq!(record_starts_quoted(quoted.as_bytes(), b','), (vec![1, 3, 4], vec![0, 5, 13]));
        assert!(no_lone_cr(b"a\r\nb") && !no_lone_cr(b"a\rb") && !no_lone_cr(b"a\r"));
        assert_eq!(record_rows(b"", b','), Vec::<u32>::new());
    }

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3"), b';');
    }
}

//! Read: one file's sheets through the sheet readers into a [`State`] of its own — header
//! detection, row parsing ([`super::record`]), rejected rows in the ledger — and a big CSV on
//! two cores.

use std::path::Path;

use super::delimited;
use super::format::{Format, ReadError, RowVisitor};
use super::header::{self, column_letter, detect, Aliases, Header, Kind};
use super::record::{RowCtx, TypeCache};
use super::sheet;
use super::value::{Cell, ValueParser};
use super::{wildcard, IngestOptions, InputFile, State};
use crate::config::{Config, DateSystem};
use crate::model::{Rejected, SheetLedger, Source, Surveys};

/// What reading one file gave.
pub(super) enum FileOutcome<'a> {
    Read(Box<State<'a>>),
    Empty,
    Failed(ReadError),
}

/// Read one file into a state of its own (sheet indices local to the file).
pub(super) fn read_one<'a>(
    file: &InputFile,
    config: &'a Config,
    aliases: &'a Aliases,
    options: IngestOptions,
) -> FileOutcome<'a> {
    if std::fs::metadata(&file.path).map(|m| m.len() == 0).unwrap_or(false) {
        return FileOutcome::Empty;
    }
    let rule = config.files.iter().find(|r| {
        let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        wildcard(&r.pattern, &name) || wildcard(&r.pattern, &file.display)
    });
    let mut state = State::new(config, aliases);
    let mut visitor = FileVisitor {
        state: &mut state,
        file: file.display.clone(),
        forced: rule.map(|r| r.kind),
        forced_type: rule.and_then(|r| r.order_type.clone()),
        sheet: None,
        types: TypeCache::default(),
        hint: 0,
    };
    if is_big_plain_csv(&file.path, options.csv_split_bytes) {
        return match read_csv_in_two(&file.path, &mut visitor) {
            Ok(encoding) => {
                for s in &mut state.ledger.sheets {
                    s.encoding = Some(encoding.to_string());
                }
                FileOutcome::Read(Box::new(state))
            }
            Err(e) => FileOutcome::Failed(e),
        };
    }
    match sheet::read_file(&file.path, &mut visitor) {
        Ok(encoding) => {
            for s in &mut state.ledger.sheets {
                s.encoding = encoding.map(str::to_string);
            }
            FileOutcome::Read(Box::new(state))
        }
        Err(e) => FileOutcome::Failed(e),
    }
}

/// A CSV file of at least `threshold` bytes (parsed on two cores).
fn is_big_plain_csv(path: &Path, threshold: u64) -> bool {
    let big = std::fs::metadata(path).map(|m| m.len() >= threshold).unwrap_or(false);
    big && std::fs::File::open(path).ok().and_then(|mut f| super::format::sniff_file(path, &mut f).ok())
        == Some(Format::Csv)
}

/// Read a big CSV with both cores: the header is found in the first rows; then the first
/// and second halves are parsed at once, each into a state of its own, and the second's rows
/// follow the first's (same sheet, file order kept). Only files without quote characters
/// are cut (every line is then a record); others are read in one piece. A file of plain lines
/// (see [`delimited::plain_lines`]) in UTF-8 or GBK is never decoded whole: its lines are found in
/// its bytes, and each core decodes and parses [`PIECE_LINES`] lines at a time (the piece's
/// text stays in the cache while its rows are parsed; ~140 k fewer page faults reading a
/// province month). Rows, cells and ledger are those of the whole text.
fn read_csv_in_two(path: &Path, first: &mut FileVisitor<'_, '_>) -> Result<&'static str, ReadError> {
    let raw = std::fs::read(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    if let Some(csv) = delimited::CsvBytes::of(&raw) {
        let (rows, starts) = delimited::lines_unquoted(csv.bytes);
        let delim = csv.delimiter(path, &starts);
        if delimited::plain_lines(csv.bytes, delim) {
            let at = |i: usize| starts.get(i).copied().unwrap_or(csv.bytes.len());
            in_two(
                path,
                rows.len(),
                &delimited::csv_sheet_name(path),
                first,
                |from, to, visitor: &mut FileVisitor<'_, '_>| {
                    let mut buf = String::new();
                    let mut a = from;
                    while a < to {
                        let b = (a + PIECE_LINES).min(to);
                        let text = csv.text(at(a)..at(b), &mut buf);
                        delimited::parse_records(path, &text, delim, &rows[a..b], visitor)?;
                        a = b;
                    }
                    Ok(())
                },
            )?;
            return Ok(csv.encoding);
        }
    }
    let csv = delimited::csv_text(path, &raw);
    drop(raw);
    let (text, delim) = (csv.text.as_str(), csv.delimiter);
    if memchr::memchr(b'"', text.as_bytes()).is_some() {
        first.begin_sheet(&csv.sheet, Format::Csv, false);
        let rows = delimited::record_rows(text.as_bytes(), delim);
        delimited::parse_records(path, text, delim, &rows, first)?;
        first.end_sheet();
        return Ok(csv.encoding);
    }
    let (rows, starts) = delimited::lines_unquoted(text.as_bytes());
    let at = |i: usize| starts.get(i).copied().unwrap_or(text.len());
    in_two(path, rows.len(), &csv.sheet, first, |a, b, visitor: &mut FileVisitor<'_, '_>| {
        delimited::parse_records(path, &text[at(a)..at(b)], delim, &rows[a..b], visitor)
    })?;
    Ok(csv.encoding)
}

/// Lines a core decodes and parses at a time in [`read_csv_in_two`].
const PIECE_LINES: usize = 2048;

/// The sheet of `n` records, parsed by `parse(from, to, visitor)` (records `from..to`): the
/// first 20 on this core (the header is among them), then the two halves of the rest at once.
fn in_two(
    path: &Path,
    n: usize,
    sheet_name: &str,
    first: &mut FileVisitor<'_, '_>,
    parse: impl Fn(usize, usize, &mut FileVisitor<'_, '_>) -> Result<(), ReadError> + Sync,
) -> Result<(), ReadError> {
    first.begin_sheet(sheet_name, Format::Csv, false);
    // The header is among the first 20 non-blank rows.
    let head = n.min(20);
    parse(0, head, first)?;
    let split = n / 2;
    let header_found = first.sheet.as_ref().is_some_and(|s| s.header.is_some());
    if !header_found || split <= head {
        parse(head, n, first)?;
        first.end_sheet();
        return Ok(());
    }
    // Room for every record up front: no vector growth (the second half's calls and orders
    // stay a part of their own; its surveys join the first's).
    let kind = first.sheet.as_ref().and_then(|s| s.header.as_ref()).map(|h| h.kind);
    first.state.reserve(kind, if kind == Some(Kind::Surveys) { n } else { split });
    let mut second_state = State::new(first.state.config, first.state.aliases);
    second_state.reserve(kind, n - split);
    second_state.ledger.sheets.push(SheetLedger { rows_read: 0, rejected: 0, ..first.state.ledger.sheets[0].clone() });
    let mut second = FileVisitor {
        state: &mut second_state,
        file: first.file.clone(),
        forced: first.forced,
        forced_type: first.forced_type.clone(),
        sheet: first.sheet.as_ref().map(|s| SheetState { first_survey: 0, ..s.clone() }),
        types: TypeCache::default(),
        hint: 0,
    };
    let (a, b) = std::thread::scope(|scope| {
        let b = scope.spawn(|| parse(split, n, &mut second));
        let a = parse(head, split, first);
        (a, b.join())
    });
    a?;
    match b {
        Ok(r) => r?,
        Err(_) => {
            return Err(ReadError::Corrupt {
                path: path.to_path_buf(),
                format: "csv",
                message: "the reader thread stopped".into(),
            })
        }
    }
    drop(second);
    first.state.absorb_same_sheet(second_state);
    first.end_sheet();
    Ok(())
}

/// The sheet being read.
#[derive(Clone)]
struct SheetState {
    index: u32,
    parser: ValueParser,
    header: Option<Header>,
    rows_seen: usize,
    /// The best partial header match seen, for the "matched nothing" message.
    closest: Option<(Kind, usize, Vec<&'static str>)>,
    /// Index of this sheet's first survey (score scale is decided per sheet).
    first_survey: usize,
}

struct FileVisitor<'s, 'a> {
    state: &'s mut State<'a>,
    file: String,
    forced: Option<Kind>,
    forced_type: Option<String>,
    sheet: Option<SheetState>,
    types: TypeCache,
    /// Rows announced by the reader, reserved once the sheet's kind is known.
    hint: usize,
}

impl RowVisitor for FileVisitor<'_, '_> {
    fn rows_hint(&mut self, n: usize) {
        self.hint = n;
    }

    fn begin_sheet(&mut self, name: &str, format: Format, date1904: bool) {
        let index = self.state.ledger.sheets.len() as u32;
        self.state.ledger.sheets.push(SheetLedger {
            file: self.file.clone(),
            sheet: name.to_string(),
            format: format.name().to_string(),
            ..Default::default()
        });
        let date1904 = match self.state.config.ingest.date_system {
            DateSystem::Auto => date1904,
            DateSystem::S1900 => false,
            DateSystem::S1904 => true,
        };
        self.sheet = Some(SheetState {
            index,
            parser: ValueParser::new(self.state.config.ingest.missing.clone(), date1904),
            header: None,
            rows_seen: 0,
            closest: None,
            first_survey: self.state.surveys.len(),
        });
    }

    fn row(&mut self, row: u32, cells: &[Cell<'_>]) {
        let Some(sheet) = self.sheet.as_mut() else { return };
        let state = &mut *self.state;
        match &sheet.header {
            Some(header) => {
                let ledger = &mut state.ledger.sheets[sheet.index as usize];
                ledger.rows_read += 1;
                let src = Source { sheet: sheet.index, row };
                let ctx = RowCtx { cells, header, p: &sheet.parser };
                let result = match header.kind {
                    Kind::Calls => ctx.call(src).map(|c| state.calls.push(&c)),
                    Kind::WorkOrders => ctx
                        .order(src, state.config, self.forced_type.as_deref(), &mut self.types)
                        .map(|o| state.orders.push(&o)),
                    Kind::Surveys => ctx.survey(src, state.config).map(|s| state.surveys.push(&s)),
                };
                if let Err(rej) = result {
                    ledger.rejected += 1;
                    state.ledger.rejected.push(Rejected {
                        src,
                        column: column_name(header, rej.field),
                        raw: rej.raw,
                        reason: rej.reason,
                    });
                }
            }
            None => {
                sheet.rows_seen += 1;
                if sheet.rows_seen > 20 {
                    return;
                }
                let forced_type = self.forced_type.is_some();
                let rows = [cells.to_vec()];
                if let Some(h) = detect(state.aliases, &rows, self.forced, forced_type) {
                    let ledger = &mut state.ledger.sheets[sheet.index as usize];
                    ledger.kind = Some(h.kind);
                    ledger.header_row = Some(row);
                    let mut columns: Vec<(&'static str, String)> =
                        h.columns.keys().map(|f| (*f, column_name(&h, f))).collect();
                    columns.sort_by_key(|(f, _)| h.columns[f]);
                    ledger.columns = columns;
                    state.reserve(Some(h.kind), self.hint);
                    sheet.header = Some(h);
                } else {
                    for kind in Kind::ALL {
                        if self.forced.is_some_and(|f| f != kind) {
                            continue;
                        }
                        let cols = state.aliases.match_row(kind, &rows[0]);
                        if cols.len() > sheet.closest.as_ref().map_or(0, |c| c.1) {
                            let missing = missing_required(kind, &cols, forced_type);
                            sheet.closest = Some((kind, cols.len(), missing));
                        }
                    }
                }
            }
        }
    }

    fn end_sheet(&mut self) {
        let Some(sheet) = self.sheet.take() else { return };
        let state = &mut *self.state;
        let ledger = &mut state.ledger.sheets[sheet.index as usize];
        match &sheet.header {
            None => {
                ledger.note = Some(if sheet.rows_seen == 0 {
                    "空表 (empty sheet): skipped".to_string()
                } else {
                    match &sheet.closest {
                        Some((kind, _, missing)) => format!(
                            "未识别 (matches no kind): no header row in the first 20 rows; closest is {} ({}), missing {}",
                            kind,
                            kind.label(),
                            missing.join(", ")
                        ),
                        None => "未识别 (matches no kind): no known column names in the first 20 rows".to_string(),
                    }
                });
            }
            Some(_) if ledger.rows_read == 0 => {
                ledger.note = Some("只有表头 (header only): no data rows".to_string());
            }
            Some(h) if h.kind == Kind::Surveys => {
                resolve_scores(&mut state.surveys, sheet.first_survey, &state.config.surveys);
            }
            Some(_) => {}
        }
    }
}

pub(super) fn missing_required(kind: Kind, cols: &header::Columns, type_given: bool) -> Vec<&'static str> {
    let need: &[&str] = match kind {
        Kind::Calls => &["start_time", "wait_seconds"],
        Kind::WorkOrders if type_given => &["order_id", "branch", "created_at"],
        Kind::WorkOrders => &["order_id", "order_type", "branch", "created_at"],
        Kind::Surveys => &["surveyed_at", "contacted"],
    };
    let mut missing: Vec<&'static str> = need.iter().copied().filter(|f| !cols.contains_key(f)).collect();
    if kind == Kind::Calls && !cols.contains_key("answered") && !cols.contains_key("talk_seconds") {
        missing.push("answered|talk_seconds");
    }
    missing
}

/// Decide the score scale of one sheet's surveys (1–10 when any score exceeds 5) and
/// turn scores into satisfied / not.
fn resolve_scores(surveys: &mut Surveys, first: usize, cfg: &crate::config::SurveyConfig) {
    let scores = &surveys.score[first..];
    let max = scores.iter().flatten().fold(0.0, |a: f64, b| a.max(*b));
    let threshold = if max > 5.0 { cfg.min_score_10 } else { cfg.min_score_5 };
    for (satisfied, score) in surveys.satisfied[first..].iter_mut().zip(scores) {
        if let Some(score) = score {
            *satisfied = Some(*score >= threshold);
        }
    }
}

fn column_name(header: &Header, field: &str) -> String {
    match header.columns.get(field) {
        Some(&c) => format!("{}「{}」", column_letter(c), header.names.get(c).map(String::as_str).unwrap_or(field)),
        None => field.to_string(),
    }
}

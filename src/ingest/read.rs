//! Read: one file's sheets through the sheet readers into a [`State`] of its own — header
//! detection, row parsing ([`super::record`]), rejected rows in the ledger — and a big CSV on
//! two cores.

use std::path::Path;

use super::delimited;
use super::format::{Format, ReadError, RowVisitor};
use super::header::{self, column_letter, detect_names, header_texts, Aliases, Header, How, Kind};
use super::profile::{Pending, PROFILE_ROWS};
use super::record::{RowCtx, TypeCache};
use super::sheet;
use super::value::{Cell, ValueParser};
use super::{wildcard, IngestOptions, InputFile, State};
use crate::config::{Config, DateSystem};
use crate::model::{Rejected, SheetLedger, Source, Surveys, Unreadable};
use crate::period::Period;

/// What reading one file gave.
pub(super) enum FileOutcome<'a> {
    Read(Box<State<'a>>),
    Empty,
    Failed(ReadError),
}

/// The `[[files]]` rule of a file: the first whose pattern matches its name or path.
pub(super) fn rule_for<'c>(config: &'c Config, file: &InputFile) -> Option<&'c crate::config::FileRule> {
    let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    config.files.iter().find(|r| wildcard(&r.pattern, &name) || wildcard(&r.pattern, &file.display))
}

/// Read one file into a state of its own (sheet indices local to the file). `known`: the
/// branch names a `branch = "from_name"` rule chooses among.
pub(super) fn read_one<'a>(
    file: &InputFile,
    config: &'a Config,
    aliases: &'a Aliases,
    options: IngestOptions,
    month: Period,
    known: &[String],
) -> FileOutcome<'a> {
    if std::fs::metadata(&file.path).map(|m| m.len() == 0).unwrap_or(false) {
        return FileOutcome::Empty;
    }
    let rule = rule_for(config, file);
    // The rule's constant fields, by the kind's own field names.
    let constants: Vec<(&'static str, String)> = rule
        .map(|r| {
            r.kind
                .fields()
                .iter()
                .filter_map(|(f, _)| r.fields.get(*f).filter(|v| *v != "from_name").map(|v| (*f, v.clone())))
                .collect()
        })
        .unwrap_or_default();
    let mut state = State::new(config, aliases);
    let mut visitor = FileVisitor {
        state: &mut state,
        file: file.display.clone(),
        forced: rule.map(|r| r.kind),
        forced_type: rule.and_then(|r| r.order_type.clone()),
        sheet: None,
        types: TypeCache::default(),
        hint: 0,
        month,
        constants,
        from_name: rule.is_some_and(|r| r.branch_from_name()).then(|| known.to_vec()),
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
/// follow the first's (same sheet, file order kept). A file with quote characters is cut
/// between records, found by a quote-aware scan (one with a carriage return not before a line
/// feed, where the csv crate would end a record, is read in one piece). A UTF-8 or GBK file
/// of plain lines (see [`delimited::plain_lines`]) or of quoted records is never decoded
/// whole: its records are found in its bytes, and each core decodes and parses
/// [`PIECE_LINES`] records at a time (the piece's
/// text stays in the cache while its rows are parsed; ~140 k fewer page faults reading a
/// province month). Rows, cells and ledger are those of the whole text.
fn read_csv_in_two(path: &Path, first: &mut FileVisitor<'_, '_>) -> Result<&'static str, ReadError> {
    let raw = std::fs::read(path).map_err(|source| ReadError::Io { path: path.to_path_buf(), source })?;
    if let Some(csv) = delimited::CsvBytes::of(&raw) {
        let (rows, starts) = delimited::lines_unquoted(csv.bytes);
        let delim = csv.delimiter(path, &starts);
        let plain = delimited::plain_lines(csv.bytes, delim);
        if plain || delimited::cuttable(csv.bytes, delim) {
            // Quoted fields: the records are found in the bytes (quotes, line breaks and
            // delimiters are ASCII, which GBK/GB18030 never uses inside a character).
            let (rows, starts) = if plain { (rows, starts) } else { delimited::record_starts_quoted(csv.bytes, delim) };
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
                        if plain {
                            // Plain lines, as the whole file was found to be.
                            delimited::parse_plain_records(&text, delim, &rows[a..b], visitor);
                        } else {
                            delimited::parse_records(path, &text, delim, &rows[a..b], visitor)?;
                        }
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
    text_in_two(path, &csv.text, csv.delimiter, &csv.sheet, first)?;
    Ok(csv.encoding)
}

/// [`read_csv_in_two`] of a file's whole text.
fn text_in_two(
    path: &Path,
    text: &str,
    delim: u8,
    sheet: &str,
    first: &mut FileVisitor<'_, '_>,
) -> Result<(), ReadError> {
    let quoted = memchr::memchr(b'"', text.as_bytes()).is_some();
    if quoted && !delimited::cuttable(text.as_bytes(), delim) {
        first.begin_sheet(sheet, Format::Csv, false);
        let rows = delimited::record_rows(text.as_bytes(), delim);
        delimited::parse_records(path, text, delim, &rows, first)?;
        first.end_sheet();
        return Ok(());
    }
    // Quoted fields: cut between records (a quote-aware scan of the text finds where they
    // start), the halves parsed at once as the unquoted lines are.
    let (rows, starts) = if quoted {
        delimited::record_starts_quoted(text.as_bytes(), delim)
    } else {
        delimited::lines_unquoted(text.as_bytes())
    };
    let at = |i: usize| starts.get(i).copied().unwrap_or(text.len());
    in_two(path, rows.len(), sheet, first, |a, b, visitor: &mut FileVisitor<'_, '_>| {
        delimited::parse_records(path, &text[at(a)..at(b)], delim, &rows[a..b], visitor)
    })
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
        month: first.month,
        constants: first.constants.clone(),
        from_name: first.from_name.clone(),
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
    /// Non-blank rows seen before a header was found.
    rows_seen: usize,
    /// The first rows (owned): before a header is found, the first 20 and the rows below
    /// them (for the "looks like an export" verdict and its proposals).
    rows: Vec<(u32, Vec<Cell<'static>>)>,
    /// The header row's names until the row below has been seen (a two-row header's second
    /// row is joined to it, not read as data).
    header_names: Option<Vec<String>>,
    /// The previous row's texts while no header is found (a two-row header's first row).
    prev_names: Option<Vec<String>>,
    /// Index of this sheet's first survey (score scale is decided per sheet).
    first_survey: usize,
    /// The sheet cannot be read (already said in the ledger): its rows are passed over.
    skip: bool,
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
    /// The period read (its dates are the evidence of a date column).
    month: Period,
    /// Fields a `[[files]]` rule sets to a constant.
    constants: Vec<(&'static str, String)>,
    /// `branch = "from_name"`: the known branch names to find in the file name or title.
    from_name: Option<Vec<String>>,
}

impl FileVisitor<'_, '_> {
    /// Fields given by the file's rule (present without a column).
    fn given(&self) -> Vec<&'static str> {
        let mut g: Vec<&'static str> = self.constants.iter().map(|(f, _)| *f).collect();
        if self.from_name.is_some() {
            g.push("branch");
        }
        g
    }
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
            rows: Vec::new(),
            header_names: None,
            prev_names: None,
            first_survey: self.state.surveys.len(),
            skip: false,
        });
    }

    fn row(&mut self, row: u32, cells: &[Cell<'_>]) {
        let given = if self.sheet.as_ref().is_some_and(|s| s.header.is_none()) { self.given() } else { Vec::new() };
        let Some(sheet) = self.sheet.as_mut() else { return };
        if sheet.skip {
            return;
        }
        let state = &mut *self.state;
        if sheet.header.is_some() && sheet.header_names.is_some() {
            // The row below the header: a two-row header's second row is joined, not read.
            let names = sheet.header_names.take().unwrap_or_default();
            if let Some(mut h) =
                sub_header(state.aliases, &names, cells, sheet.header.as_ref(), self.forced, self.forced_type.is_some())
            {
                if let Some(old) = &sheet.header {
                    for (slot, c) in old.constants.iter().enumerate() {
                        if h.slots[slot].is_none() {
                            h.constants[slot] = c.clone();
                        }
                    }
                }
                set_header(&mut state.ledger.sheets[sheet.index as usize], &h, None);
                sheet.header = Some(h);
                return;
            }
        }
        match &sheet.header {
            Some(header) => {
                if is_blank_row(cells, &sheet.parser) {
                    return;
                }
                let ledger = &mut state.ledger.sheets[sheet.index as usize];
                ledger.rows_read += 1;
                if is_footer(cells) {
                    ledger.footer += 1;
                    return;
                }
                if sheet.rows.len() < PROFILE_ROWS {
                    sheet.rows.push((row, cells.iter().map(owned).collect()));
                }
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
                if sheet.rows.len() < 20 + PROFILE_ROWS {
                    sheet.rows.push((row, cells.iter().map(owned).collect()));
                }
                if sheet.rows_seen > 20 {
                    return;
                }
                let names = header_texts(cells);
                // A header alone, or the second row of a two-row header under the row before.
                // The two rows joined win when they read more columns (a second row can hold
                // a kind's required fields on its own while its first holds the rest).
                let alone = detect_names(state.aliases, &names, self.forced, self.forced_type.is_some(), &given);
                let joined = sheet.prev_names.as_ref().and_then(|top| {
                    let rows = join_rows(top, cells)?;
                    joined_header(state.aliases, rows, self.forced, self.forced_type.is_some(), &given)
                });
                let found = match (alone, joined) {
                    (Some(a), Some(j)) if j.columns.len() <= a.columns.len() => Some(a),
                    (a, j) => j.or(a),
                };
                let two_rows = found.as_ref().is_some_and(|h| h.names != names);
                sheet.prev_names = Some(names.clone());
                if let Some(mut h) = found {
                    let mut constants = self.constants.clone();
                    if let (Some(known), false) = (&self.from_name, h.columns.contains_key("branch")) {
                        let ledger = &state.ledger.sheets[sheet.index as usize];
                        let titles: Vec<String> =
                            sheet.rows[..sheet.rows.len() - 1].iter().flat_map(|(_, c)| header_texts(c)).collect();
                        match branch_from_name(known, &ledger.file, &ledger.sheet, &titles.join(" ")) {
                            Ok(b) => constants.push(("branch", b)),
                            Err(why) => {
                                let ledger = &mut state.ledger.sheets[sheet.index as usize];
                                ledger.note = Some(format!("无法确定分公司 (no branch): {why}"));
                                state.ledger.unreadable.push(Unreadable {
                                    sheet: sheet.index,
                                    kind: h.kind,
                                    header_row: row,
                                    why,
                                    missing: vec!["branch"],
                                });
                                sheet.skip = true;
                                return;
                            }
                        }
                    }
                    h.set_constants(&constants);
                    set_header(&mut state.ledger.sheets[sheet.index as usize], &h, Some(row));
                    state.reserve(Some(h.kind), self.hint);
                    sheet.header = Some(h);
                    // A header of two rows has had its second row.
                    sheet.header_names = (!two_rows).then_some(names);
                    sheet.rows.clear();
                }
            }
        }
    }

    fn end_sheet(&mut self) {
        let Some(sheet) = self.sheet.take() else { return };
        if sheet.skip {
            return;
        }
        let state = &mut *self.state;
        let ledger = &mut state.ledger.sheets[sheet.index as usize];
        match &sheet.header {
            None if sheet.rows_seen == 0 => ledger.note = Some("空表 (empty sheet): skipped".to_string()),
            None => {
                let verdict = looks_like(
                    state.aliases,
                    &sheet.rows,
                    self.forced,
                    self.forced_type.is_some(),
                    &ledger.file,
                    &ledger.sheet,
                );
                match verdict {
                    Some(v) => {
                        let names = header_texts(&sheet.rows[v.at].1);
                        let taken: Vec<usize> = v.columns.values().copied().collect();
                        let below: Vec<Vec<Cell<'static>>> =
                            sheet.rows[v.at + 1..].iter().map(|r| r.1.clone()).collect();
                        state.pending.push(Pending {
                            sheet: sheet.index,
                            kind: v.kind,
                            missing: v.missing.clone(),
                            names: names.clone(),
                            taken,
                            rows: below,
                            parser: sheet.parser.clone(),
                            strict: false,
                        });
                        ledger.kind = None;
                        ledger.header_row = Some(sheet.rows[v.at].0);
                        let mut columns: Vec<(&'static str, String)> = v
                            .columns
                            .iter()
                            .map(|(f, c)| (*f, format!("{}「{}」", column_letter(*c), names[*c])))
                            .collect();
                        columns.sort_by(|a, b| v.columns[a.0].cmp(&v.columns[b.0]));
                        ledger.matched_by =
                            columns.iter().map(|(f, _)| v.how.get(f).map_or("alias", |h| h.words())).collect();
                        ledger.columns = columns;
                        ledger.note = Some(format!(
                            "像{} ({}) 但无法读取 (looks like {} but cannot be read): {}; missing {}",
                            v.kind.label(),
                            v.kind.id(),
                            v.kind.id(),
                            v.why,
                            v.missing.join(", ")
                        ));
                        state.ledger.unreadable.push(Unreadable {
                            sheet: sheet.index,
                            kind: v.kind,
                            header_row: sheet.rows[v.at].0,
                            why: v.why,
                            missing: v.missing,
                        });
                    }
                    None => {
                        ledger.note = Some(match closest(state.aliases, &sheet.rows, self.forced, self.forced_type.is_some()) {
                            Some((kind, missing)) => format!(
                                "未识别 (matches no kind): no header row in the first 20 rows; closest is {} ({}), missing {}",
                                kind,
                                kind.label(),
                                missing.join(", ")
                            ),
                            None => "未识别 (matches no kind): no known column names in the first 20 rows".to_string(),
                        });
                    }
                }
            }
            Some(_) if ledger.rows_read == 0 => {
                ledger.note = Some("只有表头 (header only): no data rows".to_string());
            }
            Some(h) => {
                if h.kind == Kind::Surveys {
                    resolve_scores(&mut state.surveys, sheet.first_survey, &state.config.surveys);
                }
                // Optional fields without a column, where a column is left to propose.
                let missing: Vec<&'static str> = h
                    .kind
                    .fields()
                    .iter()
                    .enumerate()
                    .filter(|(slot, _)| h.slots[*slot].is_none() && h.constants[*slot].is_none())
                    .map(|(_, (f, _))| *f)
                    .collect();
                let taken: Vec<usize> = h.columns.values().copied().collect();
                let free = h.names.iter().enumerate().any(|(c, n)| !n.is_empty() && !taken.contains(&c));
                if !missing.is_empty() && free {
                    state.pending.push(Pending {
                        sheet: sheet.index,
                        kind: h.kind,
                        missing,
                        names: h.names.clone(),
                        taken,
                        rows: sheet.rows.iter().map(|r| r.1.clone()).collect(),
                        parser: sheet.parser.clone(),
                        strict: true,
                    });
                }
            }
        }
    }
}

/// `branch = "from_name"`: the one known branch name that the file name, sheet name or title
/// rows hold (a name ending in 分公司 is also found by its stem: 安岳分公司 in `安岳_工单.xlsx`);
/// the longest wins. None, or two different branches as long, is an error saying which.
fn branch_from_name(known: &[String], file: &str, sheet: &str, titles: &str) -> Result<String, String> {
    let text = format!("{file} {sheet} {titles}");
    let stem = |k: &str| k.strip_suffix("分公司").filter(|s| s.chars().count() >= 2).unwrap_or(k).to_string();
    let mut hits: Vec<(usize, bool, &String)> = known
        .iter()
        .filter(|k| !k.is_empty())
        .filter_map(|k| {
            let s = stem(k);
            if text.contains(k.as_str()) {
                Some((s.chars().count(), true, k))
            } else {
                (s != *k && text.contains(s.as_str())).then(|| (s.chars().count(), false, k))
            }
        })
        .collect();
    // Longest stem first; a name written whole before one found by its stem; then the longer name.
    hits.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.chars().count().cmp(&a.2.chars().count())));
    let Some(&(len, _, best)) = hits.first() else {
        let shown: Vec<&str> = known.iter().take(12).map(String::as_str).collect();
        return Err(format!(
            "branch = \"from_name\", but neither the file name nor the title names a known branch ({}{})",
            shown.join(", "),
            if known.len() > 12 { ", …" } else { "" }
        ));
    };
    if let Some((_, _, other)) = hits.iter().find(|(l, _, k)| *l == len && stem(k) != stem(best)) {
        return Err(format!("branch = \"from_name\", but the name holds two branches: {best} and {other}"));
    }
    Ok(best.clone())
}

/// A cell that owns its text (kept beyond the reader's row).
fn owned(c: &Cell<'_>) -> Cell<'static> {
    match c {
        Cell::Empty => Cell::Empty,
        Cell::Text(t) => Cell::Text(std::borrow::Cow::Owned(t.to_string())),
        Cell::Number(n) => Cell::Number(*n),
        Cell::Bool(b) => Cell::Bool(*b),
        Cell::DateTime(d) => Cell::DateTime(*d),
        Cell::Duration(d) => Cell::Duration(*d),
        Cell::Error(e) => Cell::Error(e.clone()),
    }
}

/// The ledger's view of a detected header: kind, row, columns and how each was matched.
fn set_header(ledger: &mut SheetLedger, h: &Header, row: Option<u32>) {
    ledger.kind = Some(h.kind);
    if let Some(row) = row {
        ledger.header_row = Some(row);
    }
    let mut columns: Vec<(&'static str, String)> = h.columns.keys().map(|f| (*f, column_name(h, f))).collect();
    columns.sort_by_key(|(f, _)| h.columns[f]);
    ledger.matched_by = columns.iter().map(|(f, _)| h.how.get(f).map_or("alias", |w| w.words())).collect();
    ledger.columns = columns;
}

/// A row whose every cell is empty or a missing-value token (`-`, `NULL`…): a blank row.
fn is_blank_row(cells: &[Cell<'_>], p: &ValueParser) -> bool {
    cells.iter().all(|c| match c {
        Cell::Text(_) => p.text(c).is_none(),
        other => other.is_blank(),
    })
}

/// Words that open a row of totals.
const TOTAL_WORDS: &[&str] = &["合计", "总计", "小计", "总合计"];
/// Words that open a note after the data.
const NOTE_WORDS: &[&str] =
    &["数据来源", "导出时间", "导出人", "制表", "统计时间", "统计口径", "备注：", "说明：", "注：", "注:"];

/// A row of totals (its first filled cell is 合计/总计/小计) or a note after the data (at most
/// two filled cells, the first opening with 数据来源：, 导出时间：…): not a data row.
fn is_footer(cells: &[Cell<'_>]) -> bool {
    let mut filled = cells.iter().filter(|c| !c.is_blank());
    let Some(Cell::Text(first)) = filled.next() else { return false };
    let first = first.trim();
    if TOTAL_WORDS
        .iter()
        .any(|w| first == *w || first.strip_prefix(w).is_some_and(|r| r.starts_with([':', '：', ' ', '(', '（'])))
    {
        return true;
    }
    NOTE_WORDS.iter().any(|w| first.starts_with(w)) && filled.count() <= 1
}

/// Two header rows joined, when `cells` is the second row of a two-row header under `top`:
/// every filled cell is text that is no number, date or duration (yes/no words such as 及时
/// can be headers), and a group starts above it (a cell filled in both rows) and goes on
/// (a cell filled under an empty top cell, the rest of the merged group cell); the top row has
/// two filled cells or more (a title row is not a group row). Each cell below a group is
/// joined to it (`满意度评价/总体`). Returns the joined names, which of them were joined, and
/// the second row's texts.
fn join_rows(top: &[String], cells: &[Cell<'_>]) -> Option<(Vec<String>, Vec<bool>, Vec<String>)> {
    let sub = header_texts(cells);
    let filled: Vec<usize> = (0..sub.len()).filter(|&i| !sub[i].is_empty()).collect();
    let text_only = !filled.is_empty()
        && filled.iter().all(|&i| {
            matches!(cells[i], Cell::Text(_))
                && super::value::parse_datetime_text(&sub[i]).is_none()
                && super::value::parse_duration_text(&sub[i]).is_none()
        });
    let top_at = |i: usize| top.get(i).map(String::as_str).unwrap_or("");
    let starts = filled.iter().any(|&i| !top_at(i).is_empty());
    let goes_on = filled.iter().any(|&i| top_at(i).is_empty());
    if !(text_only && starts && goes_on && top.iter().filter(|n| !n.is_empty()).count() >= 2) {
        return None;
    }
    let width = top.len().max(sub.len());
    let mut joined = Vec::with_capacity(width);
    let mut group = String::new();
    let mut was_joined = vec![false; width];
    for (i, joined_here) in was_joined.iter_mut().enumerate() {
        let above = top_at(i);
        if !above.is_empty() {
            group = above.to_string();
        }
        match sub.get(i).map(String::as_str).unwrap_or("") {
            "" => joined.push(above.to_string()),
            below if group.is_empty() => joined.push(below.to_string()),
            below => {
                *joined_here = true;
                joined.push(format!("{group}/{below}"));
            }
        }
    }
    Some((joined, was_joined, sub))
}

/// The header two joined rows make (see [`join_rows`]): the joined names matched as one row
/// (of `kind` when known), then each second-row cell still unmatched mapped to the one field
/// with an alias that holds it (`态度` → attitude: 服务态度). `None` when they hold no kind's
/// required fields.
fn joined_header(
    aliases: &Aliases,
    (joined, was_joined, sub): (Vec<String>, Vec<bool>, Vec<String>),
    kind: Option<Kind>,
    type_given: bool,
    given: &[&'static str],
) -> Option<Header> {
    let mut h = detect_names(aliases, &joined, kind, type_given, given)?;
    h.names = joined;
    for (f, c) in h.columns.clone() {
        if was_joined[c] {
            h.how.insert(f, How::Joined);
        }
    }
    for (i, text) in sub.iter().enumerate() {
        if text.is_empty() || h.columns.values().any(|c| *c == i) {
            continue;
        }
        if let Some(f) = aliases.field_holding(h.kind, text) {
            if !h.columns.contains_key(f) {
                h.columns.insert(f, i);
                h.how.insert(f, How::Joined);
            }
        }
    }
    h.slots = h.kind.fields().iter().map(|(f, _)| h.columns.get(f).copied()).collect();
    Some(h)
}

/// The row below a detected header, when it is the header's second row ([`join_rows`]): the
/// header both rows make (the first row's own header when the joined names read no better).
/// The row is not data either way.
fn sub_header(
    aliases: &Aliases,
    names: &[String],
    cells: &[Cell<'_>],
    header: Option<&Header>,
    forced: Option<Kind>,
    type_given: bool,
) -> Option<Header> {
    let header = header?;
    let rows = join_rows(names, cells)?;
    let given: Vec<&'static str> = header
        .kind
        .fields()
        .iter()
        .enumerate()
        .filter(|(s, _)| header.constants[*s].is_some())
        .map(|(_, (f, _))| *f)
        .collect();
    let joined = rows.0.clone();
    let h = joined_header(aliases, rows, forced.or(Some(header.kind)), type_given, &given)
        .filter(|h| h.kind == header.kind)
        .unwrap_or_else(|| Header { names: joined, ..header.clone() });
    Some(h)
}

/// Why a sheet without a header is taken for an export of a kind.
struct Verdict {
    kind: Kind,
    /// Index in the kept rows of the row taken for its header.
    at: usize,
    columns: header::Columns,
    how: rustc_hash::FxHashMap<&'static str, How>,
    missing: Vec<&'static str>,
    why: String,
}

/// The kind a file, sheet or title names: 话务/呼叫, 工单/障碍/装机/投诉, 回访.
fn kind_named(text: &str) -> Option<Kind> {
    if text.contains("回访") {
        Some(Kind::Surveys)
    } else if ["话务", "呼叫", "来电"].iter().any(|w| text.contains(w)) {
        Some(Kind::Calls)
    } else if ["工单", "障碍", "故障", "装机", "投诉"].iter().any(|w| text.contains(w)) {
        Some(Kind::WorkOrders)
    } else {
        None
    }
}

/// SPEC §8.1: a sheet looks like an export of a kind when its best header row holds a
/// required field of that kind and at least two more of its fields; or when at least 20 rows
/// follow a header-like row (three or more filled text cells) and the file, sheet or title
/// names the kind. A notes sheet or a small pivot (分公司 × 投诉量) is neither.
fn looks_like(
    aliases: &Aliases,
    rows: &[(u32, Vec<Cell<'static>>)],
    forced: Option<Kind>,
    type_given: bool,
    file: &str,
    sheet_name: &str,
) -> Option<Verdict> {
    let required = |kind: Kind| -> &'static [&'static str] {
        match kind {
            Kind::Calls => &["start_time", "wait_seconds", "answered", "talk_seconds"],
            Kind::WorkOrders => &["order_id", "order_type", "branch", "created_at"],
            Kind::Surveys => &["surveyed_at", "contacted"],
        }
    };
    let mut best: Option<(usize, Kind, header::Matched)> = None;
    for (at, (_, cells)) in rows.iter().enumerate().take(20) {
        let names = header_texts(cells);
        for kind in Kind::ALL {
            if forced.is_some_and(|f| f != kind) {
                continue;
            }
            let m = aliases.match_names(kind, &names);
            let this_q = qualifies(&m, required(kind));
            let better = best.as_ref().is_none_or(|(_, b_kind, b)| {
                let b_q = qualifies(b, required(*b_kind));
                (this_q, m.columns.len()) > (b_q, b.columns.len())
            });
            if better && !m.columns.is_empty() {
                best = Some((at, kind, m));
            }
        }
    }
    let hit = |at: usize, kind: Kind, m: header::Matched, why: String| Verdict {
        kind,
        at,
        missing: missing_required(kind, &m.columns, type_given),
        columns: m.columns,
        how: m.how,
        why,
    };
    if let Some((at, kind, m)) = best {
        if qualifies(&m, required(kind)) {
            let mut fields: Vec<(&str, usize)> = m.columns.iter().map(|(f, c)| (*f, *c)).collect();
            fields.sort_by_key(|x| x.1);
            let why =
                format!("row {} holds {}", rows[at].0, fields.iter().map(|(f, _)| *f).collect::<Vec<_>>().join(", "));
            return Some(hit(at, kind, m, why));
        }
    }
    // A header-like row with 20 rows or more below, and a name that says the kind.
    let title: String = rows.iter().take(3).flat_map(|(_, c)| header_texts(c)).collect::<Vec<_>>().join(" ");
    let named = kind_named(file).or_else(|| kind_named(sheet_name)).or_else(|| kind_named(&title))?;
    if forced.is_some_and(|f| f != named) {
        return None;
    }
    let at = rows
        .iter()
        .take(20)
        .position(|(_, c)| c.iter().filter(|x| matches!(x, Cell::Text(_)) && !x.is_blank()).count() >= 3)?;
    if rows.len() - at - 1 < 20 {
        return None;
    }
    let m = aliases.match_names(named, &header_texts(&rows[at].1));
    let why = format!("{} rows below a header row, and its name says {}", rows.len() - at - 1, named.label());
    Some(hit(at, named, m, why))
}

/// A header row that makes its sheet look like an export of a kind: a required field and two
/// more of the kind's fields, or two of its required fields (start time and wait of a call).
fn qualifies(m: &header::Matched, required: &[&str]) -> bool {
    let hits = required.iter().filter(|f| m.columns.contains_key(**f)).count();
    hits >= 2 || (hits >= 1 && m.columns.len() >= 3)
}

/// The kind a sheet without a header comes closest to (most columns matched), with the
/// required fields it misses.
fn closest(
    aliases: &Aliases,
    rows: &[(u32, Vec<Cell<'static>>)],
    forced: Option<Kind>,
    type_given: bool,
) -> Option<(Kind, Vec<&'static str>)> {
    let mut best: Option<(Kind, usize, Vec<&'static str>)> = None;
    for (_, cells) in rows.iter().take(20) {
        for kind in Kind::ALL {
            if forced.is_some_and(|f| f != kind) {
                continue;
            }
            let cols = aliases.match_row(kind, cells);
            if cols.len() > best.as_ref().map_or(0, |c| c.1) {
                best = Some((kind, cols.len(), missing_required(kind, &cols, type_given)));
            }
        }
    }
    best.map(|(k, _, m)| (k, m))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_branch_is_found_in_the_file_name_or_title() {
        let known = names(&["安岳", "乐至", "雁江分公司"]);
        assert_eq!(branch_from_name(&known, "安岳_工单_200907.xlsx", "Sheet1", ""), Ok("安岳".into()));
        // By its stem: 雁江分公司 in a file named 雁江.
        assert_eq!(branch_from_name(&known, "雁江_工单.xlsx", "Sheet1", ""), Ok("雁江分公司".into()));
        // In the title row only.
        assert_eq!(
            branch_from_name(&known, "工单明细.xlsx", "Sheet1", "乐至分公司2009年7月工单明细"),
            Ok("乐至".into())
        );
        let none = branch_from_name(&known, "工单明细.xlsx", "Sheet1", "2009年7月工单明细").unwrap_err();
        assert!(
            none.contains("names a known branch (乐至, 安岳, 雁江分公司)") || none.contains("names a known branch"),
            "{none}"
        );
        let two = branch_from_name(&known, "安岳及乐至_工单.xlsx", "Sheet1", "").unwrap_err();
        assert!(two.contains("two branches"), "{two}");
    }

    #[test]
    fn footers_and_blank_rows() {
        let t = |v: &[&'static str]| -> Vec<Cell<'static>> {
            v.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text((*s).into()) }).collect()
        };
        assert!(is_footer(&t(&["合计", "", "12"])));
        assert!(is_footer(&t(&["", "总计：", "12"])));
        assert!(is_footer(&t(&["数据来源：综调系统"])));
        assert!(is_footer(&t(&["导出时间：2026-11-01", "操作员"])));
        assert!(!is_footer(&t(&["合计费用争议", "x"])), "a value that starts with 合计");
        assert!(!is_footer(&t(&["备注：见附件", "GZ1", "故障", "东区"])), "a data row with a note");
        assert!(!is_footer(&t(&["GZ1", "合计"])));
        let p = ValueParser::default();
        assert!(is_blank_row(&t(&["-", "NULL", ""]), &p));
        assert!(!is_blank_row(&t(&["-", "x"]), &p));
    }
}

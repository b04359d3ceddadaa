//! Ingest: find the input files, read their sheets, classify each sheet by its header,
//! parse rows into typed records, and account for every row in the [`Ledger`].
//!
//! Order of the accounting (documented in README): rows that cannot be parsed are
//! *rejected*; surveys without a branch get it from their work order or are rejected;
//! then records with the same id are *duplicates* (identical, or a conflict: the row with
//! the latest completion time is kept); then records of other months are *out of period*;
//! the rest are *used*.

pub mod header;
pub mod sheet;
pub mod value;

use std::collections::hash_map::Entry;

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDateTime, NaiveTime};

use crate::config::{Config, DateSystem};
use crate::model::{Call, Conflict, Dataset, Ledger, OrderType, Rejected, SheetLedger, Source, Survey, WorkOrder};
use crate::month::Month;
use header::{column_letter, detect, normalize, Aliases, Header, Kind};
use sheet::{Format, ReadError, RowVisitor};
use value::{Cell, ValueParser};

/// Days before the month whose work orders are kept for the rolling repeat window.
pub const EARLIER_DAYS: i64 = 60;

/// Why ingest failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// An input path does not exist.
    #[error("input {0} does not exist")]
    Missing(PathBuf),
    /// A folder could not be listed.
    #[error("cannot list folder {path}: {source}")]
    List {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// No input files at all.
    #[error("no spreadsheet or CSV files found in {0}")]
    NoFiles(String),
    /// One or more files could not be read.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Unreadable(Vec<ReadError>),
}

/// One input file and the name it is shown under.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Path to open.
    pub path: PathBuf,
    /// Path relative to the input folder given (or the file name).
    pub display: String,
}

const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "ods", "csv", "tsv", "txt"];

/// A file left out, and why.
pub type Skipped = (String, String);

/// Expand the `--input` arguments into files, sorted by shown name within each argument.
/// Returns the files and the files skipped.
pub fn discover(inputs: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<Skipped>), IngestError> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, input, &mut found, &mut skipped)?;
            found.sort_by(|a: &InputFile, b| a.display.cmp(&b.display));
            files.extend(found);
        } else if input.is_file() {
            let display =
                input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
            files.push(InputFile { path: input.clone(), display });
        } else {
            return Err(IngestError::Missing(input.clone()));
        }
    }
    Ok((files, skipped))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<InputFile>, skipped: &mut Vec<Skipped>) -> Result<(), IngestError> {
    let list = |source| IngestError::List { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(list)? {
        let path = entry.map_err(list)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let display = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out, skipped)?;
        } else if name.starts_with("~$") {
            skipped.push((display, "Excel lock file (the workbook is open somewhere)".into()));
        } else {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if EXTENSIONS.contains(&ext.as_str()) {
                out.push(InputFile { path, display });
            } else {
                skipped.push((display, "not a spreadsheet or CSV file name".into()));
            }
        }
    }
    Ok(())
}

/// `*` and `?` wildcard match (whole string, case-insensitive).
pub fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Read all inputs for `month` into a [`Dataset`].
pub fn ingest(inputs: &[PathBuf], config: &Config, month: Month) -> Result<Dataset, IngestError> {
    let (files, skipped) = discover(inputs)?;
    if files.is_empty() {
        let shown: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
        return Err(IngestError::NoFiles(shown.join(", ")));
    }
    let aliases = Aliases::new(&config.alias_map());
    // Files decode in parallel (one thread per core); results are merged in file order, so
    // the outcome never depends on which thread finished first.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len()).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<FileOutcome>>> = files.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(file) = files.get(i) else { break };
                let outcome = read_one(file, config, &aliases);
                if let Ok(mut slot) = slots[i].lock() {
                    *slot = Some(outcome);
                }
            });
        }
    });
    let mut state = State::new(config, &aliases);
    state.ledger.skipped_files = skipped;
    let mut errors = Vec::new();
    for (file, slot) in files.iter().zip(slots) {
        match slot.into_inner().ok().flatten() {
            Some(FileOutcome::Read(part)) => state.absorb(part),
            Some(FileOutcome::Empty) => {
                state.ledger.skipped_files.push((file.display.clone(), "empty file (0 bytes)".into()))
            }
            Some(FileOutcome::Failed(e)) => errors.push(e),
            None => errors.push(ReadError::Corrupt {
                path: file.path.clone(),
                format: "file",
                message: "the reader thread stopped unexpectedly".into(),
            }),
        }
    }
    if !errors.is_empty() {
        return Err(IngestError::Unreadable(errors));
    }
    Ok(state.finish(month))
}

/// What reading one file gave.
enum FileOutcome<'a> {
    Read(State<'a>),
    Empty,
    Failed(ReadError),
}

/// Read one file into a state of its own (sheet indices local to the file).
fn read_one<'a>(file: &InputFile, config: &'a Config, aliases: &'a Aliases) -> FileOutcome<'a> {
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
    };
    if is_big_plain_csv(&file.path) {
        return match read_csv_in_two(&file.path, &mut visitor) {
            Ok(encoding) => {
                for s in &mut state.ledger.sheets {
                    s.encoding = Some(encoding.to_string());
                }
                FileOutcome::Read(state)
            }
            Err(e) => FileOutcome::Failed(e),
        };
    }
    match sheet::read_file(&file.path, &mut visitor) {
        Ok(encoding) => {
            for s in &mut state.ledger.sheets {
                s.encoding = encoding.map(str::to_string);
            }
            FileOutcome::Read(state)
        }
        Err(e) => FileOutcome::Failed(e),
    }
}

/// CSV files at least this big are parsed on two cores (`SVCQ_CSV_SPLIT_BYTES` overrides it,
/// for tests).
const CSV_SPLIT_BYTES: u64 = 8 << 20;

fn is_big_plain_csv(path: &Path) -> bool {
    let threshold = std::env::var("SVCQ_CSV_SPLIT_BYTES").ok().and_then(|v| v.parse().ok()).unwrap_or(CSV_SPLIT_BYTES);
    let big = std::fs::metadata(path).map(|m| m.len() >= threshold).unwrap_or(false);
    big && std::fs::File::open(path).ok().and_then(|mut f| sheet::sniff_file(path, &mut f).ok()) == Some(Format::Csv)
}

/// Read a big CSV with both cores: the header is found in the first rows; then the first
/// and second halves are parsed at once, each into a state of its own, and the second is
/// merged into the first (same sheet, file order kept). Only files without quote characters
/// are cut (every line is then a record); others are read in one piece.
fn read_csv_in_two(path: &Path, first: &mut FileVisitor<'_, '_>) -> Result<&'static str, ReadError> {
    let csv = sheet::load_csv(path)?;
    let (text, delim) = (csv.text.as_str(), csv.delimiter);
    first.begin_sheet(&csv.sheet, Format::Csv, false);
    if memchr::memchr(b'"', text.as_bytes()).is_some() {
        let rows = sheet::record_rows(text.as_bytes(), delim);
        sheet::parse_records(path, text, delim, &rows, first)?;
        first.end_sheet();
        return Ok(csv.encoding);
    }
    let lines = sheet::lines_unquoted(text.as_bytes());
    let rows: Vec<u32> = lines.iter().map(|l| l.0).collect();
    let at = |i: usize| lines.get(i).map_or(text.len(), |l| l.1);
    // The header is among the first 20 non-blank rows.
    let head = lines.len().min(20);
    sheet::parse_records(path, &text[..at(head)], delim, &rows[..head], first)?;
    let split = lines.len() / 2;
    let header_found = first.sheet.as_ref().is_some_and(|s| s.header.is_some());
    if !header_found || split <= head {
        sheet::parse_records(path, &text[at(head)..], delim, &rows[head..], first)?;
        first.end_sheet();
        return Ok(csv.encoding);
    }
    // Room for every record up front: no vector growth, no copy when the halves are joined.
    let kind = first.sheet.as_ref().and_then(|s| s.header.as_ref()).map(|h| h.kind);
    first.state.reserve(kind, lines.len());
    let mut second_state = State::new(first.state.config, first.state.aliases);
    second_state.reserve(kind, lines.len() - split);
    second_state.ledger.sheets.push(SheetLedger { rows_read: 0, rejected: 0, ..first.state.ledger.sheets[0].clone() });
    let mut second = FileVisitor {
        state: &mut second_state,
        file: first.file.clone(),
        forced: first.forced,
        forced_type: first.forced_type.clone(),
        sheet: first.sheet.as_ref().map(|s| SheetState { first_survey: 0, ..s.clone() }),
    };
    let (a, b) = std::thread::scope(|scope| {
        let b = scope.spawn(|| sheet::parse_records(path, &text[at(split)..], delim, &rows[split..], &mut second));
        let a = sheet::parse_records(path, &text[at(head)..at(split)], delim, &rows[head..split], first);
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
    Ok(csv.encoding)
}

/// Everything read so far.
struct State<'a> {
    config: &'a Config,
    aliases: &'a Aliases,
    ledger: Ledger,
    calls: Vec<Call>,
    orders: Vec<WorkOrder>,
    surveys: Vec<Survey>,
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
}

impl RowVisitor for FileVisitor<'_, '_> {
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
                    Kind::Calls => ctx.call(src).map(|c| state.calls.push(c)),
                    Kind::WorkOrders => {
                        ctx.order(src, state.config, self.forced_type.as_deref()).map(|o| state.orders.push(o))
                    }
                    Kind::Surveys => ctx.survey(src, state.config).map(|s| state.surveys.push(s)),
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
                resolve_scores(&mut state.surveys[sheet.first_survey..], &state.config.surveys);
            }
            Some(_) => {}
        }
    }
}

fn missing_required(kind: Kind, cols: &header::Columns, type_given: bool) -> Vec<&'static str> {
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
fn resolve_scores(surveys: &mut [Survey], cfg: &crate::config::SurveyConfig) {
    let max = surveys.iter().filter_map(|s| s.score).fold(0.0, f64::max);
    let threshold = if max > 5.0 { cfg.min_score_10 } else { cfg.min_score_5 };
    for s in surveys.iter_mut() {
        if let Some(score) = s.score {
            s.satisfied = Some(score >= threshold);
        }
    }
}

fn column_name(header: &Header, field: &str) -> String {
    match header.columns.get(field) {
        Some(&c) => format!("{}「{}」", column_letter(c), header.names.get(c).map(String::as_str).unwrap_or(field)),
        None => field.to_string(),
    }
}

/// Why a row was rejected.
struct Reject {
    field: &'static str,
    raw: String,
    reason: String,
}

struct RowCtx<'r> {
    cells: &'r [Cell<'r>],
    header: &'r Header,
    p: &'r ValueParser,
}

const EMPTY: Cell<'static> = Cell::Empty;

impl RowCtx<'_> {
    fn cell(&self, field: &str) -> &Cell<'_> {
        self.header.columns.get(field).and_then(|&c| self.cells.get(c)).unwrap_or(&EMPTY)
    }

    fn reject(&self, field: &'static str, reason: impl Into<String>) -> Reject {
        Reject { field, raw: self.cell(field).raw(), reason: reason.into() }
    }

    fn missing(&self, field: &'static str) -> Reject {
        self.reject(field, "必填项为空 (required value missing)")
    }

    fn text(&self, field: &str) -> Option<String> {
        self.p.text(self.cell(field))
    }

    fn req_text(&self, field: &'static str) -> Result<String, Reject> {
        self.text(field).ok_or_else(|| self.missing(field))
    }

    fn dt(&self, field: &'static str) -> Result<Option<(NaiveDateTime, bool)>, Reject> {
        self.p.datetime(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn req_dt(&self, field: &'static str) -> Result<NaiveDateTime, Reject> {
        self.dt(field)?.map(|(d, _)| d).ok_or_else(|| self.missing(field))
    }

    fn boolean(&self, field: &'static str) -> Result<Option<bool>, Reject> {
        self.p.boolean(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn seconds(&self, field: &'static str) -> Result<Option<f64>, Reject> {
        self.p.seconds(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn branch(&self, config: &Config) -> Option<String> {
        self.text("branch").map(|b| config.branches.aliases.get(&b).cloned().unwrap_or(b))
    }

    fn call(&self, src: Source) -> Result<Call, Reject> {
        let start_time = self.req_dt("start_time")?;
        let wait_seconds = self.seconds("wait_seconds")?.ok_or_else(|| self.missing("wait_seconds"))?;
        let talk_seconds = self.seconds("talk_seconds")?;
        let answered = match (self.boolean("answered")?, talk_seconds) {
            (Some(a), _) => a,
            (None, Some(t)) => t > 0.0,
            (None, None) => {
                let field = if self.header.columns.contains_key("answered") { "answered" } else { "talk_seconds" };
                return Err(self.reject(field, "是否接通和通话时长都为空 (neither answered nor talk time given)"));
            }
        };
        Ok(Call {
            src,
            call_id: self.text("call_id"),
            start_time,
            branch: self.text("branch"),
            queue: self.text("queue"),
            agent_id: self.text("agent_id"),
            caller: self.text("caller"),
            answered,
            talk_seconds,
            wait_seconds,
            resolved: self.boolean("resolved")?,
        })
    }

    fn order(&self, src: Source, config: &Config, forced_type: Option<&str>) -> Result<WorkOrder, Reject> {
        let order_id = self.req_text("order_id")?;
        let type_text = match (self.text("order_type"), forced_type) {
            (Some(t), _) => t,
            (None, Some(t)) => t.to_string(),
            (None, None) => return Err(self.missing("order_type")),
        };
        let order_type = map_order_type(&type_text, config);
        let branch = self.branch(config).ok_or_else(|| self.missing("branch"))?;
        let created_at = self.req_dt("created_at")?;
        let customer_id = self.text("customer_id");
        if order_type == OrderType::Fault && customer_id.is_none() {
            return Err(self.reject("customer_id", "故障工单缺少用户号码 (fault order without customer id)"));
        }
        let deadline = self.dt("deadline")?.map(|(d, date_only)| {
            if date_only {
                d.date().and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
            } else {
                d
            }
        });
        let completed_at = self.dt("completed_at")?.map(|(d, _)| d);
        if let Some(done) = completed_at {
            if done < created_at - Duration::minutes(1) {
                return Err(self.reject("completed_at", "完成时间早于受理时间 (completed before created)"));
            }
        }
        Ok(WorkOrder {
            src,
            order_id,
            order_type,
            branch,
            product: self.text("product").unwrap_or_else(|| "未分类".to_string()),
            customer_id,
            created_at,
            deadline,
            completed_at,
            department: self.text("department"),
            channel: self.text("channel"),
            category: self.text("category"),
            phenomenon: self.text("phenomenon"),
            cause: self.text("cause"),
            preprocessed: self.boolean("preprocessed")?,
            justified: self.boolean("justified")?,
            first_close: self.boolean("first_close")?,
        })
    }

    fn survey(&self, src: Source, config: &Config) -> Result<Survey, Reject> {
        let surveyed_at = self.req_dt("surveyed_at")?;
        let contacted = match self.text("contacted") {
            None => return Err(self.missing("contacted")),
            Some(t) => parse_contact(&t)
                .ok_or_else(|| self.reject("contacted", "无法识别的回访结果 (unrecognised contact result)"))?,
        };
        let (satisfied, score) = self.satisfaction(config)?;
        Ok(Survey {
            src,
            survey_id: self.text("survey_id"),
            order_id: self.text("order_id"),
            branch: self.branch(config),
            surveyed_at,
            contacted,
            satisfied,
            score,
            timely: self.opinion("timely", config)?,
            attitude: self.opinion("attitude", config)?,
            reason: self.text("reason"),
        })
    }

    fn satisfaction(&self, config: &Config) -> Result<(Option<bool>, Option<f64>), Reject> {
        let cell = self.cell("satisfaction");
        if let Cell::Number(n) = cell {
            return score(*n)
                .map(|s| (None, Some(s)))
                .ok_or_else(|| self.reject("satisfaction", "满意度分数超出1-10 (score out of 1-10)"));
        }
        let Some(t) = self.text("satisfaction") else { return Ok((None, None)) };
        if let Some(v) = satisfaction_word(&t, config) {
            return Ok((Some(v), None));
        }
        if NO_ANSWER.contains(&t.as_str()) {
            return Ok((None, None));
        }
        let digits = t.trim_end_matches('分');
        match digits.parse::<f64>().ok().and_then(score) {
            Some(s) => Ok((None, Some(s))),
            None => Err(self.reject("satisfaction", "无法识别的满意度 (unrecognised satisfaction answer)")),
        }
    }

    /// Timely / attitude: a yes/no word, or a satisfaction word.
    fn opinion(&self, field: &'static str, config: &Config) -> Result<Option<bool>, Reject> {
        let Some(t) = self.text(field) else { return Ok(None) };
        if let Some(v) = satisfaction_word(&t, config) {
            return Ok(Some(v));
        }
        if NO_ANSWER.contains(&t.as_str()) {
            return Ok(None);
        }
        self.boolean(field)
    }
}

const NO_ANSWER: &[&str] = &["未评价", "未回答", "拒绝回答", "不清楚", "未评", "无评价"];

fn score(n: f64) -> Option<f64> {
    (1.0..=10.0).contains(&n).then_some(n)
}

fn satisfaction_word(t: &str, config: &Config) -> Option<bool> {
    if config.surveys.satisfied.iter().any(|w| w == t) {
        Some(true)
    } else if config.surveys.unsatisfied.iter().any(|w| w == t) {
        Some(false)
    } else {
        None
    }
}

/// A callback's contact result: yes/no words plus the failure reasons callback systems write.
fn parse_contact(t: &str) -> Option<bool> {
    const FAILED: &[&str] = &["无人接听", "关机", "停机", "空号", "拒访", "忙音", "占线", "未回访", "号码错误"];
    if FAILED.contains(&t) {
        return Some(false);
    }
    value::parse_bool_text(t)
}

/// Map an order-type value: exact match on the configured words first, then containment
/// (complaint before fault before install, so 故障投诉 is a complaint).
pub fn map_order_type(text: &str, config: &Config) -> OrderType {
    let t = normalize(text);
    let lists = [
        (OrderType::Complaint, &config.order_types.complaint),
        (OrderType::Fault, &config.order_types.fault),
        (OrderType::Install, &config.order_types.install),
    ];
    for (ty, words) in lists {
        if words.iter().any(|w| normalize(w) == t) {
            return ty;
        }
    }
    for (ty, words) in lists {
        if words.iter().any(|w| t.contains(&normalize(w))) {
            return ty;
        }
    }
    OrderType::Other
}

impl<'a> State<'a> {
    fn new(config: &'a Config, aliases: &'a Aliases) -> Self {
        State { config, aliases, ledger: Ledger::default(), calls: Vec::new(), orders: Vec::new(), surveys: Vec::new() }
    }

    /// Reserve room for `n` more records of a kind.
    fn reserve(&mut self, kind: Option<Kind>, n: usize) {
        match kind {
            Some(Kind::Calls) => self.calls.reserve(n),
            Some(Kind::WorkOrders) => self.orders.reserve(n),
            Some(Kind::Surveys) => self.surveys.reserve(n),
            None => {}
        }
    }

    /// Take in the second half of a sheet read in two (both states hold that sheet as index 0).
    fn absorb_same_sheet(&mut self, part: State<'a>) {
        if let (Some(mine), Some(theirs)) = (self.ledger.sheets.first_mut(), part.ledger.sheets.first()) {
            mine.rows_read += theirs.rows_read;
            mine.rejected += theirs.rejected;
        }
        take(&mut self.ledger.rejected, part.ledger.rejected, 0, |r| &mut r.src);
        take(&mut self.calls, part.calls, 0, |r| &mut r.src);
        take(&mut self.orders, part.orders, 0, |r| &mut r.src);
        take(&mut self.surveys, part.surveys, 0, |r| &mut r.src);
    }

    /// Take in one file's state: its sheets follow ours, its records point at them.
    fn absorb(&mut self, part: State<'a>) {
        let offset = self.ledger.sheets.len() as u32;
        self.ledger.sheets.extend(part.ledger.sheets);
        take(&mut self.ledger.rejected, part.ledger.rejected, offset, |r| &mut r.src);
        take(&mut self.calls, part.calls, offset, |r| &mut r.src);
        take(&mut self.orders, part.orders, offset, |r| &mut r.src);
        take(&mut self.surveys, part.surveys, offset, |r| &mut r.src);
    }

    /// Fill survey branches, drop duplicates, split by period, and close the ledger.
    fn finish(mut self, month: Month) -> Dataset {
        // Surveys without a branch take their work order's.
        let branch_of: FxHashMap<&str, &str> =
            self.orders.iter().map(|o| (o.order_id.as_str(), o.branch.as_str())).collect();
        let mut surveys = Vec::with_capacity(self.surveys.len());
        for mut s in std::mem::take(&mut self.surveys) {
            if s.branch.is_none() {
                s.branch = s.order_id.as_deref().and_then(|id| branch_of.get(id)).map(|b| b.to_string());
            }
            if s.branch.is_none() {
                self.ledger.sheets[s.src.sheet as usize].rejected += 1;
                self.ledger.rejected.push(Rejected {
                    src: s.src,
                    column: self.ledger.column(s.src, "branch"),
                    raw: String::new(),
                    reason: format!(
                        "分公司为空，关联工单号{id}在工单中找不到 (no branch, and order id {id} is not in the work orders)",
                        id = s.order_id.as_deref().unwrap_or("-")
                    ),
                });
            } else {
                surveys.push(s);
            }
        }
        drop(branch_of);

        let calls = dedupe(std::mem::take(&mut self.calls), Kind::Calls, &mut self.ledger);
        let orders = dedupe(std::mem::take(&mut self.orders), Kind::WorkOrders, &mut self.ledger);
        let surveys = dedupe(surveys, Kind::Surveys, &mut self.ledger);

        let ledger = &mut self.ledger;
        let mut keep = |src: Source, t: NaiveDateTime| {
            let s = &mut ledger.sheets[src.sheet as usize];
            if month.contains(t) {
                s.used += 1;
                true
            } else {
                s.out_of_period += 1;
                false
            }
        };
        let calls: Vec<Call> = calls.into_iter().filter(|c| keep(c.src, c.start_time)).collect();
        let surveys: Vec<Survey> = surveys.into_iter().filter(|s| keep(s.src, s.surveyed_at)).collect();
        let (orders, other): (Vec<WorkOrder>, Vec<WorkOrder>) =
            orders.into_iter().partition(|o| keep(o.src, o.created_at));
        let earlier_orders = other.into_iter().filter(|o| month.just_before(o.created_at, EARLIER_DAYS)).collect();
        self.ledger.rejected.sort_by_key(|r| r.src);
        Dataset { calls, orders, earlier_orders, surveys, ledger: self.ledger }
    }
}

/// Move `src` records to the end of `dst`, shifting their sheet index by `offset` (the first
/// file's vectors are moved, not copied).
fn take<T>(dst: &mut Vec<T>, mut src: Vec<T>, offset: u32, source: impl Fn(&mut T) -> &mut Source) {
    if offset > 0 {
        for r in &mut src {
            source(r).sheet += offset;
        }
    }
    if dst.is_empty() {
        *dst = src;
    } else {
        dst.append(&mut src);
    }
}

/// What deduplication needs to know of a record.
trait Record {
    fn src(&self) -> Source;
    fn id(&self) -> Option<&str>;
    /// Latest completion time (work orders); `None` sorts first.
    fn completion(&self) -> Option<NaiveDateTime> {
        None
    }
    /// Field names and values, for comparing content.
    fn fields(&self) -> Vec<(&'static str, String)>;
}

macro_rules! fields {
    ($self:ident: $($f:ident),*) => {
        vec![$((stringify!($f), format!("{:?}", $self.$f))),*]
    };
}

impl Record for Call {
    fn src(&self) -> Source {
        self.src
    }
    fn id(&self) -> Option<&str> {
        self.call_id.as_deref()
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        fields!(self: start_time, branch, queue, agent_id, caller, answered, talk_seconds, wait_seconds, resolved)
    }
}

impl Record for WorkOrder {
    fn src(&self) -> Source {
        self.src
    }
    fn id(&self) -> Option<&str> {
        Some(&self.order_id)
    }
    fn completion(&self) -> Option<NaiveDateTime> {
        self.completed_at
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        fields!(self: order_type, branch, product, customer_id, created_at, deadline, completed_at, department,
            channel, category, phenomenon, cause, preprocessed, justified, first_close)
    }
}

impl Record for Survey {
    fn src(&self) -> Source {
        self.src
    }
    fn id(&self) -> Option<&str> {
        self.survey_id.as_deref()
    }
    fn fields(&self) -> Vec<(&'static str, String)> {
        fields!(self: order_id, branch, surveyed_at, contacted, satisfied, score, timely, attitude, reason)
    }
}

/// Keep one record per id. Identical copies: the first read is kept. Different content:
/// the one with the latest completion time is kept (ties: the greatest content, so the
/// choice never depends on file order) and each differing copy is listed as a conflict.
fn dedupe<T: Record>(records: Vec<T>, kind: Kind, ledger: &mut Ledger) -> Vec<T> {
    // First index of each id; only ids seen more than once get a group.
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    first.reserve(records.len());
    let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for (i, r) in records.iter().enumerate() {
        if let Some(id) = r.id() {
            match first.entry(id) {
                Entry::Occupied(e) => groups.entry(*e.get()).or_insert_with(|| vec![*e.get()]).push(i),
                Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
    }
    drop(first);
    let mut drop_row = vec![false; records.len()];
    let mut conflicts = Vec::new();
    for idx in groups.into_values() {
        let id = records[idx[0]].id().unwrap_or_default();
        let contents: Vec<Vec<(&'static str, String)>> = idx.iter().map(|&i| records[i].fields()).collect();
        let best = (0..idx.len())
            .max_by(|&a, &b| {
                let (ra, rb) = (&records[idx[a]], &records[idx[b]]);
                ra.completion()
                    .cmp(&rb.completion())
                    .then_with(|| contents[a].cmp(&contents[b]))
                    // identical content: the earlier-read row wins
                    .then_with(|| rb.src().cmp(&ra.src()))
            })
            .unwrap_or(0);
        for (k, &i) in idx.iter().enumerate() {
            if k == best {
                continue;
            }
            drop_row[i] = true;
            let src = records[i].src();
            ledger.sheets[src.sheet as usize].duplicates += 1;
            if contents[k] != contents[best] {
                let fields =
                    contents[k].iter().zip(&contents[best]).filter(|(a, b)| a.1 != b.1).map(|(a, _)| a.0).collect();
                ledger.sheets[src.sheet as usize].conflicts += 1;
                conflicts.push(Conflict {
                    kind,
                    id: id.to_string(),
                    kept: records[idx[best]].src(),
                    dropped: src,
                    fields,
                });
            }
        }
    }
    conflicts.sort_by_key(|c| c.dropped);
    ledger.conflicts.extend(conflicts);
    records.into_iter().zip(drop_row).filter(|(_, d)| !d).map(|(r, _)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*投诉*", "2009年7月投诉明细.xlsx"));
        assert!(wildcard("faults-??.csv", "FAULTS-07.csv"));
        assert!(!wildcard("faults-??.csv", "faults-7.csv"));
        assert!(wildcard("*", "x"));
        assert!(!wildcard("*.xls", "a.xlsx"));
    }

    #[test]
    fn order_type_mapping() {
        let c = Config::default();
        assert_eq!(map_order_type("故障", &c), OrderType::Fault);
        assert_eq!(map_order_type("宽带故障", &c), OrderType::Fault);
        assert_eq!(map_order_type("装移机", &c), OrderType::Install);
        assert_eq!(map_order_type("故障投诉", &c), OrderType::Complaint);
        assert_eq!(map_order_type("咨询", &c), OrderType::Other);
    }
}

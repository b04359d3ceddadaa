//! One module per subcommand (`svcq report`, `check`, `sample`, ...), in the style of xsv:
//! each parses nothing itself, runs the library's stages and prints what cron should see.

mod check;
mod definitions;
mod init;
mod report;
mod rollup;
mod sample;
mod send;

use std::path::Path;

use anyhow::Context;

use crate::cli::{Cli, Command, InputArgs};
use crate::config::Config;
use crate::exit::Exit;
use crate::model::Dataset;
use crate::month::Month;
use crate::period::{Period, PeriodKind};
use crate::UsageError;

/// Run one command.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "svcq", &mut std::io::stdout());
            Ok(Exit::Ok)
        }
        Command::InitTemplates { dir } => init::templates(&dir),
        Command::InitConfig { input, month } => init::config(&input, month),
        Command::Check { args, lang } => check::run(&args, lang),
        Command::Definitions { config } => definitions::run(config.as_deref()),
        Command::Report { args, output, per_branch, send } => {
            report::run(&args, &report::Options { output, per_branch, send })
        }
        Command::Send { out, month, config, dry_run, resend } => {
            send::run(&out, &month, config.as_deref(), dry_run, resend)
        }
        Command::Rollup { input, month, output, names, allow_mixed_config, config, quiet } => {
            rollup::run(&rollup::Options { input, period: month, output, names, allow_mixed_config, config, quiet })
        }
        Command::Sample { month, out, scale, format, seed, calls_per_file } => {
            sample::run(crate::sample::SampleOptions { month, out, scale, format, seed, calls_per_file })
        }
    }
}

/// The config file given, else `./svcq.toml` when present, else the built-in defaults.
fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(p) => Ok(Config::load(p)?),
        None if Path::new("svcq.toml").is_file() => Ok(Config::load(Path::new("svcq.toml"))?),
        None => Ok(Config::default()),
    }
}

/// The period of `--month`, `--week` or `--period` (default: the previous month). A bad
/// week or a reversed period is a usage error.
fn period_of(args: &InputArgs) -> Result<Period, UsageError> {
    let today = crate::today();
    match (&args.week, &args.period, args.month) {
        (Some(w), _, _) if w == "previous" => Ok(Period::previous_week_of(today)),
        (Some(w), _, _) => match w.parse::<Period>() {
            Ok(p) if p.kind() == PeriodKind::Week => Ok(p),
            Err(e) if e.starts_with("invalid week") => Err(UsageError(e)),
            _ => Err(UsageError(format!("invalid week {w:?}: expected YYYY-Www, e.g. 2026-W43"))),
        },
        (None, Some(p), _) => match p.parse::<Period>() {
            Ok(p) if p.kind() == PeriodKind::Range => Ok(p),
            Err(e) if e.starts_with("invalid period") => Err(UsageError(e)),
            _ => Err(UsageError(format!("invalid period {p:?}: expected FROM..TO, e.g. 2026-10-05..2026-10-11"))),
        },
        (None, None, m) => Ok(Period::month(m.unwrap_or_else(|| Month::previous_of(today)))),
    }
}

/// Config, period (default: the previous month) and the ingested exports.
fn ingest_args(args: &InputArgs, lang: Option<crate::config::Lang>) -> anyhow::Result<(Config, Period, Dataset)> {
    let month = period_of(args)?;
    let mut config = load_config(args.config.as_deref())?;
    // The language first: the evidence of proposals is worded while reading.
    if let Some(lang) = lang {
        config.report.lang = lang;
    }
    let options = crate::ingest::IngestOptions {
        csv_split_bytes: args.csv_split_bytes.unwrap_or(crate::ingest::IngestOptions::default().csv_split_bytes),
    };
    let data = crate::ingest::ingest(&args.input, &config, month, options).context("reading the exports")?;
    Ok((config, month, data))
}

/// Exit code 3 when more rows were rejected than the config allows; then stderr (the cron
/// mail) says where: the share, and the files, columns and reasons behind most rejected rows.
fn quality_exit(config: &Config, data: &Dataset) -> Exit {
    let share = data.ledger.rejected_share();
    let threshold = config.quality.max_rejected_share;
    if share > threshold {
        eprint!("{}", rejection_summary(&data.ledger, threshold));
        Exit::DataQuality
    } else {
        Exit::Ok
    }
}

/// The exit-3 lines: "svcq: 12.50% of rows rejected (threshold 1.00%); most of them:" and the
/// top 3 causes with their counts.
fn rejection_summary(ledger: &crate::model::Ledger, threshold: f64) -> String {
    use std::fmt::Write as _;
    let t = ledger.total();
    let mut s = format!(
        "svcq: {:.2}% of rows rejected ({} of {}; threshold {:.2}%), exit 3; most of them:\n",
        ledger.rejected_share() * 100.0,
        t.rejected,
        t.rows_read,
        threshold * 100.0
    );
    let top = ledger.top_rejections(3);
    for c in &top {
        let _ = writeln!(s, "  {c}");
    }
    let shown: u64 = top.iter().map(|c| c.rows).sum();
    if shown < t.rejected {
        let _ = writeln!(
            s,
            "  {} more rows for other causes (every one in the workbook's 数据质量 sheet)",
            t.rejected - shown
        );
    }
    s
}

/// The config file a run used (given, else `./svcq.toml` when present) and its SHA-256, or
/// the built-in defaults' (for the manifest).
fn config_ref(given: Option<&Path>) -> anyhow::Result<crate::manifest::ConfigRef> {
    let file =
        given.map(Path::to_path_buf).or_else(|| Some(std::path::PathBuf::from("svcq.toml")).filter(|p| p.is_file()));
    let sha256 = match &file {
        Some(p) => crate::fingerprint::sha256_file(p).with_context(|| format!("reading {}", p.display()))?.1,
        None => crate::fingerprint::sha256(crate::config::DEFAULT_CONFIG.as_bytes()),
    };
    Ok(crate::manifest::ConfigRef { file: file.map(|p| p.display().to_string()), sha256 })
}

/// The narrative templates: `--templates DIR`, else `./report-templates` when present, else
/// the built-in ones.
fn templates(given: Option<&Path>) -> anyhow::Result<crate::narrative::Templates> {
    let dir = given
        .map(Path::to_path_buf)
        .or_else(|| Some(std::path::PathBuf::from("report-templates")).filter(|p| p.is_dir()));
    Ok(crate::narrative::Templates::load(dir.as_deref())?)
}

/// The workbook's fixed document date: the day after the period, so that the same inputs
/// give the same bytes.
fn document_date(period: Period) -> anyhow::Result<rust_xlsxwriter::ExcelDateTime> {
    use chrono::Datelike;
    let next = period.end().date();
    rust_xlsxwriter::ExcelDateTime::from_ymd(next.year() as u16, next.month() as u8, next.day() as u8)
        .context("document date")
}

/// The documents of one report, in the order they are listed: (file extension, bytes), as
/// `report.outputs` asks (the metrics CSV is written apart).
pub(super) type Documents = Vec<(&'static str, Vec<u8>)>;

/// What the deck is drawn with: the config's font and the site's template, read once.
pub(super) struct DeckLook {
    font: String,
    template: Option<(Vec<u8>, String)>,
}

impl DeckLook {
    /// The config's deck font and template (read once, before anything is written).
    pub(super) fn of(config: &Config) -> anyhow::Result<DeckLook> {
        let path = &config.report.deck_template;
        let template = if path.is_empty() || !config.report.outputs.contains(&crate::config::OutputKind::Pptx) {
            None
        } else {
            let bytes = std::fs::read(path)
                .map_err(|e| UsageError(format!("report.deck_template: cannot read {path}: {e}")))?;
            crate::render::deck::check_template(&bytes, path)
                .map_err(|e| UsageError(format!("report.deck_template: {e}")))?;
            Some((bytes, path.clone()))
        };
        Ok(DeckLook { font: config.report.deck_font.clone(), template })
    }

    fn options(&self) -> crate::render::deck::Options<'_> {
        crate::render::deck::Options {
            font: &self.font,
            template: self.template.as_ref().map(|(b, n)| (b.as_slice(), n.as_str())),
        }
    }
}

/// Free `x` beside the run instead of in its way: a province month's view model or columns
/// take ~15 ms each to free, at the very end of the run. The process may end before that
/// thread is done, which frees everything at once.
pub(super) fn free_beside<T: Send + 'static>(x: T) {
    std::thread::spawn(move || drop(x));
}

/// What is done with each document as soon as it is made ([`render_view`]), on the core that
/// made it: `(extension, bytes)`.
type Emit<'e> = &'e (dyn Fn(&'static str, &[u8]) -> anyhow::Result<()> + Sync);

/// Render the view model into the documents `report.outputs` asks for: the workbook's sheets
/// on both cores, then its zip (one core) beside the HTML page and the deck. Each document is
/// handed to `emit` as soon as it is made (the caller writes it meanwhile), and all are
/// returned in the order xlsx, html, pptx.
fn render_view(
    view: &crate::report::Report,
    config: &Config,
    deck: &DeckLook,
    templates: &crate::narrative::Templates,
    created: &rust_xlsxwriter::ExcelDateTime,
    emit: Emit<'_>,
) -> anyhow::Result<Documents> {
    use crate::config::OutputKind;
    let wants = |k: OutputKind| config.report.outputs.contains(&k);
    let mut wb = if wants(OutputKind::Xlsx) {
        Some(crate::render::xlsx::workbook(view, created).context("writing the workbook")?)
    } else {
        None
    };
    let (others, xlsx) = rayon::join(
        || {
            let html = if wants(OutputKind::Html) {
                Some(crate::render::html::render(view, templates).context("writing the HTML report")?)
            } else {
                None
            };
            if let Some(h) = &html {
                emit("html", h.as_bytes())?;
            }
            let pptx = if wants(OutputKind::Pptx) {
                Some(crate::render::deck::render(view, &deck.options()).context("writing the deck")?)
            } else {
                None
            };
            if let Some(p) = &pptx {
                emit("pptx", p)?;
            }
            anyhow::Ok((html, pptx))
        },
        || {
            let x = wb.as_mut().map(crate::render::xlsx::Pending::save).transpose().context("writing the workbook")?;
            if let Some(x) = &x {
                emit("xlsx", x)?;
            }
            anyhow::Ok(x)
        },
    );
    let (html, pptx) = others?;
    let mut docs = Documents::new();
    if let Some(x) = xlsx? {
        docs.push(("xlsx", x));
    }
    if let Some(h) = html {
        docs.push(("html", h.into_bytes()));
    }
    if let Some(p) = pptx {
        docs.push(("pptx", p));
    }
    Ok(docs)
}

/// A path's file name as text (for the manifest).
fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

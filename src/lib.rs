//! svcq turns a telecom operator's monthly customer-service exports into the monthly
//! service-quality report.
//!
//! The pipeline, one module per stage:
//! [`ingest`] (files → typed rows + ledger) → [`model`] (the month's records) →
//! [`metrics`] (metric rows) → [`render`] (metrics CSV; workbook and HTML as they land).
//! [`sample`] writes synthetic exports whose true figures are known.

pub mod check;
pub mod cli;
pub mod config;
pub mod exit;
pub mod history;
pub mod ingest;
pub mod lock;
pub mod metrics;
pub mod model;
pub mod month;
pub mod narrative;
pub mod output;
pub mod render;
pub mod report;
pub mod sample;
pub mod targets;

use std::path::{Path, PathBuf};

use anyhow::Context;

use cli::{Cli, Command, InputArgs};
use config::Config;
use exit::Exit;
use month::Month;

/// A usage error found after argument parsing (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Install a panic hook that stays silent while third-party readers run on untrusted
/// input (their panics become "corrupt file" errors) and is short otherwise.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if ingest::sheet::QUIET_PANIC.with(|q| q.get()) {
            return;
        }
        eprintln!("svcq: internal error (please report it): {info}");
    }));
}

/// Today's date; `SVCQ_TODAY=YYYY-MM-DD` overrides it (for tests and reruns).
pub fn today() -> chrono::NaiveDate {
    std::env::var("SVCQ_TODAY")
        .ok()
        .and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

fn load_config(path: Option<&Path>) -> anyhow::Result<Config> {
    match path {
        Some(p) => Ok(Config::load(p)?),
        None if Path::new("svcq.toml").is_file() => Ok(Config::load(Path::new("svcq.toml"))?),
        None => Ok(Config::default()),
    }
}

/// Run one command.
pub fn run(cli: Cli) -> anyhow::Result<Exit> {
    match cli.command {
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "svcq", &mut std::io::stdout());
            Ok(Exit::Ok)
        }
        Command::InitTemplates { dir } => {
            for (name, _) in narrative::BUILT_IN {
                let path = dir.join(name);
                if path.exists() {
                    return Err(UsageError(format!("{} exists: not overwritten", path.display())).into());
                }
            }
            for (name, text) in narrative::BUILT_IN {
                output::write_atomic(&dir.join(name), text.as_bytes())?;
            }
            println!(
                "wrote {} templates to {}; use them with --templates {}",
                narrative::BUILT_IN.len(),
                dir.display(),
                dir.display()
            );
            Ok(Exit::Ok)
        }
        Command::InitConfig => {
            print!("{}", config::DEFAULT_CONFIG);
            Ok(Exit::Ok)
        }
        Command::Check { args } => check(&args),
        Command::Definitions { config } => {
            let config = load_config(config.as_deref())?;
            for d in metrics::defs::definitions(&config) {
                let label = match config.report.lang {
                    config::Lang::Zh => &d.zh,
                    config::Lang::En => &d.en,
                };
                let formula = match config.report.lang {
                    config::Lang::Zh => &d.formula_zh,
                    config::Lang::En => &d.formula_en,
                };
                println!("{}\t{}\t{}", d.id, label, formula);
            }
            Ok(Exit::Ok)
        }
        Command::Report { args, out, history, templates, lang } => report(&args, &out, history, templates, lang),
        Command::Sample { month, out, scale, format, seed, calls_per_file } => {
            if !(scale > 0.0 && scale <= 2000.0) {
                return Err(UsageError(format!("--scale must be between 0 and 2000, not {scale}")).into());
            }
            let truth = sample::generate(&sample::SampleOptions {
                month,
                out: out.clone(),
                scale,
                format,
                seed,
                calls_per_file,
            })?;
            println!(
                "svcq sample {month}: wrote {} files to {} ({} calls, {} work orders, {} surveys)",
                truth.files.len(),
                out.display(),
                truth.calls,
                truth.orders,
                truth.surveys
            );
            Ok(Exit::Ok)
        }
    }
}

fn ingest_args(args: &InputArgs) -> anyhow::Result<(Config, Month, model::Dataset)> {
    let config = load_config(args.config.as_deref())?;
    let month = args.month.unwrap_or_else(|| Month::previous_of(today()));
    let data = ingest::ingest(&args.input, &config, month).context("reading the exports")?;
    Ok((config, month, data))
}

fn quality_exit(config: &Config, data: &model::Dataset) -> Exit {
    if data.ledger.rejected_share() > config.quality.max_rejected_share {
        Exit::DataQuality
    } else {
        Exit::Ok
    }
}

fn check(args: &InputArgs) -> anyhow::Result<Exit> {
    let (config, month, data) = ingest_args(args)?;
    let max = if args.verbose { usize::MAX } else { 10 };
    let text = check::summary(&data.ledger, month, config.quality.max_rejected_share, max);
    if !args.quiet {
        print!("{text}");
    }
    Ok(quality_exit(&config, &data))
}

fn report(
    args: &InputArgs,
    out: &Path,
    history_dir: Option<PathBuf>,
    templates: Option<PathBuf>,
    lang: Option<config::Lang>,
) -> anyhow::Result<Exit> {
    let log = Log::new(args);
    let _lock = lock::lock(out)?;
    log.stage("reading the exports");
    let (mut config, month, data) = ingest_args(args)?;
    if let Some(lang) = lang {
        config.report.lang = lang;
    }
    let history_dir = history_dir.unwrap_or_else(|| out.join("history"));
    let (history, history_warnings) = history::History::load(&history_dir, month);
    log.stage("computing the metrics");
    let mut rows = metrics::compute(&data, &config, month).context("computing the metrics")?;
    targets::apply(&mut rows, &config, &history, month);
    rows.extend(metrics::dq_rows(&data.ledger));
    let csv = render::csv::render(month, &rows);
    let csv_path = out.join(format!("metrics-{month}.csv"));
    log.stage("writing the workbook and the HTML report");
    let mut view = report::build(&rows, &data, &config, &history, month, today().format("%Y-%m-%d").to_string());
    let template_dir = templates.or_else(|| Some(PathBuf::from("report-templates")).filter(|p| p.is_dir()));
    let templates = narrative::Templates::load(template_dir.as_deref())?;
    narrative::fill(&mut view, &rows, &templates)?;
    let html = render::html::render(&view, &templates).context("writing the HTML report")?;
    // Fixed document date (the first day after the month): the same inputs give the same bytes.
    let next = month.next();
    let created =
        rust_xlsxwriter::ExcelDateTime::from_ymd(next.year as u16, next.month as u8, 1).context("document date")?;
    let xlsx = render::xlsx::render(&view, &created).context("writing the workbook")?;
    let xlsx_path = out.join(format!("{}-{month}.xlsx", config.report.file_stem));
    output::write_atomic(&xlsx_path, &xlsx)?;
    let html_path = out.join(format!("{}-{month}.html", config.report.file_stem));
    output::write_atomic(&html_path, html.as_bytes())?;
    output::write_atomic(&csv_path, &csv)?;
    // Only a complete run goes into the history (a rerun of the month replaces it).
    output::write_atomic(&history_dir.join(format!("metrics-{month}.csv")), &csv)?;
    log.done();
    let t = data.ledger.total();
    if !args.quiet {
        for w in &history_warnings {
            println!("{w}");
        }
        let files: std::collections::BTreeSet<&str> = data.ledger.sheets.iter().map(|s| s.file.as_str()).collect();
        println!(
            "svcq report {month}: {} files, {} sheets read; rows read {} = used {} + out of period {} + duplicates {} + rejected {} ({:.2}%)",
            files.len(),
            data.ledger.sheets.len(),
            t.rows_read,
            t.used,
            t.out_of_period,
            t.duplicates,
            t.rejected,
            data.ledger.rejected_share() * 100.0
        );
        let unmet: Vec<String> = rows
            .iter()
            .filter(|r| r.met == Some(false) && r.branch.is_empty() && r.product.is_empty())
            .map(|r| r.metric.clone())
            .collect();
        if !unmet.is_empty() {
            println!("targets not met (all branches): {}", unmet.join(", "));
        }
        let warnings: Vec<String> = rows
            .iter()
            .filter(|r| r.warning.starts_with("warning"))
            .map(|r| format!("{} {}{}", r.metric, r.product, r.group))
            .collect();
        if !warnings.is_empty() {
            println!("early warnings: {}", warnings.join(", "));
        }
        println!("wrote {}", xlsx_path.display());
        println!("wrote {}", html_path.display());
        println!("wrote {}", csv_path.display());
    }
    Ok(quality_exit(&config, &data))
}

/// Progress for people and log lines for cron: a spinner on stderr when it is a terminal,
/// plain "stage" lines on stderr with -v otherwise, nothing with -q.
struct Log {
    bar: Option<indicatif::ProgressBar>,
    verbose: bool,
    start: std::time::Instant,
}

impl Log {
    fn new(args: &InputArgs) -> Log {
        use std::io::IsTerminal;
        let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        Log { bar, verbose: args.verbose, start: std::time::Instant::now() }
    }

    fn stage(&self, what: &str) {
        if let Some(b) = &self.bar {
            b.set_message(what.to_string());
        } else if self.verbose {
            eprintln!("svcq: {:>6.2} s  {what}", self.start.elapsed().as_secs_f64());
        }
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        } else if self.verbose {
            eprintln!("svcq: {:>6.2} s  done", self.start.elapsed().as_secs_f64());
        }
    }
}

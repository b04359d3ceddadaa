//! The command line (clap derive).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::month::Month;
use crate::sample::SampleFormat;

/// svcq: the monthly customer-service quality report from hotline, work-order and callback exports.
#[derive(Debug, Parser)]
#[command(name = "svcq", version, about)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by report and check.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Input folders and/or files (xlsx, xlsm, xls, ods, csv, tsv).
    #[arg(long, short, required = true, num_args = 1..)]
    pub input: Vec<PathBuf>,
    /// Month to report, YYYY-MM (default: the previous calendar month).
    #[arg(long, short, conflicts_with_all = ["week", "period"])]
    pub month: Option<Month>,
    /// ISO week to report instead, YYYY-Www (without a value: the previous week).
    #[arg(long, num_args = 0..=1, default_missing_value = "previous", value_name = "YYYY-Www", conflicts_with = "period")]
    pub week: Option<String>,
    /// Days to report instead, FROM..TO (inclusive dates, YYYY-MM-DD..YYYY-MM-DD).
    #[arg(long, value_name = "FROM..TO")]
    pub period: Option<String>,
    /// Config file (default: ./svcq.toml if present, else built-in defaults).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Print less.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more (every rejected row).
    #[arg(long, short)]
    pub verbose: bool,
    /// CSV files of at least this many bytes are parsed on two cores (tests use 1).
    #[arg(long, hide = true)]
    pub csv_split_bytes: Option<u64>,
}

/// Where and how report and rollup write: shared by both.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output folder.
    #[arg(long, short, default_value = "out")]
    pub out: PathBuf,
    /// History folder (default: <out>/history).
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Template folder (default: ./report-templates if present, else the built-in templates).
    #[arg(long)]
    pub templates: Option<PathBuf>,
    /// Language of labels and narrative (overrides report.lang).
    #[arg(long, value_enum)]
    pub lang: Option<crate::config::Lang>,
}

impl OutputArgs {
    /// The history folder: `--history`, else `<out>/history`.
    pub fn history_dir(&self) -> PathBuf {
        self.history.clone().unwrap_or_else(|| self.out.join("history"))
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the month's report: workbook, HTML report and metrics CSV.
    Report {
        /// Inputs, month, config.
        #[command(flatten)]
        args: InputArgs,
        /// Output folder, history, templates, language.
        #[command(flatten)]
        output: OutputArgs,
        /// Also write each branch's own report under <out>/branches/<branch>/.
        #[arg(long)]
        per_branch: bool,
        /// Then deliver it as [delivery] says (mail, group robots; once per recipient).
        #[arg(long)]
        send: bool,
    },
    /// Deliver a report already written (mail, group robots), as [delivery] says.
    Send {
        /// The report's output folder.
        #[arg(long, short, default_value = "out")]
        out: PathBuf,
        /// Month (YYYY-MM), week (YYYY-Www) or period (FROM..TO) of the report.
        #[arg(long, short, required = true, visible_alias = "week", visible_alias = "period")]
        month: String,
        /// Config file (default: ./svcq.toml if present, else the built-in defaults).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Write each mail as .eml and each robot message as .json under <out>/outbox/; send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Send again to those the ledger says already got it.
        #[arg(long)]
        resend: bool,
    },
    /// Build a larger unit's report (a province, a group) from its parts' metrics CSVs, without raw rows.
    Rollup {
        /// The parts' metrics CSVs (metrics-<period>.csv written by `svcq report`).
        #[arg(long, short, required = true, num_args = 1..)]
        input: Vec<PathBuf>,
        /// The period the parts report (YYYY-MM, YYYY-Www or FROM..TO, as in their CSVs).
        #[arg(long, short, required = true)]
        month: String,
        /// Output folder, history, templates, language.
        #[command(flatten)]
        output: OutputArgs,
        /// The parts' names, comma-separated, in --input order (default: each CSV's folder name).
        #[arg(long, value_delimiter = ',')]
        names: Option<Vec<String>>,
        /// Roll up parts whose definitions fingerprints differ (指标口径 says so).
        #[arg(long)]
        allow_mixed_config: bool,
        /// Config file (default: ./svcq.toml if present, else built-in defaults).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Print nothing.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Validate the inputs only: print the data-quality summary.
    Check {
        /// Inputs, month, config.
        #[command(flatten)]
        args: InputArgs,
        /// Language of the summary (overrides report.lang).
        #[arg(long, value_enum)]
        lang: Option<crate::config::Lang>,
    },
    /// Write synthetic, realistically messy exports for a month.
    Sample {
        /// Month, YYYY-MM.
        #[arg(long, short)]
        month: Month,
        /// Output folder.
        #[arg(long, short)]
        out: PathBuf,
        /// Size multiplier (1 = a few thousand rows; 700 ≈ a province: 2 M calls).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// File formats to write.
        #[arg(long, value_enum, default_value_t = SampleFormat::Mixed)]
        format: SampleFormat,
        /// Random seed (same seed, same files).
        #[arg(long, default_value_t = 20091)]
        seed: u64,
        /// Calls per file (benchmarks use one big file).
        #[arg(long, hide = true)]
        calls_per_file: Option<usize>,
    },
    /// Print the default config, commented; with --input, plus what those exports need
    /// (header aliases proposed from their columns' content, each with its evidence).
    InitConfig {
        /// Exports to read (folders and/or files), as for report.
        #[arg(long, short, num_args = 1..)]
        input: Vec<PathBuf>,
        /// Month the exports hold, YYYY-MM (default: the previous calendar month).
        #[arg(long, short)]
        month: Option<Month>,
    },
    /// Copy the built-in report templates into a folder, to edit and use with --templates.
    InitTemplates {
        /// Target folder (must not hold templates already).
        dir: PathBuf,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print every metric's definition (id, label, formula) with the options in force.
    Definitions {
        /// Config file (default: ./svcq.toml if present).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
}

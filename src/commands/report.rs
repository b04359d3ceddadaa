//! `svcq report`: the main job. Read the exports, compute the metrics, write the workbook,
//! the HTML report and the metrics CSV (and the CSV into the history); then print the
//! summary cron mails.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::Context;

use crate::cli::InputArgs;
use crate::config::Config;
use crate::exit::Exit;
use crate::history::History;
use crate::metrics::MetricRow;
use crate::model::Dataset;
use crate::period::Period;
use crate::{history, lock, metrics, narrative, output, report, targets};

/// The report's own options.
pub(super) struct Options {
    /// Output folder, history, templates, language.
    pub(super) output: crate::cli::OutputArgs,
    /// Also write each branch's own report.
    pub(super) per_branch: bool,
    /// Then deliver it (SPEC §8.4).
    pub(super) send: bool,
}

/// What a finished run tells the user.
struct Written {
    month: Period,
    config: Config,
    data: Dataset,
    rows: Vec<MetricRow>,
    history_warnings: Vec<String>,
    /// The files written (the branches' folder last, with their count).
    paths: Vec<(PathBuf, Option<usize>)>,
}

/// Run the pipeline, then print its summary unless `--quiet`.
pub(super) fn run(args: &InputArgs, options: &Options) -> anyhow::Result<Exit> {
    if options.send {
        // What delivery needs is checked before anything is read (SPEC §8.4).
        let config = super::load_config(args.config.as_deref())?;
        crate::delivery::check(&config, options.per_branch, true)?;
    }
    let log = Log::new(args);
    let _lock = lock::lock(&options.output.out)?;
    let w = write_report(args, options, &log)?;
    log.done();
    if !args.quiet {
        print_summary(&w, log.start.elapsed());
    }
    let exit = super::quality_exit(&w.config, &w.data);
    if !options.send {
        super::free_beside(w);
        return Ok(exit);
    }
    let outcome = crate::delivery::send(
        &w.config,
        &crate::delivery::Options {
            out: options.output.out.clone(),
            period: w.month.to_string(),
            dry_run: false,
            resend: false,
        },
    )?;
    Ok(super::send::report(&outcome, exit, args.quiet))
}

fn write_report(args: &InputArgs, options: &Options, log: &Log) -> anyhow::Result<Written> {
    log.stage("reading the exports");
    // The inputs are hashed in the background from now on (for the manifest; a listing that
    // fails is reported by the reading).
    let listed = crate::ingest::discover(&args.input).map(|(files, _)| files);
    let hashes = crate::manifest::Fingerprints::start(listed.iter().flatten().map(|f| f.path.clone()));
    let (config, month, mut data) = super::ingest_args(args, options.output.lang)?;
    let deck = super::DeckLook::of(&config)?;
    log.memory(&data);
    if !data.ledger.unreadable.is_empty() {
        // Never a quiet partial report (SPEC §8.1): nothing is written.
        return Err(crate::ingest::UnreadableSheets(data.ledger).into());
    }
    let out = &options.output.out;
    let history_dir = options.output.history_dir();
    let (history, history_warnings) = History::load(&history_dir, month);
    log.stage("computing the metrics");
    // The calls (most of the month's memory) are read by the metrics only: held apart, and
    // freed once the metrics are computed unless the branches' reports need them again.
    let calls = metrics::OrderedCalls::new(std::mem::take(&mut data.calls));
    let (metrics::Computed { mut rows, staffing, fault_units, incidents, assessment, segments }, calls) =
        metrics::compute_with_calls(&data, calls, options.per_branch, &config, month)
            .context("computing the metrics")?;
    crate::memory::release_freed();
    targets::apply(&mut rows, &config, &history, month);
    // Next month's forecast needs this month's daily rows and the history's.
    if let Some(f) = metrics::forecast::forecast(&rows, &history, &staffing, month) {
        rows.extend(metrics::forecast::rows(&f, staffing.minutes));
    }
    rows.extend(metrics::dq_rows(&data.ledger));
    rows.push(metrics::meta_row(&config));
    // The third round's rows after the others: the changes' segments, then why each
    // headline changed (SPEC §8.2).
    rows.extend(segments);
    let changes = metrics::change::decompose(&rows, &history, month);
    rows.extend(metrics::change::rows(&changes));
    let csv = crate::catalog::csv::render(month, &rows);
    log.stage("building the report's pages and fingerprinting the inputs");
    let generated = crate::today().format("%Y-%m-%d").to_string();
    // Provenance: the config's and every input's fingerprint (the outputs' are added below);
    // what is left of the inputs' hashing is finished while the pages are built.
    let files = listed.context("listing the inputs")?;
    let (mut view, inputs) = rayon::join(
        || {
            let inputs = report::Inputs {
                rows: &rows,
                data: &data,
                staffing: &staffing,
                fault_units: &fault_units,
                incidents: &incidents,
                assessment: Some(&assessment),
                config: &config,
                history: &history,
                period: month,
            };
            report::build(report::Scope::Whole, inputs, generated.clone())
        },
        || crate::manifest::inputs(&files, &data.ledger, &hashes),
    );
    let mut manifest = crate::manifest::Manifest {
        svcq: env!("CARGO_PKG_VERSION").to_string(),
        period: month.to_string(),
        config: super::config_ref(args.config.as_deref())?,
        inputs: inputs.context("fingerprinting the inputs")?,
        outputs: Vec::new(),
    };
    report::add_provenance(&mut view, &manifest);
    let templates = super::templates(options.output.templates.as_deref())?;
    narrative::fill(&mut view, &rows, &templates)?;
    let created = super::document_date(month)?;
    log.stage("writing the workbook and the HTML report");
    let stem = &config.report.file_stem;
    let doc_path = |ext: &str| out.join(format!("{stem}-{month}.{ext}"));
    let csv_path = out.join(format!("metrics-{month}.csv"));
    // Each document is written and fingerprinted on the core that made it, as soon as it is
    // made (the HTML and the deck while the workbook is zipped); the CSV beside them.
    let written = std::sync::Mutex::new(Vec::new());
    let emit = |ext: &'static str, bytes: &[u8]| -> anyhow::Result<()> {
        let path = doc_path(ext);
        output::write_atomic(&path, bytes)?;
        let entry = crate::manifest::output(&super::file_name(&path), bytes);
        written.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((ext, entry));
        Ok(())
    };
    let (docs, csv_written) = rayon::join(
        || super::render_view(&view, &config, &deck, &templates, &created, &emit),
        || output::write_atomic(&csv_path, &csv),
    );
    let (docs, ()) = (docs?, csv_written?);
    let mut written = written.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut paths = Vec::new();
    // The manifest lists them in the documents' order.
    for (ext, _) in &docs {
        if let Some(at) = written.iter().position(|(e, _)| e == ext) {
            manifest.outputs.push(written.swap_remove(at).1);
        }
        paths.push(doc_path(ext));
    }
    manifest.outputs.push(crate::manifest::output(&super::file_name(&csv_path), &csv));
    paths.push(csv_path);
    // What a mail or a robot says about it (read back by `svcq send`).
    let digest = crate::delivery::Digest::of(&view, paths.iter().map(|p| super::file_name(p)).collect());
    output::write_atomic(&out.join(format!("digest-{month}.json")), digest.to_json().as_bytes())?;
    super::free_beside(view);
    let mut branches = None;
    if let (true, Some(calls)) = (options.per_branch, &calls) {
        log.stage("writing the branches' reports");
        let ctx = BranchRun {
            data: &data,
            calls,
            config: &config,
            history: &history,
            whole: &rows,
            month,
            generated: &generated,
            deck: &deck,
        };
        let folders = branch_folders(&rows, &config);
        remove_stale_branch_files(out, &folders, &config.report.file_stem, month)?;
        branches = Some(folders.len());
        for (branch, folder) in folders {
            let files = branch_report(&ctx, &branch, &templates, &created)
                .with_context(|| format!("writing the report of branch {branch}"))?;
            for (name, bytes) in files {
                let rel = format!("branches/{folder}/{name}");
                output::write_atomic(&out.join(&rel), &bytes)?;
                manifest.outputs.push(crate::manifest::output(&rel, &bytes));
            }
        }
    }
    let manifest_path = out.join(format!("manifest-{month}.json"));
    output::write_atomic(&manifest_path, manifest.to_json().as_bytes())?;
    // Only a complete run goes into the history (a rerun of the month replaces it).
    output::write_atomic(&history::path(&history_dir, month), &csv)?;
    let mut paths: Vec<(PathBuf, Option<usize>)> = paths.into_iter().map(|p| (p, None)).collect();
    paths.push((manifest_path, None));
    if let Some(n) = branches {
        paths.push((out.join("branches"), Some(n)));
    }
    Ok(Written { month, config, data, rows, history_warnings, paths })
}

/// What every branch's report reads from the whole run.
struct BranchRun<'a> {
    /// The month's records but its calls.
    data: &'a Dataset,
    /// The month's calls, in the canonical order (kept from the whole's metrics).
    calls: &'a metrics::OrderedCalls,
    config: &'a Config,
    history: &'a History,
    whole: &'a [MetricRow],
    month: Period,
    generated: &'a str,
    deck: &'a super::DeckLook,
}

/// The branches with a report of their own, in the report's order, each with its folder name
/// (made safe; a name that two branches would share gets `-2`, `-3`). Rows of no known
/// branch (未知分公司) have no manager to send them to.
fn branch_folders(rows: &[MetricRow], config: &Config) -> Vec<(String, String)> {
    let mut names: Vec<&str> = rows
        .iter()
        .map(|r| r.branch.as_str())
        .filter(|b| !b.is_empty() && *b != metrics::UNKNOWN_BRANCH)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rank = |b: &str| config.branches.order.iter().position(|o| o == b).unwrap_or(usize::MAX);
    names.sort_by_key(|b| rank(b));
    let mut taken = BTreeSet::new();
    names
        .into_iter()
        .map(|b| {
            let base = output::safe_name(b);
            let mut folder = base.clone();
            let mut n = 1;
            while !taken.insert(folder.clone()) {
                n += 1;
                folder = format!("{base}-{n}");
            }
            (b.to_string(), folder)
        })
        .collect()
}

/// A rerun replaces the period's files: this period's files in the folder of a branch that
/// has no rows now are removed (other periods' files stay; nothing else is touched).
fn remove_stale_branch_files(
    out: &std::path::Path,
    folders: &[(String, String)],
    stem: &str,
    month: Period,
) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(out.join("branches")) else { return Ok(()) };
    let current: BTreeSet<&str> = folders.iter().map(|(_, f)| f.as_str()).collect();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if current.contains(name.as_str()) || !e.path().is_dir() {
            continue;
        }
        let files = ["xlsx", "html", "pptx"].map(|ext| format!("{stem}-{month}.{ext}"));
        for file in files.into_iter().chain([format!("metrics-{month}.csv"), format!("digest-{month}.json")]) {
            let p = e.path().join(file);
            if p.is_file() {
                std::fs::remove_file(&p).with_context(|| format!("removing the stale {}", p.display()))?;
            }
        }
    }
    Ok(())
}

/// One branch's own report (SPEC §7.8): its records only, its metrics computed on them with
/// the branch's view of the config and history, the whole's figures beside its own. Returns
/// the documents `report.outputs` asks for and the branch's metrics CSV, by file name.
fn branch_report(
    run: &BranchRun<'_>,
    branch: &str,
    templates: &narrative::Templates,
    created: &rust_xlsxwriter::ExcelDateTime,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let month = run.month;
    let mut data = run.data.for_branch(branch);
    // The branch's calls, selected in their order; its ledger counts them as used.
    let calls = run.calls.for_branch(branch);
    data.ledger.count_used(calls.calls().src.iter());
    let departments: Vec<&str> = data.orders.department.values().iter().map(|d| &**d).collect();
    let config = run.config.for_branch(branch, &departments);
    let history = run.history.for_branch(branch);
    // The branch's own copy of the calls is used up by its metrics (the pages never read
    // the calls), as the whole's are.
    let (metrics::Computed { mut rows, staffing, fault_units, incidents, assessment, segments }, _) =
        metrics::compute_with_calls(&data, calls, false, &config, month).context("computing the metrics")?;
    targets::apply(&mut rows, &config, &history, month);
    // The branch's figures mean what the whole's do: the whole's fingerprint.
    rows.push(metrics::meta_row(run.config));
    rows.extend(segments);
    // Its changes split inside it (by product…), against its own history.
    let changes = metrics::change::decompose(&rows, &history, month);
    rows.extend(metrics::change::rows(&changes));
    let scope = report::Scope::Branch { name: branch, whole: run.whole };
    let inputs = report::Inputs {
        rows: &rows,
        data: &data,
        staffing: &staffing,
        fault_units: &fault_units,
        incidents: &incidents,
        assessment: Some(&assessment),
        config: &config,
        history: &history,
        period: month,
    };
    let mut view = report::build(scope, inputs, run.generated.to_string());
    narrative::fill(&mut view, &rows, templates)?;
    let docs = super::render_view(&view, &config, run.deck, templates, created, &|_, _| Ok(()))?;
    let stem = &config.report.file_stem;
    let mut files: Vec<(String, Vec<u8>)> =
        docs.into_iter().map(|(ext, bytes)| (format!("{stem}-{month}.{ext}"), bytes)).collect();
    files.push((format!("metrics-{month}.csv"), crate::catalog::csv::render(month, &rows)));
    let digest = crate::delivery::Digest::of(&view, files.iter().map(|(n, _)| n.clone()).collect());
    files.push((format!("digest-{month}.json"), digest.to_json().into_bytes()));
    Ok(files)
}

/// The lines cron mails: history problems, the row ledger, unmet targets, early warnings,
/// the files written.
fn print_summary(w: &Written, elapsed: std::time::Duration) {
    let ledger = &w.data.ledger;
    let t = ledger.total();
    for line in &w.history_warnings {
        say!("{line}");
    }
    let files: BTreeSet<&str> = ledger.sheets.iter().map(|s| s.file.as_str()).collect();
    say!(
        "svcq report {}: {} files, {} sheets read; rows read {} = used {} + out of period {} + duplicates {} + rejected {} ({:.2}%){}; {:.1} s",
        w.month,
        files.len(),
        ledger.sheets.len(),
        t.rows_read,
        t.used,
        t.out_of_period,
        t.duplicates,
        t.rejected,
        ledger.rejected_share() * 100.0,
        if t.footer > 0 { format!(" + footer rows {}", t.footer) } else { String::new() },
        // The run time is said here only: the files written carry no wall-clock time.
        elapsed.as_secs_f64()
    );
    let unmet: Vec<String> = w
        .rows
        .iter()
        .filter(|r| r.met == Some(false) && r.branch.is_empty() && r.product.is_empty())
        .map(|r| r.metric.to_string())
        .collect();
    if !unmet.is_empty() {
        say!("targets not met (all branches): {}", unmet.join(", "));
    }
    let warnings: Vec<String> = w
        .rows
        .iter()
        .filter(|r| r.warning.starts_with("warning"))
        .map(|r| format!("{} {}{}", r.metric, r.product, r.group))
        .collect();
    if !warnings.is_empty() {
        say!("early warnings: {}", warnings.join(", "));
    }
    for (p, branches) in &w.paths {
        match branches {
            None => say!("wrote {}", p.display()),
            Some(0) => say!("no branch reports: no row names a branch"),
            Some(n) => say!("wrote {} ({n} branches: their own documents and metrics CSV each)", p.display()),
        }
    }
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
            eprintln!("svcq: {:>6.2} s  {what}{}", self.start.elapsed().as_secs_f64(), peak_so_far());
        }
    }

    /// Under `-v`: what the month's columns hold in memory, by table, with the largest columns.
    fn memory(&self, data: &crate::model::Dataset) {
        if !self.verbose || self.bar.is_some() {
            return;
        }
        let tables = [
            ("calls", data.calls.heap_bytes()),
            ("orders", data.orders.heap_bytes()),
            ("earlier orders", data.earlier_orders.heap_bytes()),
            ("surveys", data.surveys.heap_bytes()),
        ];
        let mb = |b: usize| b as f64 / 1e6;
        let total: usize = tables.iter().flat_map(|(_, c)| c.iter().map(|(_, b)| b)).sum();
        let mut line = format!("svcq:           the month's columns hold {:.0} MB:", mb(total));
        for (name, columns) in &tables {
            let mut columns = columns.clone();
            columns.sort_by_key(|c| std::cmp::Reverse(c.1));
            let sum: usize = columns.iter().map(|c| c.1).sum();
            let top: Vec<String> = columns.iter().take(4).map(|(c, b)| format!("{c} {:.0}", mb(*b))).collect();
            line.push_str(&format!(" {name} {:.0} ({});", mb(sum), top.join(", ")));
        }
        eprintln!("{}", line.trim_end_matches(';'));
    }

    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        } else if self.verbose {
            eprintln!("svcq: {:>6.2} s  done{}", self.start.elapsed().as_secs_f64(), peak_so_far());
        }
    }
}

/// The process's resident memory now, its peak so far and its CPU time so far, as
/// `  (now N MB, peak so far M MB, cpu S s)` (Linux; empty elsewhere).
fn peak_so_far() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    let cpu = cpu_seconds().map(|s| format!(", cpu {s:.2} s")).unwrap_or_default();
    match (kb("VmRSS:"), kb("VmHWM:")) {
        (Some(now), Some(peak)) => format!("  (now {} MB, peak so far {} MB{cpu})", now / 1024, peak / 1024),
        _ => String::new(),
    }
}

/// The process's CPU time so far, user and system, on all its threads (Linux: the 14th and
/// 15th fields of `/proc/self/stat`, in ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (2nd field) is in parentheses and may hold spaces: count after it.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(target_os = "linux")]
    fn cpu_time_grows_with_work() {
        let before = super::cpu_seconds().expect("/proc/self/stat is readable on Linux");
        // ~0.1 s of work at least one tick long, kept from being optimised away.
        let start = std::time::Instant::now();
        let mut x: u64 = 1;
        while start.elapsed() < std::time::Duration::from_millis(120) {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
        let after = super::cpu_seconds().expect("/proc/self/stat is readable on Linux");
        assert!(after >= before + 0.05, "cpu time {before} -> {after} after 0.12 s of work");
        assert!(super::peak_so_far().contains(", cpu "));
    }
}

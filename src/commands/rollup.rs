//! `svcq rollup`: a larger unit's report (a province from its cities, a group from its
//! provinces) from the parts' metrics CSVs, without raw rows (SPEC §7.8). Each unit runs
//! `svcq report` where its exports are; the roll-up reads kilobytes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exit::Exit;
use crate::history::History;
use crate::metrics::rollup::Part;
use crate::metrics::{MetricId, MetricRow};
use crate::period::Period;
use crate::report::RollupPart;
use crate::{history, lock, metrics, narrative, output, report, targets, UsageError};

/// The roll-up's options.
pub(super) struct Options {
    pub(super) input: Vec<PathBuf>,
    pub(super) period: String,
    pub(super) output: crate::cli::OutputArgs,
    pub(super) names: Option<Vec<String>>,
    pub(super) allow_mixed_config: bool,
    pub(super) config: Option<PathBuf>,
    pub(super) quiet: bool,
}

/// A part's name by default: the folder its CSV is in (else the file's stem).
fn default_name(path: &Path) -> String {
    let folder = path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
    folder
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| path.file_stem().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
}

/// Read, check and roll up the parts; write the report, the CSV, the manifest and the history copy.
pub(super) fn run(o: &Options) -> anyhow::Result<Exit> {
    let start = std::time::Instant::now();
    let period: Period = o.period.parse().map_err(UsageError)?;
    let mut config = super::load_config(o.config.as_deref())?;
    if let Some(lang) = o.output.lang {
        config.report.lang = lang;
    }
    let names: Vec<String> = match &o.names {
        Some(n) if n.len() != o.input.len() => {
            return Err(UsageError(format!("--names gives {} names for {} inputs", n.len(), o.input.len())).into())
        }
        Some(n) => n.iter().map(|s| s.trim().to_string()).collect(),
        None => o.input.iter().map(|p| default_name(p)).collect(),
    };
    let mut seen = BTreeSet::new();
    for n in &names {
        if n.is_empty() || !seen.insert(n) {
            return Err(UsageError(format!("two parts are named {n:?}: give each its own with --names A,B,...")).into());
        }
    }
    let _lock = lock::lock(&o.output.out)?;
    // Read every part: its rows, its period, its fingerprint.
    let mut parts = Vec::new();
    let mut listed = Vec::new();
    let mut inputs = Vec::new();
    for (path, name) in o.input.iter().zip(&names) {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let parsed = crate::catalog::csv::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        match parsed.period.as_deref() {
            Some(p) if p == period.to_string() => {}
            Some(p) => {
                return Err(UsageError(format!("{} is the report of {p}, not of {period}", path.display())).into())
            }
            None => return Err(UsageError(format!("{} has no metric rows", path.display())).into()),
        }
        if !parsed.skipped.is_empty() && !o.quiet {
            let list: Vec<&str> = parsed.skipped.iter().map(String::as_str).collect();
            say!("{}: rows this svcq does not know, left out: {}", path.display(), list.join(", "));
        }
        let part = Part { name: name.clone(), rows: parsed.rows };
        let sha = crate::fingerprint::sha256(&bytes);
        let total = |m: MetricId| {
            part.rows.iter().find(|r| r.metric == m && r.branch.is_empty() && r.group.is_none()).and_then(|r| r.value)
        };
        listed.push(RollupPart {
            name: name.clone(),
            file: path.display().to_string(),
            sha256: sha.clone(),
            fingerprint: part.fingerprint().map(String::from),
            dq: [total(MetricId::DqRowsRead), total(MetricId::DqRowsUsed), total(MetricId::DqRejected)],
        });
        inputs.push(crate::manifest::InputRef {
            file: path.display().to_string(),
            bytes: bytes.len() as u64,
            sha256: sha,
            sheets: Vec::new(),
        });
        parts.push(part);
    }
    // The parts must mean the same by every figure, and what this config says they mean.
    let own = metrics::definitions::fingerprint(&config);
    let differing: Vec<String> = listed
        .iter()
        .filter(|p| p.fingerprint.as_deref() != Some(own.as_str()))
        .map(|p| {
            format!("{} ({})", p.name, p.fingerprint.as_deref().map_or("no fingerprint", |f| &f[..f.len().min(12)]))
        })
        .collect();
    let mixed = !differing.is_empty();
    if mixed && !o.allow_mixed_config {
        return Err(UsageError(format!(
            "the parts' definitions differ from this config's ({}): {}. Roll up with the config the parts were run with, or pass --allow-mixed-config (指标口径 will say so)",
            &own[..12],
            differing.join(", ")
        ))
        .into());
    }
    // Each part is a branch of the larger unit, in the order given.
    config.branches.order = names.clone();
    let out = &o.output.out;
    let history_dir = o.output.history_dir();
    let (history, history_warnings) = History::load(&history_dir, period);
    let rows = metrics::rollup::roll_up(&parts, config.statistics.small_sample);
    // The changes' segment rows after every other row, as in a report's CSV.
    let (segments, mut rows): (Vec<_>, Vec<_>) = rows.into_iter().partition(metrics::is_segment_row);
    metrics::sort_rows(&mut rows, &config);
    targets::apply(&mut rows, &config, &history, period);
    rows.push(metrics::meta_row(&config));
    rows.extend(segments);
    // A roll-up decomposes over its parts (its branch rows).
    let changes = metrics::change::decompose(&rows, &history, period);
    rows.extend(metrics::change::rows(&changes));
    let csv = crate::catalog::csv::render(period, &rows);
    let files = write(o, &config, &rows, &history, period, &listed, mixed, &csv)?;
    let manifest = crate::manifest::Manifest {
        svcq: env!("CARGO_PKG_VERSION").to_string(),
        period: period.to_string(),
        config: super::config_ref(o.config.as_deref())?,
        inputs,
        outputs: files.iter().map(|(p, bytes)| crate::manifest::output(&super::file_name(p), bytes)).collect(),
    };
    let manifest_path = out.join(format!("manifest-{period}.json"));
    output::write_atomic(&manifest_path, manifest.to_json().as_bytes())?;
    output::write_atomic(&history::path(&history_dir, period), &csv)?;
    if !o.quiet {
        for line in &history_warnings {
            say!("{line}");
        }
        let rolled = rows.iter().filter(|r| r.branch.is_empty() && r.metric != MetricId::MetaDefinitions).count();
        say!(
            "svcq rollup {period}: {} parts, {rolled} rows rolled up, {} metrics not rolled up{}; {:.1} s",
            parts.len(),
            metrics::rollup::not_rolled_up().len(),
            if mixed { "; definitions differ (--allow-mixed-config)" } else { "" },
            start.elapsed().as_secs_f64()
        );
        for (p, _) in &files {
            say!("wrote {}", p.display());
        }
        say!("wrote {}", manifest_path.display());
    }
    Ok(Exit::Ok)
}

/// Build the report of the rolled-up rows and write the workbook, the page and the CSV.
#[allow(clippy::too_many_arguments)]
fn write(
    o: &Options,
    config: &crate::config::Config,
    rows: &[MetricRow],
    history: &History,
    period: Period,
    parts: &[RollupPart],
    mixed: bool,
    csv: &[u8],
) -> anyhow::Result<Vec<(PathBuf, Vec<u8>)>> {
    let data = crate::model::Dataset::default();
    let staffing = metrics::staffing::staffing(&data.calls, config, period);
    let generated = crate::today().format("%Y-%m-%d").to_string();
    let scope = report::Scope::Rollup { parts, mixed };
    let fault_units = Default::default();
    let inputs = report::Inputs {
        rows,
        data: &data,
        staffing: &staffing,
        fault_units: &fault_units,
        incidents: &[],
        assessment: None,
        config,
        history,
        period,
    };
    let mut view = report::build(scope, inputs, generated);
    let templates = super::templates(o.output.templates.as_deref())?;
    narrative::fill(&mut view, rows, &templates)?;
    let deck = super::DeckLook::of(config)?;
    let docs = super::render_view(&view, config, &deck, &templates, &super::document_date(period)?, &|_, _| Ok(()))?;
    let stem = &config.report.file_stem;
    let mut files: Vec<(PathBuf, Vec<u8>)> =
        docs.into_iter().map(|(ext, bytes)| (o.output.out.join(format!("{stem}-{period}.{ext}")), bytes)).collect();
    files.push((o.output.out.join(format!("metrics-{period}.csv")), csv.to_vec()));
    let names = files.iter().map(|(p, _)| super::file_name(p)).collect();
    let digest = crate::delivery::Digest::of(&view, names);
    output::write_atomic(&o.output.out.join(format!("digest-{period}.json")), digest.to_json().as_bytes())?;
    for (p, bytes) in &files {
        output::write_atomic(p, bytes)?;
    }
    Ok(files)
}

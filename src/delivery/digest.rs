//! The digest of a written report: what a mail's body and a robot's message say (the
//! overview's sentences, the KPI table with 达标, the targets not met, the warnings, the
//! files). Written as `digest-<period>.json` beside the documents, read back by `svcq send`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::config::Lang;
use crate::render::html::cell;
use crate::report::{Report, V};

/// One KPI row as the page shows it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Kpi {
    /// The metric's label.
    pub(crate) label: String,
    /// This period's figure.
    pub(crate) value: String,
    /// The first target level, as written (`≥85.00%`), if any.
    pub(crate) target: String,
    /// Met (true), not met (false), no target (none).
    pub(crate) met: Option<bool>,
    /// The change against the period before.
    pub(crate) change: String,
}

/// What a mail and a robot say about one report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct Digest {
    /// The report's title (a branch's carries its name).
    pub(crate) title: String,
    /// The organisation.
    pub(crate) organisation: String,
    /// The branch of a branch's own report.
    pub(crate) branch: Option<String>,
    /// The period (`2026-10`).
    pub(crate) period: String,
    /// The period in words (`2026年10月`).
    pub(crate) period_text: String,
    /// `zh` or `en`.
    pub(crate) lang: String,
    /// The overview's sentences.
    pub(crate) sentences: Vec<String>,
    /// The KPI table.
    pub(crate) kpis: Vec<Kpi>,
    /// The early warnings' sentences.
    pub(crate) warnings: Vec<String>,
    /// The documents written (file names).
    pub(crate) files: Vec<String>,
}

impl Digest {
    /// The digest of a report whose documents are `files`.
    pub(crate) fn of(report: &Report, files: Vec<String>) -> Digest {
        let lang = report.lang;
        let overview = report.sections.iter().find(|s| s.id == "overview");
        let mut kpis = Vec::new();
        if let Some(t) = overview.and_then(|s| s.tables.iter().find(|t| t.id == "overview.kpis")) {
            let col = |pred: &dyn Fn(&str) -> bool| t.columns.iter().position(|c| pred(c));
            let target = col(&|c| c.starts_with("目标") || c.starts_with("Target"));
            let change = t.columns.len().checked_sub(1);
            for row in &t.rows {
                let text =
                    |i: Option<usize>| i.and_then(|i| row.get(i)).map(|v| cell(v, lang).text).unwrap_or_default();
                kpis.push(Kpi {
                    label: text(Some(0)),
                    value: text(Some(1)),
                    target: text(target),
                    met: row.iter().find_map(|v| if let V::Met(m) = v { Some(*m) } else { None }),
                    change: text(change),
                });
            }
        }
        // The warnings' sentences, wherever a section tells them (once each).
        let mut warnings: Vec<String> = Vec::new();
        for line in report.sections.iter().flat_map(|s| s.narrative.iter()) {
            for (start, end) in [("预警：", "阈值。"), ("Warning:", "threshold.")] {
                let mut rest = line.as_str();
                while let Some(at) = rest.find(start) {
                    let from = &rest[at..];
                    let len = from.find(end).map_or(from.len(), |e| e + end.len());
                    let w = from[..len].to_string();
                    if !warnings.contains(&w) {
                        warnings.push(w);
                    }
                    rest = &from[len..];
                }
            }
        }
        Digest {
            title: report.title.clone(),
            organisation: report.organisation.clone(),
            branch: report.branch.clone(),
            period: report.period.to_string(),
            period_text: match lang {
                Lang::Zh => report.period.zh(),
                Lang::En => report.period.to_string(),
            },
            lang: match lang {
                Lang::Zh => "zh",
                Lang::En => "en",
            }
            .into(),
            sentences: overview.map(|s| s.narrative.clone()).unwrap_or_default(),
            kpis,
            warnings,
            files,
        }
    }

    /// The JSON written beside the documents.
    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Read a digest back.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Digest> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("{}: {e} (write the report first, with the same --per-branch)", path.display())
        })?;
        serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
    }

    /// The labels of the targets not met.
    pub(crate) fn unmet(&self) -> Vec<&str> {
        self.kpis.iter().filter(|k| k.met == Some(false)).map(|k| k.label.as_str()).collect()
    }

    /// Chinese words, or English.
    pub(crate) fn zh(&self) -> bool {
        self.lang == "zh"
    }
}

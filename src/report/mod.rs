//! The report's view model: sections of tables, charts and narrative facts, built once from
//! the metric rows, the history and the records; the workbook and the HTML renderer both
//! read it and nothing else.

//!
//! One file per section, mirroring [`crate::metrics`]; captions and column headers come from
//! one table ([`labels`]), metric labels from the registry ([`crate::metrics::defs`]).

pub(crate) mod accountability;
mod builder;
mod calls;
mod change;
mod complaint;
mod definitions;
mod details;
mod fault;
pub(crate) mod incident;
mod install;
pub(crate) mod labels;
mod overview;
mod quality;
mod staffing;
mod survey;
mod trend;

use chrono::NaiveDateTime;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::config::{Config, Lang};
use crate::history::History;
use crate::metrics::defs::{MetricId, Unit};
use crate::metrics::{Group, MetricKey, MetricRow};
use crate::model::Dataset;
use crate::period::Period;
use crate::targets::Verdict;
use builder::Builder;
pub(crate) use labels::Label;

/// What the section files share.
mod prelude {
    pub(super) use super::builder::{product_table, target_of, Builder};
    pub(super) use super::labels::Label as L;
    pub(super) use super::{new_section, pct, Chart, ChartKind, ColKind, Headline, Index, Section, Table, V};
    pub(super) use crate::config::{Lang, Op};
    pub(super) use crate::metrics::defs::{MetricId, Unit};
    pub(super) use crate::metrics::group::GroupKind;
    pub(super) use crate::metrics::{stats, Group, MetricKey, MetricRow};
    pub(super) use crate::model::{Dataset, OrderType};
    pub(super) use crate::period::Period;
    pub(super) use chrono::NaiveDateTime;
}

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum V {
    /// Nothing.
    Empty,
    /// Text from the inputs or labels (always written as text).
    Text(String),
    /// A count.
    Count(f64),
    /// A number with a unit (hours: 1 decimal; seconds: 1 decimal).
    Num(f64, Unit),
    /// A rate (fraction) with its small-sample flag and target verdict.
    Rate {
        /// The fraction.
        v: f64,
        /// Denominator below the small-sample size.
        small: bool,
        /// Met / unmet against the first target level, if any.
        met: Option<bool>,
    },
    /// A change against last month: percentage points for rates, units otherwise.
    Change {
        /// The change (fraction points for rates).
        v: f64,
        /// Unit of the metric.
        unit: Unit,
        /// Two-proportion z-test p < 0.05 (rates only).
        significant: Option<bool>,
    },
    /// 达标 / 未达标.
    Met(bool),
    /// A date-time.
    Time(NaiveDateTime),
}

/// What a column holds (for widths, alignment and formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColKind {
    /// Text.
    Text,
    /// Numbers.
    Number,
    /// Date-times.
    Time,
    /// An empty column to fill in by hand (wide, wrapped).
    FillIn,
}

/// A table: header, rows, optional total row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// Stable id (for charts and tests).
    pub id: String,
    /// Title shown above the table.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Column kinds.
    pub kinds: Vec<ColKind>,
    /// Body rows.
    pub rows: Vec<Vec<V>>,
    /// The 合计 row.
    pub total: Option<Vec<V>>,
}

/// A chart drawn from a table's columns.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chart {
    /// Title.
    pub title: String,
    /// Kind.
    pub kind: ChartKind,
    /// Table id the data come from.
    pub table: String,
    /// Category column.
    pub category: usize,
    /// Value columns (each a series).
    pub series: Vec<usize>,
    /// A target line, if any.
    pub target: Option<(String, f64)>,
    /// Values are rates (axis in %).
    pub percent: bool,
}

/// Chart kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChartKind {
    /// Vertical bars.
    Column,
    /// Horizontal bars (long category names).
    Bar,
    /// Lines over time.
    Line,
    /// Bars sorted descending with a cumulative-share line.
    Pareto,
    /// Bars (volume) with a line (rate) on a second axis.
    ColumnLine,
    /// A grid of the value columns (rows × columns), cells above 0 in red (a shortfall): an
    /// SVG grid on the page, a conditional format in the workbook.
    HeatMap,
    /// A waterfall: the first row's value, each middle row's effect floating from the running
    /// total, the last row's value (变化归因; on the page only, the workbook has its table).
    Waterfall,
}

/// A section of the report (one workbook sheet, one HTML section).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    /// Stable id (`overview`, `calls`, ...).
    pub id: &'static str,
    /// Sheet / heading name.
    pub name: String,
    /// Narrative sentences (filled by the narrative templates).
    pub narrative: Vec<String>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Charts.
    pub charts: Vec<Chart>,
    /// A detail sheet (autofilter, frozen header, computed widths).
    pub detail: bool,
    /// Tables (by id) that start a printed page of the workbook's sheet: a table that fits a
    /// page but would otherwise begin near the end of one (明细-服务支撑's hourly table, below
    /// the sentences, the chart and the incidents).
    pub new_pages: Vec<String>,
}

/// A headline figure with everything the narrative needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Headline {
    /// The metric.
    pub metric: MetricId,
    /// Product ("" = all).
    pub product: String,
    /// Label.
    pub label: String,
    /// Unit.
    pub unit: Unit,
    /// This month.
    pub value: f64,
    /// Last month.
    pub prev: Option<f64>,
    /// Significant change (rates).
    pub significant: Option<bool>,
    /// Target verdicts, by level.
    pub verdicts: Vec<Verdict>,
    /// Small sample.
    pub small: bool,
    /// Worst branch (name, value) for rates with a direction.
    pub worst: Option<(String, f64)>,
    /// The branch that moved most against last month (name, change), small samples left out.
    pub mover: Option<(String, f64)>,
    /// A branch's own report: the whole's row of the metric, for comparison.
    pub whole: Option<MetricRow>,
    /// The segments that explain the change (a significant one only).
    pub driver: Option<crate::metrics::change::Explained>,
}

/// Whose report it is.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// The whole run's.
    Whole,
    /// One branch's own (SPEC §7.8): its rows, its figures beside the whole's.
    Branch {
        /// The branch.
        name: &'a str,
        /// The whole run's metric rows.
        whole: &'a [MetricRow],
    },
    /// A larger unit's, rolled up from its parts' metrics CSVs: no records, so no detail
    /// sheets, incidents, staffing or cases; the parts and what was not rolled up are listed.
    Rollup {
        /// The parts, in order.
        parts: &'a [RollupPart],
        /// The parts' definitions differ (`--allow-mixed-config`).
        mixed: bool,
    },
}

/// One part of a roll-up, as the report lists it.
#[derive(Debug, Clone)]
pub(crate) struct RollupPart {
    /// Its name (its row of the branch level).
    pub name: String,
    /// The metrics CSV read.
    pub file: String,
    /// The CSV's SHA-256.
    pub sha256: String,
    /// Its definitions fingerprint (`meta.definitions`), if it has one.
    pub fingerprint: Option<String>,
    /// Its rows read, used and rejected (`dq.*` totals).
    pub dq: [Option<f64>; 3],
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Report {
    /// Title.
    pub title: String,
    /// Organisation.
    pub organisation: String,
    /// The branch of a branch's own report.
    pub branch: Option<String>,
    /// Period.
    pub period: Period,
    /// Periods in the early-warning baseline.
    pub baseline_periods: usize,
    /// Generation date (YYYY-MM-DD).
    pub generated: String,
    /// Language.
    pub lang: Lang,
    /// Target level names, in config order.
    pub levels: Vec<String>,
    /// Headline figures.
    pub headlines: Vec<Headline>,
    /// The repeat-fault rate of each product.
    pub product_headlines: Vec<Headline>,
    /// Early warnings, as facts the templates tell (SPEC §6).
    pub warnings: Vec<WarningFact>,
    /// The month's mass-fault incidents, in order of start (for the narrative).
    pub incidents: Vec<incident::IncidentFact>,
    /// The complaint assessment (for the narrative).
    pub assessment: accountability::AssessFact,
    /// The escalated complaints per channel (for the narrative).
    pub escalations: Vec<accountability::EscalationFact>,
    /// Staffing and forecast (for the narrative).
    pub staffing: staffing::StaffingFact,
    /// The incident rule in force: (min customers, gap minutes as written).
    pub incident_rule: (usize, String),
    /// Sections in order.
    pub sections: Vec<Section>,
}

/// A name and a figure for the templates.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct Named {
    /// The name.
    pub name: String,
    /// The figure, formatted.
    pub value: String,
    /// The name ends in a digit (12315, 10080): a count written right after it would run
    /// into it ("123152件"), so templates put a word or a colon between.
    pub digit_end: bool,
}

impl Named {
    /// A name and its figure.
    pub(crate) fn new(name: String, value: String) -> Named {
        let digit_end = name.chars().last().is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c));
        Named { name, value, digit_end }
    }
}

/// An early warning the narrative tells: "本月短信渠道投诉60件，为近6个月均值（41.8件）的1.4倍".
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub(crate) struct WarningFact {
    /// What the watched row is of: `channel` or `category` (complaints), `product` (faults).
    pub by: &'static str,
    /// The channel, category or product.
    pub segment: String,
    /// This period's count.
    pub value: String,
    /// The baseline (mean of the previous periods), one decimal.
    pub baseline: String,
    /// Value ÷ baseline, one decimal; none when the baseline is 0.
    pub multiple: Option<String>,
    /// The periods in the baseline.
    pub periods: usize,
}

impl WarningFact {
    fn new(r: &MetricRow, w: crate::targets::Warning) -> WarningFact {
        let by = match &r.group {
            Group::Channel(_) => "channel",
            Group::Category(_) => "category",
            _ => "product",
        };
        let segment = if r.product.is_empty() { r.group.name() } else { r.product.clone() };
        WarningFact {
            by,
            segment,
            value: format!("{:.0}", w.value),
            baseline: format!("{:.1}", w.baseline),
            multiple: (w.baseline > 0.0).then(|| format!("{:.1}", w.value / w.baseline)),
            periods: w.periods,
        }
    }
}

/// Index of metric rows by their [`MetricKey`].
pub(crate) struct Index<'a> {
    rows: &'a [MetricRow],
    map: FxHashMap<MetricKey, &'a MetricRow>,
}

impl<'a> Index<'a> {
    /// Build.
    pub(crate) fn new(rows: &'a [MetricRow]) -> Self {
        Index { rows, map: rows.iter().map(|r| (r.key(), r)).collect() }
    }

    /// Look up a row.
    pub(crate) fn get(&self, metric: MetricId, branch: &str, product: &str, group: &Group) -> Option<&'a MetricRow> {
        self.map.get(&MetricKey::new(metric, branch, product, group.clone())).copied()
    }

    /// Look up a total, branch or product row (no group).
    pub(crate) fn plain(&self, metric: MetricId, branch: &str, product: &str) -> Option<&'a MetricRow> {
        self.get(metric, branch, product, &Group::None)
    }

    /// The rows of `metric` for all branches and `product` ("" = all) whose group is of `kind`,
    /// in the order the metrics stage wrote them.
    pub(crate) fn groups(
        &self,
        metric: MetricId,
        product: &'a str,
        kind: crate::metrics::group::GroupKind,
    ) -> impl Iterator<Item = &'a MetricRow> + 'a {
        self.rows.iter().filter(move |r| {
            r.metric == metric && r.branch.is_empty() && r.product == product && r.group.kind() == kind
        })
    }
}

/// The headline metrics of 一、总体概述, in order: the metrics whose changes are split
/// ([`crate::metrics::change::DECOMPOSED`], which holds complaint.count and fault.reports too).
pub(crate) const HEADLINES: &[MetricId] = &crate::metrics::change::DECOMPOSED;

/// What a report is built from: the metrics stage's outputs, the records, the config and
/// history they were computed with, and the period.
#[derive(Clone, Copy)]
pub(crate) struct Inputs<'a> {
    /// The metric rows (after targets, forecast and data-quality rows).
    pub rows: &'a [MetricRow],
    /// The records.
    pub data: &'a Dataset,
    /// The staffing table.
    pub staffing: &'a crate::metrics::staffing::Staffing,
    /// The fault reports' customer units.
    pub fault_units: &'a crate::metrics::fault::Units<'a>,
    /// The mass-fault incidents the metrics found in `data`.
    pub incidents: &'a [crate::metrics::incident::Incident],
    /// The complaints' assessment the metrics computed from `data` (a roll-up has none: its
    /// parts' rows are read instead).
    pub assessment: Option<&'a crate::metrics::assess::Assessment>,
    /// The config.
    pub config: &'a Config,
    /// Earlier periods' rows.
    pub history: &'a History,
    /// The period reported.
    pub period: Period,
}

/// Build the report of `scope`: the whole run's, or a branch's own from the branch's inputs
/// (rows, records and history of that branch) with the whole's rows beside them.
pub(crate) fn build(scope: Scope<'_>, inputs: Inputs<'_>, generated: String) -> Report {
    let Inputs { rows, data, staffing, fault_units, incidents, assessment, config, history, period } = inputs;
    let lang = config.report.lang;
    let mut b = Builder::new(rows, config, history, period);
    let branch = match scope {
        Scope::Whole | Scope::Rollup { .. } => None,
        Scope::Branch { name, whole } => {
            b.whole = Some(Index::new(whole));
            Some(name.to_string())
        }
    };
    let rollup = match scope {
        Scope::Rollup { parts, mixed } => Some((parts, mixed)),
        _ => None,
    };
    let mut levels = Vec::new();
    for tg in &config.targets {
        if !levels.contains(&tg.level) {
            levels.push(tg.level.clone());
        }
    }
    let warnings: Vec<WarningFact> = rows
        .iter()
        .filter(|r| crate::targets::warned(r) && r.warning.starts_with("warning"))
        .filter_map(|r| match crate::targets::watch(r, config, history, period) {
            crate::targets::Watch::Warn(w) => Some(WarningFact::new(r, w)),
            _ => None,
        })
        .collect();

    let products = |metric: MetricId| -> Vec<String> {
        let mut p: Vec<String> = rows
            .iter()
            .filter(|r| r.metric == metric && r.branch.is_empty() && !r.product.is_empty() && r.group.is_none())
            .map(|r| r.product.clone())
            .collect();
        p.sort();
        p.dedup();
        p
    };

    let headlines: Vec<Headline> = HEADLINES.iter().filter_map(|m| b.headline(*m, "")).collect();
    let product_headlines: Vec<Headline> =
        products(MetricId::FaultRepeatRate).iter().filter_map(|p| b.headline(MetricId::FaultRepeatRate, p)).collect();
    // The escalated complaints and the typical cases are read by more than one page or
    // sentence: each is computed once, the two on whichever core is free. The assessment is
    // the metrics stage's (a roll-up's, its parts' rows).
    let records = rollup.is_none();
    let (escalated, cases) =
        rayon::join(|| accountability::escalated(data, &b), || records.then(|| accountability::cases_table(&b, data)));
    let assessment = match assessment {
        Some(a) => std::borrow::Cow::Borrowed(a),
        None => std::borrow::Cow::Owned(crate::metrics::assess::Assessment::from_rows(rows)),
    };
    let mut complaint = complaint::section(&b);
    complaint.tables.extend(cases);
    // The hotline is staffed for the whole: neither a branch nor a roll-up of separately
    // staffed parts has a staffing page.
    let staffing_page = matches!(scope, Scope::Whole).then(|| staffing::section(&b, staffing));
    let mut sections: Vec<Section> = [
        Some(overview::section(&b, &headlines, &levels)),
        Some(calls::section(&b)),
        staffing_page,
        Some(install::section(&b, &products(MetricId::InstallOrders))),
        Some(fault::section(&b, &products(MetricId::FaultReports))),
        Some(complaint),
        Some(accountability::assess_section(&b, &assessment)),
        Some(survey::section(&b)),
        Some(trend::section(&b)),
        change::section(&b),
    ]
    .into_iter()
    .flatten()
    .collect();
    // Pages of records (most of this stage's work): a roll-up has none.
    if records {
        let pages: [&(dyn Fn() -> Section + Sync); 6] = [
            &|| incident::section(&b, data, incidents),
            &|| details::repeat_detail(&b, data, incidents, fault_units),
            &|| details::late_detail(&b, data),
            &|| accountability::assess_detail(&b, data, &assessment),
            &|| accountability::escalation_detail(&b, data, &escalated),
            &|| details::dissatisfied_detail(&b, data),
        ];
        // The longest first (as measured at a group's month): no core is left alone with a
        // long page at the end while the other waits.
        sections.extend(longest_first(&pages, &[3, 2, 5, 1, 4, 0]));
    }
    sections.push(match (&branch, rollup) {
        (Some(_), _) => quality::branch_section(&b, data),
        (None, Some((parts, _))) => quality::rollup_section(&b, parts),
        (None, None) => quality::section(&b, data),
    });
    let mut defs = definitions::section(&b);
    if let Some((parts, mixed)) = rollup {
        definitions::add_rollup_notes(&mut defs, &b, parts, mixed);
    }
    sections.push(defs);
    let mut title = period_title(&config.report.title, period);
    if let Some(name) = &branch {
        // A chart of one branch's bar (or any single category) says nothing a table does not.
        for s in &mut sections {
            let tables = &s.tables;
            s.charts.retain(|c| tables.iter().find(|t| t.id == c.table).is_some_and(|t| t.rows.len() > 1));
        }
        title = format!("{title}（{name}）");
    }
    Report {
        title,
        organisation: config.report.organisation.clone(),
        branch,
        period,
        baseline_periods: config.warning.baseline_months,
        generated,
        lang,
        levels,
        headlines,
        product_headlines,
        warnings,
        incidents: incident::facts(&b, data, incidents),
        assessment: accountability::assess_fact(&b, &assessment),
        staffing: staffing::facts(&b, staffing),
        escalations: accountability::escalation_facts(data, &escalated),
        incident_rule: (config.incidents.min_customers, format!("{}", config.incidents.gap_minutes)),
        sections,
    }
}

/// The results of `jobs` in their order, each job run once by the first free core of the
/// pool, taken in `order` (indices into `jobs`, each once): the longest first, so that the
/// cores finish together. Rayon's splitting of a list in halves gives each core a fixed half
/// to start with instead, whatever their lengths.
fn longest_first<T: Send>(jobs: &[&(dyn Fn() -> T + Sync)], order: &[usize]) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let done: Vec<std::sync::Mutex<Option<T>>> = jobs.iter().map(|_| std::sync::Mutex::new(None)).collect();
    (0..rayon::current_num_threads().min(jobs.len())).into_par_iter().for_each(|_| {
        while let Some(&j) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let page = jobs[j]();
            *done[j].lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(page);
        }
    });
    // A job missing from `order` (a caller's slip) runs here rather than being lost.
    done.into_iter()
        .zip(jobs)
        .map(|(d, job)| d.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner).unwrap_or_else(job))
        .collect()
}

impl Table {
    /// A table whose columns are given as (header, kind) in one list.
    fn with_columns(
        id: &str,
        title: Label,
        b: &Builder,
        spec: &[(Label, ColKind)],
        rows: Vec<Vec<V>>,
        total: Option<Vec<V>>,
    ) -> Table {
        Table {
            id: id.to_string(),
            title: b.text(title),
            columns: spec.iter().map(|(l, _)| b.text(*l)).collect(),
            kinds: spec.iter().map(|c| c.1).collect(),
            rows,
            total,
        }
    }
}

fn new_section(id: &'static str, name: Label, b: &Builder) -> Section {
    Section {
        id,
        name: b.text(name),
        narrative: Vec::new(),
        tables: Vec::new(),
        charts: Vec::new(),
        detail: false,
        new_pages: Vec::new(),
    }
}

/// Add the provenance table (svcq version, the config's and every input's SHA-256) to the
/// 数据质量 section.
pub(crate) fn add_provenance(report: &mut Report, m: &crate::manifest::Manifest) {
    let lang = report.lang;
    let Some(s) = report.sections.iter_mut().find(|s| s.id == "quality") else { return };
    let config = match &m.config.file {
        Some(f) => format!("{}{f}", Label::ConfigFile.text(lang)),
        None => Label::ConfigBuiltIn.text(lang).to_string(),
    };
    let mut rows = vec![
        vec![V::Text(format!("svcq {}", m.svcq)), V::Empty, V::Empty],
        vec![V::Text(config), V::Empty, V::Text(m.config.sha256.clone())],
    ];
    rows.extend(
        m.inputs.iter().map(|i| vec![V::Text(i.file.clone()), V::Count(i.bytes as f64), V::Text(i.sha256.clone())]),
    );
    s.tables.push(Table {
        id: "quality.provenance".into(),
        title: Label::ProvenanceTitle.text(lang).to_string(),
        columns: vec![
            Label::ProvenanceItem.text(lang).to_string(),
            Label::Bytes.text(lang).to_string(),
            "SHA-256".to_string(),
        ],
        kinds: vec![ColKind::Text, ColKind::Number, ColKind::Text],
        rows,
        total: None,
    });
}

/// The report's title for the period: a week's report is the weekly bulletin (周通报), so a
/// title ending in 月报 says 周通报 (others get "（周通报）" appended); months and other runs
/// of days keep the configured title.
fn period_title(title: &str, period: Period) -> String {
    if period.kind() != crate::period::PeriodKind::Week {
        return title.to_string();
    }
    match title.strip_suffix("月报") {
        Some(stem) => format!("{stem}周通报"),
        None => format!("{title}（周通报）"),
    }
}

/// A percentage with two decimals.
pub(crate) fn pct(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn escalated_are_the_escalated_complaints_sorted_by_channel_branch_and_id(
            rows in proptest::collection::vec(
                (0usize..5, 0usize..3, "(TS|TS2026100000000)[0-9]{0,2}", proptest::bool::weighted(0.8)),
                0..60,
            ),
        ) {
            // Channels whose first appearance is not their name order (and one that does not
            // escalate, one missing), ids either side of sixteen bytes and repeated, orders
            // that are not complaints.
            use crate::model::{OrderType, WorkOrder};
            let channels = [Some("省公司"), Some("工信部"), Some("营业厅"), None, Some("12300")];
            let branches = ["西区", "东区", "北区"];
            let orders = rows
                .iter()
                .map(|(c, br, id, complaint)| WorkOrder {
                    order_id: id.clone().into(),
                    branch: branches[*br].into(),
                    channel: channels[*c].map(Into::into),
                    ..WorkOrder::blank(if *complaint { OrderType::Complaint } else { OrderType::Other })
                })
                .collect();
            let data = Dataset { orders, ..Dataset::default() };
            let (config, history) = (Config::default(), History::default());
            let b = Builder::new(&[], &config, &history, "2026-10".parse().unwrap());
            let mut want: Vec<usize> = (0..rows.len())
                .filter(|&i| rows[i].3 && matches!(rows[i].0, 0 | 1 | 4))
                .collect();
            want.sort_by_key(|&i| (channels[rows[i].0], branches[rows[i].1], rows[i].2.clone()));
            proptest::prop_assert_eq!(accountability::escalated(&data, &b), want);
        }
    }

    #[test]
    fn longest_first_runs_each_job_once_and_returns_them_in_their_order() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let runs: Vec<AtomicUsize> = (0..5).map(|_| AtomicUsize::new(0)).collect();
        let job = |k: usize| {
            runs[k].fetch_add(1, Ordering::Relaxed);
            k * 10
        };
        let jobs: [&(dyn Fn() -> usize + Sync); 5] = [&|| job(0), &|| job(1), &|| job(2), &|| job(3), &|| job(4)];
        assert_eq!(longest_first(&jobs, &[4, 1, 3, 0, 2]), [0, 10, 20, 30, 40]);
        assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1));
        // A job left out of the order still runs, once.
        assert_eq!(longest_first(&jobs, &[2, 0]), [0, 10, 20, 30, 40]);
        assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 2));
    }

    fn row(metric: MetricId, branch: &str, group: Group, n: f64, d: Option<f64>) -> MetricRow {
        MetricRow::of(metric, branch, group, n, d)
    }

    fn table<'a>(s: &'a Section, id: &str) -> &'a Table {
        s.tables.iter().find(|t| t.id == id).unwrap_or_else(|| panic!("table {id}"))
    }

    fn text(v: &V) -> String {
        match v {
            V::Text(s) => s.clone(),
            V::Count(n) => format!("{n}"),
            other => format!("{other:?}"),
        }
    }

    /// SPEC §7.3's list of each escalated case, at a province's or a group's size thousands a
    /// channel, quotes the first ten and counts the rest; the branch counts cover every case.
    #[test]
    fn escalation_sentences_quote_ten_cases_a_channel_and_count_the_rest() {
        use crate::model::{OrderType, Source, WorkOrder};
        let complaint = |i: usize, channel: &'static str, branch: &'static str| WorkOrder {
            src: Source { sheet: 0, row: i as u32 + 2 },
            order_id: format!("TS{i:04}").into(),
            order_type: OrderType::Complaint,
            branch: branch.into(),
            product: "E8".into(),
            customer_id: Some(format!("c{i}").into()),
            created_at: NaiveDateTime::parse_from_str("2026-10-03 09:00", "%Y-%m-%d %H:%M").unwrap(),
            deadline: None,
            completed_at: None,
            department: None,
            channel: Some(channel.into()),
            category: Some("费用争议".into()),
            phenomenon: None,
            cause: None,
            preprocessed: None,
            justified: None,
            first_close: None,
            content: Some(format!("第{i}件投诉内容。").into()),
            result: None,
            reply_ok: None,
            human_error: None,
            site: None,
        };
        let orders = (0..13)
            .map(|i| complaint(i, "省公司", if i % 3 == 0 { "东区" } else { "西区" }))
            .chain((13..15).map(|i| complaint(i, "工信部", "东区")))
            .collect();
        let data = Dataset { orders, ..Dataset::default() };
        let (config, history) = (Config::default(), History::default());
        let b = Builder::new(&[], &config, &history, "2026-10".parse().unwrap());
        let facts = accountability::escalation_facts(&data, &accountability::escalated(&data, &b));
        let province = facts.iter().find(|f| f.name == "省公司").expect("省公司");
        assert_eq!((province.count, province.cases.len(), province.more), (13, accountability::QUOTED_CASES, 3));
        let by_branch: Vec<(String, String)> =
            province.branches.iter().map(|n| (n.name.clone(), n.value.clone())).collect();
        assert_eq!(by_branch, [("西区".to_string(), "8".to_string()), ("东区".to_string(), "5".to_string())]);
        let miit = facts.iter().find(|f| f.name == "工信部").expect("工信部");
        assert_eq!((miit.count, miit.cases.len(), miit.more), (2, 2, 0));
    }

    #[test]
    fn top_n_ranks_sort_as_numbers() {
        let rows: Vec<MetricRow> = (1..=11)
            .rev()
            .map(|r| {
                let group = Group::Rank { rank: r, value: format!("原因{r}") };
                row(MetricId::FaultTopCauses, "", group, 20.0 - f64::from(r), Some(100.0))
            })
            .collect();
        let (config, history) = (Config::default(), History::default());
        let b = Builder::new(&rows, &config, &history, "2026-10".parse().unwrap());
        let s = fault::section(&b, &[]);
        let ranks: Vec<String> = table(&s, "fault.top_causes").rows.iter().map(|r| text(&r[1])).collect();
        let want: Vec<String> = (1..=11).map(|r| r.to_string()).collect();
        assert_eq!(ranks, want);
    }

    #[test]
    fn group_tables_list_largest_first_then_by_name_with_numeric_names_kept_apart() {
        let dept = |d: &str| Group::Department(d.into());
        let rows = vec![
            row(MetricId::ComplaintOverdue, "", Group::None, 9.0, None),
            row(MetricId::ComplaintOverdue, "", dept("东区分公司"), 3.0, None),
            row(MetricId::ComplaintOverdue, "", dept("12315"), 3.0, None),
            row(MetricId::ComplaintOverdue, "", dept("城区公众客户部"), 3.0, None),
            row(MetricId::ComplaintCount, "", Group::Channel("工信部".into()), 2.0, None),
        ];
        let (config, history) = (Config::default(), History::default());
        let b = Builder::new(&rows, &config, &history, "2026-10".parse().unwrap());
        let s = complaint::section(&b);
        let overdue = table(&s, "complaint.overdue");
        let body: Vec<(String, String)> = overdue.rows.iter().map(|r| (text(&r[0]), text(&r[1]))).collect();
        assert_eq!(
            body,
            [("12315", "3"), ("东区分公司", "3"), ("城区公众客户部", "3")].map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(overdue.columns, ["责任部门", "数量"]);
        assert_eq!(table(&s, "complaint.channels").rows.len(), 1);
        assert!(table(&s, "complaint.escalations").rows.is_empty());
    }

    #[test]
    fn branch_tables_follow_the_configured_order_then_names() {
        let mut config = Config::default();
        config.branches.order = vec!["西区".into(), "东区".into()];
        let rows: Vec<MetricRow> = ["北区", "东区", "", "西区", "南区"]
            .iter()
            .map(|b| row(MetricId::SurveyContactRate, b, Group::None, 40.0, Some(50.0)))
            .collect();
        let history = History::default();
        let b = Builder::new(&rows, &config, &history, "2026-10".parse().unwrap());
        let s = survey::section(&b);
        let t = table(&s, "survey.branches");
        let names: Vec<String> = t.rows.iter().map(|r| text(&r[0])).collect();
        assert_eq!(names, ["西区", "东区", "北区", "南区"]);
        assert_eq!(text(&t.total.as_ref().unwrap()[0]), "合计");
        assert_eq!(t.columns[0], "分公司");
        assert_eq!(t.rows[0][2], V::Rate { v: 0.8, small: false, met: None });
    }
}

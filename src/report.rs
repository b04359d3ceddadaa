//! The report's view model: sections of tables, charts and narrative facts, built once from
//! the metric rows, the history and the records; the workbook and the HTML renderer both
//! read it and nothing else.

use chrono::NaiveDateTime;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::config::{Config, Lang, Op};
use crate::history::History;
use crate::ingest::header::Kind;
use crate::metrics::defs::{self, MetricDef, Unit};
use crate::metrics::orders::{deadline, timeliness, Timeliness};
use crate::metrics::{stats, MetricRow};
use crate::model::{Dataset, OrderType, WorkOrder};
use crate::month::Month;
use crate::targets::{verdicts, Verdict};

/// One table cell.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
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
pub enum ColKind {
    /// Text.
    Text,
    /// Numbers.
    Number,
    /// Date-times.
    Time,
}

/// A table: header, rows, optional total row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
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
pub struct Chart {
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
pub enum ChartKind {
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
}

/// A section of the report (one workbook sheet, one HTML section).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
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
}

/// A headline figure with everything the narrative needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Metric id.
    pub metric: String,
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
}

/// The whole report.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Title.
    pub title: String,
    /// Organisation.
    pub organisation: String,
    /// Month.
    pub month: Month,
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
    /// Early warnings (text).
    pub warnings: Vec<String>,
    /// Sections in order.
    pub sections: Vec<Section>,
}

/// Index of metric rows by (metric, branch, product, group).
pub struct Index<'a> {
    map: FxHashMap<(&'a str, &'a str, &'a str, &'a str), &'a MetricRow>,
}

impl<'a> Index<'a> {
    /// Build.
    pub fn new(rows: &'a [MetricRow]) -> Self {
        Index {
            map: rows
                .iter()
                .map(|r| ((r.metric.as_str(), r.branch.as_str(), r.product.as_str(), r.group.as_str()), r))
                .collect(),
        }
    }
    /// Look up a row.
    pub fn get(&self, metric: &str, branch: &str, product: &str, group: &str) -> Option<&'a MetricRow> {
        self.map.get(&(metric, branch, product, group)).copied()
    }
}

/// UI strings in both languages.
pub fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

struct Builder<'a> {
    config: &'a Config,
    lang: Lang,
    idx: Index<'a>,
    defs: Vec<MetricDef>,
    branches: Vec<String>,
    history: &'a History,
    month: Month,
}

impl Builder<'_> {
    fn label(&self, id: &str) -> String {
        defs::find(&self.defs, id)
            .map_or_else(|| id.to_string(), |d| if self.lang == Lang::Zh { d.zh.clone() } else { d.en.clone() })
    }

    fn unit(&self, id: &str) -> Unit {
        defs::find(&self.defs, id).map_or(Unit::Count, |d| d.unit)
    }

    fn cell(&self, r: Option<&MetricRow>) -> V {
        let Some(r) = r else { return V::Empty };
        let Some(v) = r.value else { return V::Empty };
        match self.unit(&r.metric) {
            Unit::Rate => V::Rate { v, small: r.small_sample == Some(true), met: r.met },
            Unit::Count => V::Count(v),
            u => V::Num(v, u),
        }
    }

    /// One row per branch (plus 合计) of the given metrics for one product ("" = all).
    fn branch_table(&self, id: &str, title: String, product: &str, metrics: &[&str]) -> Table {
        let mut columns = vec![t(self.lang, "分公司", "Branch").to_string()];
        columns.extend(metrics.iter().map(|m| self.label(m)));
        let mut kinds = vec![ColKind::Text];
        kinds.extend(metrics.iter().map(|_| ColKind::Number));
        let rows: Vec<Vec<V>> = self
            .branches
            .iter()
            .filter(|b| metrics.iter().any(|m| self.idx.get(m, b, product, "").is_some()))
            .map(|b| {
                let mut row = vec![V::Text(b.clone())];
                row.extend(metrics.iter().map(|m| self.cell(self.idx.get(m, b, product, ""))));
                row
            })
            .collect();
        let mut total = vec![V::Text(t(self.lang, "合计", "Total").to_string())];
        total.extend(metrics.iter().map(|m| self.cell(self.idx.get(m, "", product, ""))));
        Table { id: id.to_string(), title, columns, kinds, rows, total: Some(total) }
    }

    /// Append 上月 and 变化 columns of `metric` to a branch table (rows keyed by branch name in
    /// column 0; the total row is the whole).
    fn with_history(&self, table: &mut Table, metric: &str) {
        let unit = self.unit(metric);
        table.columns.push(format!("{}{}", t(self.lang, "上月", "Last month: "), self.label(metric)));
        table.columns.push(t(self.lang, "变化", "Change").to_string());
        table.kinds.extend([ColKind::Number, ColKind::Number]);
        let extra = |branch: &str| -> [V; 2] {
            let Some(r) = self.idx.get(metric, branch, "", "") else { return [V::Empty, V::Empty] };
            let Some(p) = self.prev_row(r) else { return [V::Empty, V::Empty] };
            let (Some(v), Some(pv)) = (r.value, p.value) else { return [V::Empty, V::Empty] };
            let significant = match (unit, r.numerator, r.denominator, p.numerator, p.denominator) {
                (Unit::Rate, Some(k1), Some(n1), Some(k2), Some(n2)) => {
                    stats::two_proportion_p(k1, n1, k2, n2).map(|p| p < 0.05)
                }
                _ => None,
            };
            let prev = match unit {
                Unit::Rate => V::Rate { v: pv, small: false, met: None },
                Unit::Count => V::Count(pv),
                u => V::Num(pv, u),
            };
            [prev, V::Change { v: v - pv, unit, significant }]
        };
        for row in &mut table.rows {
            let branch = match &row[0] {
                V::Text(s) => s.clone(),
                _ => String::new(),
            };
            row.extend(extra(&branch));
        }
        if let Some(total) = &mut table.total {
            total.extend(extra(""));
        }
    }

    /// Rows of a grouped metric (`prefix=value` groups) at total level.
    fn group_table(&self, id: &str, title: String, metric: &str, product: &str, prefix: &str, header: &str) -> Table {
        let mut rows = Vec::new();
        for (k, r) in self.idx.map.iter() {
            if k.0 == metric && k.1.is_empty() && k.2 == product && k.3.starts_with(prefix) {
                rows.push((*r, k.3[prefix.len()..].to_string()));
            }
        }
        rows.sort_by(|a, b| b.0.value.unwrap_or(0.0).total_cmp(&a.0.value.unwrap_or(0.0)).then_with(|| a.1.cmp(&b.1)));
        let unit = self.unit(metric);
        let share = unit == Unit::Rate;
        let columns = if share {
            vec![header.to_string(), t(self.lang, "数量", "Count").into(), t(self.lang, "占比", "Share").into()]
        } else {
            vec![header.to_string(), t(self.lang, "数量", "Count").into()]
        };
        let kinds = if share {
            vec![ColKind::Text, ColKind::Number, ColKind::Number]
        } else {
            vec![ColKind::Text, ColKind::Number]
        };
        let body = rows
            .into_iter()
            .map(|(r, name)| {
                let mut row = vec![V::Text(name), V::Count(r.numerator.unwrap_or(0.0))];
                if share {
                    row.push(self.cell(Some(r)));
                }
                row
            })
            .collect();
        Table { id: id.into(), title, columns, kinds, rows: body, total: None }
    }

    fn prev_row(&self, r: &MetricRow) -> Option<crate::history::Stored> {
        self.history.get(self.month.prev(), &r.key())
    }

    fn headline(&self, metric: &str, product: &str) -> Option<Headline> {
        let r = self.idx.get(metric, "", product, "")?;
        let value = r.value?;
        let unit = self.unit(metric);
        let prev = self.prev_row(r);
        let significant = match (unit, prev) {
            (Unit::Rate, Some(p)) => match (r.numerator, r.denominator, p.numerator, p.denominator) {
                (Some(k1), Some(n1), Some(k2), Some(n2)) => stats::two_proportion_p(k1, n1, k2, n2).map(|p| p < 0.05),
                _ => None,
            },
            _ => None,
        };
        let verdicts = verdicts(self.config, r);
        // The worst branch, judged in the direction of the first target.
        let worst = verdicts.first().and_then(|v| {
            let mut per_branch: Vec<(String, f64)> = self
                .branches
                .iter()
                .filter_map(|b| self.idx.get(metric, b, product, "").and_then(|r| r.value.map(|v| (b.clone(), v))))
                .collect();
            per_branch.sort_by(|a, b| a.1.total_cmp(&b.1));
            match v.op {
                Op::Ge => per_branch.first().cloned(),
                Op::Le => per_branch.last().cloned(),
            }
        });
        let mover = self
            .branches
            .iter()
            .filter_map(|b| {
                let r = self.idx.get(metric, b, product, "")?;
                if r.small_sample == Some(true) {
                    return None;
                }
                let p = self.prev_row(r)?.value?;
                Some((b.clone(), r.value? - p))
            })
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()).then_with(|| b.0.cmp(&a.0)));
        let label = if product.is_empty() { self.label(metric) } else { format!("{product}{}", self.label(metric)) };
        Some(Headline {
            metric: metric.to_string(),
            product: product.to_string(),
            label,
            unit,
            value,
            prev: prev.and_then(|p| p.value),
            significant,
            verdicts,
            small: r.small_sample == Some(true),
            worst,
            mover,
        })
    }
}

/// The headline metrics of 一、总体概述, in order.
pub const HEADLINES: &[&str] = &[
    "calls.offered",
    "calls.answer_rate",
    "calls.service_level",
    "install.ontime_rate",
    "fault.reports",
    "fault.repeat_rate",
    "fault.restore_ontime_rate",
    "complaint.count",
    "complaint.ontime_rate",
    "survey.satisfaction_rate",
];

/// Build the report.
pub fn build(
    rows: &[MetricRow],
    data: &Dataset,
    config: &Config,
    history: &History,
    month: Month,
    generated: String,
) -> Report {
    let lang = config.report.lang;
    let idx = Index::new(rows);
    let mut branches: Vec<String> = config.branches.order.clone();
    let mut others: Vec<String> = rows
        .iter()
        .filter(|r| !r.branch.is_empty() && !config.branches.order.contains(&r.branch))
        .map(|r| r.branch.clone())
        .collect::<FxHashSet<_>>()
        .into_iter()
        .collect();
    others.sort();
    branches.extend(others);
    let b = Builder { config, lang, idx, defs: defs::definitions(config), branches, history, month };
    let mut levels = Vec::new();
    for tg in &config.targets {
        if !levels.contains(&tg.level) {
            levels.push(tg.level.clone());
        }
    }
    let warnings: Vec<String> = rows
        .iter()
        .filter(|r| r.warning.starts_with("warning"))
        .map(|r| {
            let what = if r.product.is_empty() { r.group.clone() } else { r.product.clone() };
            format!("{} {}: {}", b.label(&r.metric), what, r.warning)
        })
        .collect();

    let products = |metric: &str| -> Vec<String> {
        let mut p: Vec<String> = rows
            .iter()
            .filter(|r| r.metric == metric && r.branch.is_empty() && !r.product.is_empty() && r.group.is_empty())
            .map(|r| r.product.clone())
            .collect();
        p.sort();
        p.dedup();
        p
    };

    let headlines: Vec<Headline> = HEADLINES.iter().filter_map(|m| b.headline(m, "")).collect();
    let product_headlines: Vec<Headline> =
        products("fault.repeat_rate").iter().filter_map(|p| b.headline("fault.repeat_rate", p)).collect();
    let sections = vec![
        overview(&b, &headlines, &levels),
        calls_section(&b),
        install_section(&b, &products("install.orders")),
        fault_section(&b, &products("fault.reports")),
        complaint_section(&b),
        survey_section(&b),
        trend_section(&b, rows),
        repeat_detail(&b, data),
        late_detail(&b, data),
        quality_section(&b, data),
        definitions_section(&b),
    ];
    Report {
        title: config.report.title.clone(),
        organisation: config.report.organisation.clone(),
        month,
        generated,
        lang,
        levels,
        headlines,
        product_headlines,
        warnings,
        sections,
    }
}

/// A column: Chinese header, English header, kind.
type ColSpec = (&'static str, &'static str, ColKind);

impl Table {
    /// A table whose columns are given as (zh, en, kind) in one list.
    fn with_columns(
        id: &str,
        title: &str,
        lang: Lang,
        spec: &[ColSpec],
        rows: Vec<Vec<V>>,
        total: Option<Vec<V>>,
    ) -> Table {
        Table {
            id: id.to_string(),
            title: title.to_string(),
            columns: spec.iter().map(|(zh, en, _)| t(lang, zh, en).to_string()).collect(),
            kinds: spec.iter().map(|c| c.2).collect(),
            rows,
            total,
        }
    }
}

fn section(id: &'static str, name: &str) -> Section {
    Section { id, name: name.to_string(), narrative: Vec::new(), tables: Vec::new(), charts: Vec::new(), detail: false }
}

fn overview(b: &Builder, headlines: &[Headline], levels: &[String]) -> Section {
    let lang = b.lang;
    let mut s = section("overview", t(lang, "概览", "Overview"));
    let mut columns = vec![t(lang, "指标", "Metric").to_string(), t(lang, "本月", "This month").to_string()];
    for l in levels {
        columns.push(format!("{}({l})", t(lang, "目标", "Target")));
        columns.push(format!("{}({l})", t(lang, "是否达标", "Met")));
    }
    columns.extend([t(lang, "上月", "Last month").to_string(), t(lang, "变化", "Change").to_string()]);
    let mut kinds = vec![ColKind::Text];
    kinds.extend(std::iter::repeat_n(ColKind::Number, columns.len() - 1));
    let rows = headlines
        .iter()
        .map(|h| {
            let first_met = h.verdicts.first().map(|v| v.met);
            let value = match h.unit {
                Unit::Rate => V::Rate { v: h.value, small: h.small, met: first_met },
                Unit::Count => V::Count(h.value),
                u => V::Num(h.value, u),
            };
            let mut row = vec![V::Text(h.label.clone()), value];
            for l in levels {
                match h.verdicts.iter().find(|v| &v.level == l) {
                    Some(v) => {
                        let op = if v.op == Op::Ge { "≥" } else { "≤" };
                        let target = if h.unit == Unit::Rate {
                            format!("{op}{}", pct(v.value))
                        } else {
                            format!("{op}{}", v.value)
                        };
                        row.push(V::Text(target));
                        row.push(V::Met(v.met));
                    }
                    None => row.extend([V::Empty, V::Empty]),
                }
            }
            let prev = match (h.prev, h.unit) {
                (Some(p), Unit::Rate) => V::Rate { v: p, small: false, met: None },
                (Some(p), Unit::Count) => V::Count(p),
                (Some(p), u) => V::Num(p, u),
                (None, _) => V::Empty,
            };
            row.push(prev);
            row.push(match h.prev {
                Some(p) => V::Change { v: h.value - p, unit: h.unit, significant: h.significant },
                None => V::Empty,
            });
            row
        })
        .collect();
    s.tables.push(Table {
        id: "overview.kpis".into(),
        title: t(lang, "主要指标", "Headline metrics").into(),
        columns,
        kinds,
        rows,
        total: None,
    });
    s
}

/// A percentage with two decimals.
pub fn pct(v: f64) -> String {
    format!("{:.2}%", v * 100.0)
}

fn target_of(b: &Builder, metric: &str) -> Option<(String, f64)> {
    b.config
        .targets
        .iter()
        .find(|t| t.metric == metric && t.product.is_none() && t.branch.is_none())
        .map(|t| (t.level.clone(), t.value))
}

fn calls_section(b: &Builder) -> Section {
    let lang = b.lang;
    let mut s = section("calls", t(lang, "话务", "Hotline"));
    let metrics = [
        "calls.offered",
        "calls.answer_rate",
        "calls.service_level",
        "calls.asa_seconds",
        "calls.aht_seconds",
        "calls.fcr_rate",
        "calls.repeat_caller_rate",
    ];
    let present: Vec<&str> = metrics.iter().copied().filter(|m| b.idx.get(m, "", "", "").is_some()).collect();
    let mut table =
        b.branch_table("calls.branches", t(lang, "各分公司话务指标", "Hotline by branch").into(), "", &present);
    b.with_history(&mut table, "calls.answer_rate");
    s.tables.push(table);
    // Daily volume and service level.
    let mut days: Vec<(String, V, V)> = b
        .idx
        .map
        .iter()
        .filter(|(k, _)| k.0 == "calls.offered" && k.3.starts_with("day="))
        .map(|(k, r)| {
            (
                k.3[4..].to_string(),
                V::Count(r.value.unwrap_or(0.0)),
                b.cell(b.idx.get("calls.service_level", "", "", k.3)),
            )
        })
        .collect();
    days.sort_by(|a, b| a.0.cmp(&b.0));
    s.tables.push(Table {
        id: "calls.daily".into(),
        title: t(lang, "每日呼入量与应答率", "Daily volume and service level").into(),
        columns: vec![t(lang, "日期", "Date").into(), b.label("calls.offered"), b.label("calls.service_level")],
        kinds: vec![ColKind::Text, ColKind::Number, ColKind::Number],
        rows: days.into_iter().map(|(d, n, sl)| vec![V::Text(d), n, sl]).collect(),
        total: None,
    });
    let ar = present.iter().position(|m| *m == "calls.answer_rate").map(|i| i + 1);
    if let Some(col) = ar {
        s.charts.push(Chart {
            title: t(lang, "各分公司人工接通率", "Answer rate by branch").into(),
            kind: ChartKind::Column,
            table: "calls.branches".into(),
            category: 0,
            series: vec![col],
            target: target_of(b, "calls.answer_rate"),
            percent: true,
        });
    }
    s.charts.push(Chart {
        title: t(lang, "每日呼入量与20秒应答率", "Daily calls and service level").into(),
        kind: ChartKind::ColumnLine,
        table: "calls.daily".into(),
        category: 0,
        series: vec![1, 2],
        target: target_of(b, "calls.service_level"),
        percent: false,
    });
    s
}

fn install_section(b: &Builder, products: &[String]) -> Section {
    let lang = b.lang;
    let mut s = section("install", t(lang, "装机履约", "Installations"));
    let metrics =
        ["install.orders", "install.appointment_rate", "install.ontime_rate", "install.pending", "install.late"];
    let mut table =
        b.branch_table("install.branches", t(lang, "各分公司装机履约", "Installations by branch").into(), "", &metrics);
    b.with_history(&mut table, "install.ontime_rate");
    s.tables.push(table);
    s.tables.push(product_table(
        b,
        "install.products",
        t(lang, "各产品装机履约", "Installations by product").into(),
        products,
        &metrics,
    ));
    s.charts.push(Chart {
        title: t(lang, "各分公司履约准时率", "On-time rate by branch").into(),
        kind: ChartKind::Column,
        table: "install.branches".into(),
        category: 0,
        series: vec![3],
        target: target_of(b, "install.ontime_rate"),
        percent: true,
    });
    s
}

fn product_table(b: &Builder, id: &str, title: String, products: &[String], metrics: &[&str]) -> Table {
    let mut columns = vec![t(b.lang, "产品", "Product").to_string()];
    columns.extend(metrics.iter().map(|m| b.label(m)));
    let mut kinds = vec![ColKind::Text];
    kinds.extend(metrics.iter().map(|_| ColKind::Number));
    let rows = products
        .iter()
        .map(|p| {
            let mut row = vec![V::Text(p.clone())];
            row.extend(metrics.iter().map(|m| b.cell(b.idx.get(m, "", p, ""))));
            row
        })
        .collect();
    let mut total = vec![V::Text(t(b.lang, "合计", "Total").to_string())];
    total.extend(metrics.iter().map(|m| b.cell(b.idx.get(m, "", "", ""))));
    Table { id: id.into(), title, columns, kinds, rows, total: Some(total) }
}

fn fault_section(b: &Builder, products: &[String]) -> Section {
    let lang = b.lang;
    let mut s = section("fault", t(lang, "故障", "Faults"));
    let metrics = [
        "fault.reports",
        "fault.customers",
        "fault.repeat_customers",
        "fault.repeat_rate",
        "fault.restore_ontime_rate",
        "fault.mean_restore_hours",
        "fault.restore_hours_p50",
        "fault.restore_hours_p90",
        "fault.unknown_cause_rate",
        "fault.preprocess_rate",
    ];
    let present: Vec<&str> = metrics.iter().copied().filter(|m| b.idx.get(m, "", "", "").is_some()).collect();
    s.tables.push(product_table(
        b,
        "fault.products",
        t(lang, "各产品故障指标", "Faults by product").into(),
        products,
        &present,
    ));
    // Repeat rate: branch × product.
    let mut columns = vec![t(lang, "分公司", "Branch").to_string()];
    columns.extend(products.iter().map(|p| format!("{p}{}", b.label("fault.repeat_rate"))));
    columns.push(format!("{}{}", t(lang, "全部", "All "), b.label("fault.repeat_rate")));
    let mut kinds = vec![ColKind::Text];
    kinds.extend(std::iter::repeat_n(ColKind::Number, products.len() + 1));
    let rows = b
        .branches
        .iter()
        .filter(|br| b.idx.get("fault.reports", br, "", "").is_some())
        .map(|br| {
            let mut row = vec![V::Text(br.clone())];
            row.extend(products.iter().map(|p| b.cell(b.idx.get("fault.repeat_rate", br, p, ""))));
            row.push(b.cell(b.idx.get("fault.repeat_rate", br, "", "")));
            row
        })
        .collect();
    let mut total = vec![V::Text(t(lang, "合计", "Total").to_string())];
    total.extend(products.iter().map(|p| b.cell(b.idx.get("fault.repeat_rate", "", p, ""))));
    total.push(b.cell(b.idx.get("fault.repeat_rate", "", "", "")));
    s.tables.push(Table {
        id: "fault.repeat".into(),
        title: t(lang, "重复申告率（分公司×产品）", "Repeat-fault rate by branch and product").into(),
        columns,
        kinds,
        rows,
        total: Some(total),
    });
    let mut table = b.branch_table(
        "fault.branches",
        t(lang, "各分公司故障修复", "Restoration by branch").into(),
        "",
        &["fault.reports", "fault.restore_ontime_rate", "fault.mean_restore_hours", "fault.restore_hours_p90"],
    );
    b.with_history(&mut table, "fault.restore_ontime_rate");
    s.tables.push(table);
    for (metric, name) in
        [("fault.top_phenomena", t(lang, "故障现象", "Phenomenon")), ("fault.top_causes", t(lang, "故障原因", "Cause"))]
    {
        let mut rows = Vec::new();
        for p in std::iter::once(String::new()).chain(products.iter().cloned()) {
            let mut ranked: Vec<&MetricRow> = b
                .idx
                .map
                .iter()
                .filter(|(k, _)| k.0 == metric && k.1.is_empty() && k.2 == p)
                .map(|(_, r)| *r)
                .collect();
            ranked.sort_by(|a, b| a.group.cmp(&b.group));
            for r in ranked {
                let value = r.group.split(";value=").nth(1).unwrap_or("").to_string();
                let rank = r.group.trim_start_matches("rank=").split(';').next().unwrap_or("").to_string();
                let product = if p.is_empty() { t(lang, "全部", "All").to_string() } else { p.clone() };
                rows.push(vec![
                    V::Text(product),
                    V::Text(rank),
                    V::Text(value),
                    V::Count(r.numerator.unwrap_or(0.0)),
                    b.cell(Some(r)),
                ]);
            }
        }
        s.tables.push(Table {
            id: metric.into(),
            title: b.label(metric),
            columns: vec![
                t(lang, "产品", "Product").into(),
                t(lang, "排名", "Rank").into(),
                name.into(),
                t(lang, "工单数", "Reports").into(),
                t(lang, "占比", "Share").into(),
            ],
            kinds: vec![ColKind::Text, ColKind::Text, ColKind::Text, ColKind::Number, ColKind::Number],
            rows,
            total: None,
        });
    }
    let repeat_cols: Vec<usize> = (1..=products.len()).collect();
    s.charts.push(Chart {
        title: t(lang, "各分公司分产品重复申告率", "Repeat-fault rate by branch and product").into(),
        kind: ChartKind::Column,
        table: "fault.repeat".into(),
        category: 0,
        series: repeat_cols,
        target: target_of(b, "fault.repeat_rate"),
        percent: true,
    });
    if let Some(col) = present.iter().position(|m| *m == "fault.restore_ontime_rate") {
        s.charts.push(Chart {
            title: t(lang, "各产品保障及时率", "Restoration on time by product").into(),
            kind: ChartKind::Column,
            table: "fault.products".into(),
            category: 0,
            series: vec![col + 1],
            target: target_of(b, "fault.restore_ontime_rate"),
            percent: true,
        });
    }
    s
}

fn complaint_section(b: &Builder) -> Section {
    let lang = b.lang;
    let mut s = section("complaint", t(lang, "投诉", "Complaints"));
    let metrics = [
        "complaint.count",
        "complaint.escalated",
        "complaint.ontime_rate",
        "complaint.overdue",
        "complaint.pending",
        "complaint.first_close_rate",
        "complaint.mean_handle_hours",
    ];
    let present: Vec<&str> = metrics.iter().copied().filter(|m| b.idx.get(m, "", "", "").is_some()).collect();
    let mut table =
        b.branch_table("complaint.branches", t(lang, "各分公司投诉指标", "Complaints by branch").into(), "", &present);
    b.with_history(&mut table, "complaint.ontime_rate");
    s.tables.push(table);
    let groups: [(&str, &str, &str, &str, &str, &str, &str); 5] = [
        ("complaint.channels", "受理渠道", "Channels", "complaint.count", "channel=", "渠道", "Channel"),
        ("complaint.categories", "投诉类别", "Categories", "complaint.count", "category=", "类别", "Category"),
        (
            "complaint.escalations",
            "越级投诉",
            "Escalated complaints",
            "complaint.escalated",
            "channel=",
            "渠道",
            "Channel",
        ),
        (
            "complaint.overdue",
            "未及时处理（按责任部门）",
            "Overdue by department",
            "complaint.overdue",
            "department=",
            "责任部门",
            "Department",
        ),
        (
            "complaint.justified",
            "有理由投诉提及率（按部门）",
            "Justified complaints by department",
            "complaint.justified_share",
            "department=",
            "责任部门",
            "Department",
        ),
    ];
    for (id, zh, en, metric, prefix, head_zh, head_en) in groups {
        let title = match lang {
            Lang::Zh => zh,
            Lang::En => en,
        };
        let header = match lang {
            Lang::Zh => head_zh,
            Lang::En => head_en,
        };
        s.tables.push(b.group_table(id, title.into(), metric, "", prefix, header));
    }
    for (title, table, kind) in [
        (t(lang, "各渠道投诉量", "Complaints by channel"), "complaint.channels", ChartKind::Bar),
        (t(lang, "投诉类别帕累托图", "Complaint categories (Pareto)"), "complaint.categories", ChartKind::Pareto),
        (t(lang, "各部门未及时处理投诉", "Overdue complaints by department"), "complaint.overdue", ChartKind::Bar),
    ] {
        s.charts.push(Chart {
            title: title.into(),
            kind,
            table: table.into(),
            category: 0,
            series: vec![1],
            target: None,
            percent: false,
        });
    }
    s
}

fn survey_section(b: &Builder) -> Section {
    let lang = b.lang;
    let mut s = section("survey", t(lang, "回访满意度", "Callback satisfaction"));
    let metrics = [
        "survey.attempted",
        "survey.contact_rate",
        "survey.satisfaction_rate",
        "survey.timely_rate",
        "survey.attitude_rate",
    ];
    let mut table =
        b.branch_table("survey.branches", t(lang, "各分公司回访满意度", "Satisfaction by branch").into(), "", &metrics);
    // The interval of the satisfaction rate, shown next to it.
    table.columns.insert(4, t(lang, "95%置信区间", "95% interval").into());
    table.kinds.insert(4, ColKind::Text);
    let interval = |branch: &str| match b.idx.get("survey.satisfaction_rate", branch, "", "") {
        Some(MetricRow { ci_low: Some(lo), ci_high: Some(hi), .. }) => V::Text(format!("{}–{}", pct(*lo), pct(*hi))),
        _ => V::Empty,
    };
    for row in &mut table.rows {
        let branch = match &row[0] {
            V::Text(s) => s.clone(),
            _ => String::new(),
        };
        row.insert(4, interval(&branch));
    }
    if let Some(total) = &mut table.total {
        total.insert(4, interval(""));
    }
    b.with_history(&mut table, "survey.satisfaction_rate");
    s.tables.push(table);
    s.charts.push(Chart {
        title: t(lang, "各分公司客户满意率（含95%置信区间）", "Satisfaction by branch (95% interval)").into(),
        kind: ChartKind::Column,
        table: "survey.branches".into(),
        category: 0,
        series: vec![3],
        target: target_of(b, "survey.satisfaction_rate"),
        percent: true,
    });
    s
}

fn trend_section(b: &Builder, rows: &[MetricRow]) -> Section {
    let lang = b.lang;
    let mut s = section("trend", t(lang, "趋势", "Trends"));
    let metrics = [
        "calls.answer_rate",
        "calls.service_level",
        "install.ontime_rate",
        "fault.repeat_rate",
        "fault.restore_ontime_rate",
        "complaint.ontime_rate",
        "survey.satisfaction_rate",
    ];
    let idx = Index::new(rows);
    let series: Vec<Vec<(Month, Option<f64>)>> = metrics
        .iter()
        .map(|m| {
            let key = (m.to_string(), String::new(), String::new(), String::new());
            b.history.series(&key, b.month, 12, idx.get(m, "", "", "").and_then(|r| r.value))
        })
        .collect();
    let mut columns = vec![t(lang, "月份", "Month").to_string()];
    columns.extend(metrics.iter().map(|m| b.label(m)));
    let mut kinds = vec![ColKind::Text];
    kinds.extend(metrics.iter().map(|_| ColKind::Number));
    let months: Vec<Month> = series.first().map(|s| s.iter().map(|(m, _)| *m).collect()).unwrap_or_default();
    let body: Vec<Vec<V>> = months
        .iter()
        .enumerate()
        .filter(|(i, _)| series.iter().any(|s| s[*i].1.is_some()))
        .map(|(i, m)| {
            let mut row = vec![V::Text(m.to_string())];
            row.extend(series.iter().map(|s| s[i].1.map_or(V::Empty, |v| V::Rate { v, small: false, met: None })));
            row
        })
        .collect();
    s.tables.push(Table {
        id: "trend.months".into(),
        title: t(lang, "近12个月主要指标", "Headline metrics, last 12 months").into(),
        columns,
        kinds,
        rows: body,
        total: None,
    });
    s.charts.push(Chart {
        title: t(lang, "近12个月主要指标趋势", "12-month trends").into(),
        kind: ChartKind::Line,
        table: "trend.months".into(),
        category: 0,
        series: (1..=metrics.len()).collect(),
        target: None,
        percent: true,
    });
    s
}

fn order_type_label(lang: Lang, ty: OrderType) -> &'static str {
    match ty {
        OrderType::Fault => t(lang, "故障", "fault"),
        OrderType::Install => t(lang, "装移机", "install"),
        OrderType::Complaint => t(lang, "投诉", "complaint"),
        OrderType::Other => t(lang, "其他", "other"),
    }
}

fn opt_text(v: &Option<String>) -> V {
    v.clone().map_or(V::Empty, V::Text)
}

fn repeat_detail(b: &Builder, data: &Dataset) -> Section {
    let lang = b.lang;
    let mut s = section("repeat_detail", t(lang, "明细-重复申告", "Detail - repeat faults"));
    s.detail = true;
    let mut by_customer: FxHashMap<(&str, &str), Vec<&WorkOrder>> = FxHashMap::default();
    for o in data.orders.iter().filter(|o| o.order_type == OrderType::Fault) {
        if let Some(c) = o.customer_id.as_deref() {
            by_customer.entry((c, o.product.as_str())).or_default().push(o);
        }
    }
    let repeat = crate::metrics::fault::repeat_keys(&data.orders, &data.earlier_orders, b.config);
    let mut groups: Vec<(&(&str, &str), &Vec<&WorkOrder>)> =
        by_customer.iter().filter(|(k, _)| repeat.contains(*k)).collect();
    groups.sort_by(|a, b| a.0.cmp(b.0));
    let mut rows = Vec::new();
    for ((customer, product), orders) in groups {
        let mut orders = orders.clone();
        orders.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.order_id.cmp(&b.order_id)));
        for o in orders {
            rows.push(vec![
                V::Text(customer.to_string()),
                V::Text(product.to_string()),
                V::Count(by_customer[&(*customer, *product)].len() as f64),
                V::Text(o.branch.clone()),
                V::Text(o.order_id.clone()),
                V::Time(o.created_at),
                o.completed_at.map_or(V::Empty, V::Time),
                opt_text(&o.phenomenon),
                opt_text(&o.cause),
            ]);
        }
    }
    s.tables.push(Table::with_columns(
        "repeat_detail",
        t(lang, "重复申告用户及其工单", "Repeat customers and their orders"),
        lang,
        &[
            ("用户号码", "Customer", ColKind::Text),
            ("产品", "Product", ColKind::Text),
            ("申告次数", "Reports", ColKind::Number),
            ("分公司", "Branch", ColKind::Text),
            ("工单号", "Order", ColKind::Text),
            ("受理时间", "Created", ColKind::Time),
            ("修复时间", "Restored", ColKind::Time),
            ("故障现象", "Phenomenon", ColKind::Text),
            ("故障原因", "Cause", ColKind::Text),
        ],
        rows,
        None,
    ));
    s
}

fn late_detail(b: &Builder, data: &Dataset) -> Section {
    let lang = b.lang;
    let mut s = section("late_detail", t(lang, "明细-超时工单", "Detail - late orders"));
    s.detail = true;
    let end = b.month.end();
    let mut late: Vec<(&WorkOrder, NaiveDateTime)> = data
        .orders
        .iter()
        .filter(|o| o.order_type != OrderType::Other && timeliness(o, b.config, end) == Timeliness::Late)
        .filter_map(|o| deadline(o, b.config).map(|d| (o, d)))
        .collect();
    let dept = |o: &WorkOrder| o.department.clone().unwrap_or_else(|| crate::metrics::complaint::NOT_GIVEN.to_string());
    late.sort_by(|a, b| {
        dept(a.0)
            .cmp(&dept(b.0))
            .then_with(|| a.0.order_type.cmp(&b.0.order_type))
            .then_with(|| a.0.order_id.cmp(&b.0.order_id))
    });
    let rows = late
        .into_iter()
        .map(|(o, due)| {
            let done = o.completed_at.unwrap_or(end);
            vec![
                V::Text(dept(o)),
                V::Text(order_type_label(lang, o.order_type).into()),
                V::Text(o.order_id.clone()),
                V::Text(o.branch.clone()),
                V::Text(o.product.clone()),
                V::Time(o.created_at),
                V::Time(due),
                o.completed_at.map_or(V::Text(t(lang, "未完成", "open").into()), V::Time),
                V::Num((done - due).num_seconds() as f64 / 3600.0, Unit::Hours),
            ]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "late_detail",
        t(lang, "超时及超时未完成工单（按责任部门）", "Late and overdue open orders, by department"),
        lang,
        &[
            ("责任部门", "Department", ColKind::Text),
            ("类型", "Type", ColKind::Text),
            ("工单号", "Order", ColKind::Text),
            ("分公司", "Branch", ColKind::Text),
            ("产品", "Product", ColKind::Text),
            ("受理时间", "Created", ColKind::Time),
            ("时限", "Deadline", ColKind::Time),
            ("完成时间", "Completed", ColKind::Time),
            ("超时(小时)", "Hours late", ColKind::Number),
        ],
        rows,
        None,
    ));
    s
}

fn quality_section(b: &Builder, data: &Dataset) -> Section {
    let lang = b.lang;
    let mut s = section("quality", t(lang, "数据质量", "Data quality"));
    let l = &data.ledger;
    let kind = |k: Option<Kind>| {
        k.map_or(t(lang, "未识别", "not classified").to_string(), |k| {
            if lang == Lang::Zh {
                k.label().to_string()
            } else {
                k.id().to_string()
            }
        })
    };
    let mut rows: Vec<Vec<V>> = l
        .sheets
        .iter()
        .map(|sh| {
            vec![
                V::Text(sh.file.clone()),
                V::Text(sh.sheet.clone()),
                V::Text(kind(sh.kind)),
                V::Count(sh.rows_read as f64),
                V::Count(sh.used as f64),
                V::Count(sh.out_of_period as f64),
                V::Count(sh.duplicates as f64),
                V::Count(sh.rejected as f64),
                V::Count(sh.conflicts as f64),
                V::Text(sh.note.clone().unwrap_or_default()),
            ]
        })
        .collect();
    for (file, why) in &l.skipped_files {
        rows.push(vec![
            V::Text(file.clone()),
            V::Empty,
            V::Text(t(lang, "已跳过", "skipped").into()),
            V::Empty,
            V::Empty,
            V::Empty,
            V::Empty,
            V::Empty,
            V::Empty,
            V::Text(why.clone()),
        ]);
    }
    let tot = l.total();
    s.tables.push(Table::with_columns(
        "quality.ledger",
        t(lang, "读取行数 = 使用 + 非本月 + 重复 + 拒收", "Rows read = used + out of period + duplicates + rejected"),
        lang,
        &[
            ("文件", "File", ColKind::Text),
            ("工作表", "Sheet", ColKind::Text),
            ("类别", "Kind", ColKind::Text),
            ("读取", "Read", ColKind::Number),
            ("使用", "Used", ColKind::Number),
            ("非本月", "Out of period", ColKind::Number),
            ("重复", "Duplicates", ColKind::Number),
            ("拒收", "Rejected", ColKind::Number),
            ("冲突", "Conflicts", ColKind::Number),
            ("说明", "Note", ColKind::Text),
        ],
        rows,
        Some(vec![
            V::Text(t(lang, "合计", "Total").into()),
            V::Empty,
            V::Empty,
            V::Count(tot.rows_read as f64),
            V::Count(tot.used as f64),
            V::Count(tot.out_of_period as f64),
            V::Count(tot.duplicates as f64),
            V::Count(tot.rejected as f64),
            V::Count(tot.conflicts as f64),
            V::Empty,
        ]),
    ));
    let place = |src: crate::model::Source| {
        let sh = &l.sheets[src.sheet as usize];
        (V::Text(sh.file.clone()), V::Text(sh.sheet.clone()), V::Count(f64::from(src.row)))
    };
    let rejected = l
        .rejected
        .iter()
        .map(|r| {
            let (f, sh, row) = place(r.src);
            vec![f, sh, row, V::Text(r.column.clone()), V::Text(r.raw.clone()), V::Text(r.reason.clone())]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "quality.rejected",
        t(lang, "拒收行", "Rejected rows"),
        lang,
        &[
            ("文件", "File", ColKind::Text),
            ("工作表", "Sheet", ColKind::Text),
            ("行号", "Row", ColKind::Number),
            ("列", "Column", ColKind::Text),
            ("原始值", "Value", ColKind::Text),
            ("原因", "Reason", ColKind::Text),
        ],
        rejected,
        None,
    ));
    let conflicts = l
        .conflicts
        .iter()
        .map(|c| {
            vec![
                V::Text(c.id.clone()),
                V::Text(l.locate(c.kept)),
                V::Text(l.locate(c.dropped)),
                V::Text(c.fields.join(", ")),
            ]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "quality.conflicts",
        t(
            lang,
            "冲突（同一编号内容不同，保留完成时间最晚者）",
            "Conflicts (same id, different content; the latest completion is kept)",
        ),
        lang,
        &[
            ("编号", "Id", ColKind::Text),
            ("保留", "Kept", ColKind::Text),
            ("舍弃", "Dropped", ColKind::Text),
            ("不同字段", "Fields that differ", ColKind::Text),
        ],
        conflicts,
        None,
    ));
    s
}

fn definitions_section(b: &Builder) -> Section {
    let lang = b.lang;
    let mut s = section("definitions", t(lang, "指标口径", "Definitions"));
    let rows = b
        .defs
        .iter()
        .map(|d| {
            let (label, formula) = if lang == Lang::Zh { (&d.zh, &d.formula_zh) } else { (&d.en, &d.formula_en) };
            vec![V::Text(d.id.to_string()), V::Text(label.clone()), V::Text(formula.clone())]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "definitions",
        t(lang, "指标口径（含当前配置）", "Metric definitions (with the options in force)"),
        lang,
        &[("指标编号", "Id", ColKind::Text), ("指标", "Metric", ColKind::Text), ("计算口径", "Formula", ColKind::Text)],
        rows,
        None,
    ));
    s
}

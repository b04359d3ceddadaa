//! The narrative: sentences in the analysts' style, written by tera templates from facts the
//! view model provides. Templates live in `report-templates/<lang>/<section>.txt`; an analyst
//! edits them (or points `--templates` at a copy) without rebuilding. Plain-text templates
//! are not escaped here; the HTML renderer escapes the sentences when it places them.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::{Lang, Op};
use crate::metrics::defs::{MetricId, Unit};
use crate::metrics::group::GroupKind;
use crate::metrics::{Group, MetricRow};
use crate::numbers::yuan;
use crate::period::PeriodKind;
use crate::report::{pct, Headline, Index, Named, Report};

/// The built-in templates (the same files as `report-templates/`), used when no template
/// folder is given and `./report-templates` does not exist.
pub(crate) const BUILT_IN: &[(&str, &str)] = &[
    // The shared clauses first: the section templates call their components.
    ("zh/clauses.txt", include_str!("../report-templates/zh/clauses.txt")),
    ("en/clauses.txt", include_str!("../report-templates/en/clauses.txt")),
    ("zh/overview.txt", include_str!("../report-templates/zh/overview.txt")),
    ("zh/install.txt", include_str!("../report-templates/zh/install.txt")),
    ("zh/fault.txt", include_str!("../report-templates/zh/fault.txt")),
    ("zh/calls.txt", include_str!("../report-templates/zh/calls.txt")),
    ("zh/complaint.txt", include_str!("../report-templates/zh/complaint.txt")),
    ("zh/survey.txt", include_str!("../report-templates/zh/survey.txt")),
    ("zh/trend.txt", include_str!("../report-templates/zh/trend.txt")),
    ("zh/incident.txt", include_str!("../report-templates/zh/incident.txt")),
    ("zh/assess.txt", include_str!("../report-templates/zh/assess.txt")),
    ("zh/staffing.txt", include_str!("../report-templates/zh/staffing.txt")),
    ("en/overview.txt", include_str!("../report-templates/en/overview.txt")),
    ("en/install.txt", include_str!("../report-templates/en/install.txt")),
    ("en/fault.txt", include_str!("../report-templates/en/fault.txt")),
    ("en/calls.txt", include_str!("../report-templates/en/calls.txt")),
    ("en/complaint.txt", include_str!("../report-templates/en/complaint.txt")),
    ("en/survey.txt", include_str!("../report-templates/en/survey.txt")),
    ("en/trend.txt", include_str!("../report-templates/en/trend.txt")),
    ("en/incident.txt", include_str!("../report-templates/en/incident.txt")),
    ("en/assess.txt", include_str!("../report-templates/en/assess.txt")),
    ("en/staffing.txt", include_str!("../report-templates/en/staffing.txt")),
    ("report.html", include_str!("../report-templates/report.html")),
    ("style.css", include_str!("../report-templates/style.css")),
];

/// A template problem: the template's name and tera's message (with the line).
#[derive(Debug, thiserror::Error)]
pub(crate) enum TemplateError {
    /// A template file could not be read.
    #[error("template {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Tera rejected or failed to render a template.
    #[error("template {name}: {message}")]
    Tera {
        /// Template name, e.g. `zh/fault.txt`.
        name: String,
        /// Tera's message.
        message: String,
    },
}

fn tera_err(name: &str, e: tera::Error) -> TemplateError {
    // Tera's Display has the summary; the source chain has the location.
    let mut message = e.to_string();
    let mut src = std::error::Error::source(&e);
    while let Some(s) = src {
        message.push_str(&format!(": {s}"));
        src = s.source();
    }
    TemplateError::Tera { name: name.to_string(), message }
}

/// The loaded templates.
pub(crate) struct Templates {
    /// The tera instance.
    pub tera: tera::Tera,
}

impl Templates {
    /// Load from `dir` (every template SVCQ knows must be there), or the built-ins.
    pub(crate) fn load(dir: Option<&Path>) -> Result<Templates, TemplateError> {
        let mut tera = tera::Tera::default();
        for (name, text) in BUILT_IN {
            let owned;
            let content = match dir {
                Some(d) => {
                    let path = d.join(name);
                    owned = std::fs::read_to_string(&path).map_err(|source| TemplateError::Read { path, source })?;
                    owned.as_str()
                }
                None => text,
            };
            tera.add_raw_template(name, content).map_err(|e| tera_err(name, e))?;
        }
        Ok(Templates { tera })
    }

    /// Render one template.
    pub(crate) fn render(&self, name: &str, ctx: &tera::Context) -> Result<String, TemplateError> {
        self.tera.render(name, ctx).map_err(|e| tera_err(name, e))
    }
}

/// Incidents told one sentence each; the others are counted and left to the sheet.
const INCIDENT_SENTENCES: usize = 8;

/// One target level as the narrative states it.
#[derive(Serialize)]
struct VerdictCtx {
    level: String,
    target: String,
    met: bool,
}

/// A headline figure as the narrative states it.
#[derive(Serialize)]
struct Fact {
    label: String,
    value: String,
    /// The previous month's value, formatted.
    prev: Option<String>,
    /// "上升" / "下降" / "持平" (or rose / fell / unchanged).
    direction: Option<String>,
    /// The size of the change: "0.41个百分点", "96件".
    change: Option<String>,
    /// A significance test was possible (rates with last month in history).
    tested: bool,
    /// p < 0.05 in the two-proportion z-test.
    significant: bool,
    verdicts: Vec<VerdictCtx>,
    all_met: bool,
    any_target: bool,
    small: bool,
    worst: Option<String>,
    worst_value: Option<String>,
    /// The branch that moved most, its direction and the size of the move.
    mover: Option<String>,
    mover_direction: Option<String>,
    mover_change: Option<String>,
    /// A branch's own report: the whole's value.
    whole_value: Option<String>,
    /// What the change came from (SPEC §8.2), when it is worth saying.
    driver: Option<DriverFact>,
}

/// The segments a change came from, as the narrative says them.
#[derive(Serialize)]
struct DriverFact {
    /// The dimension: branch, product, channel, category.
    by: &'static str,
    /// The segments and their effects, signed: "简阳分公司", "−1.84个百分点" / "+163件".
    segments: Vec<Named>,
    /// The named segments' mix effects outweigh their rate effects: a change of structure.
    mix: bool,
    /// The first segment's weight rose (for "…占比上升").
    up: bool,
}

/// A driver of a headline's change in words: effects signed with a real minus, rates in
/// percentage points, counts in their unit (次 for calls, 件 otherwise).
fn driver(h: &Headline, lang: Lang) -> Option<DriverFact> {
    let x = h.driver.as_ref()?;
    let unit = match (lang, h.metric) {
        (Lang::Zh, MetricId::CallsOffered) => "次",
        (Lang::Zh, _) => "件",
        (Lang::En, _) => "",
    };
    let signed = |v: f64| {
        let sign = if v < 0.0 { "−" } else { "+" };
        match h.unit {
            Unit::Rate => match lang {
                Lang::Zh => format!("{sign}{:.2}个百分点", v.abs() * 100.0),
                Lang::En => format!("{sign}{:.2} pp", v.abs() * 100.0),
            },
            _ => format!("{sign}{:.0}{unit}", v.abs()),
        }
    };
    let first = x.segments.first()?;
    Some(DriverFact {
        by: x.by,
        segments: x.segments.iter().map(|s| Named::new(s.segment.clone(), signed(s.effect))).collect(),
        mix: x.mix_dominates,
        up: first.this_weight.unwrap_or(0.0) > first.prev_weight.unwrap_or(0.0),
    })
}

fn format_value(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Rate => pct(v),
        Unit::Count => format!("{v:.0}"),
        Unit::Yuan => yuan(v),
        _ => format!("{v:.1}"),
    }
}

fn fact(h: &Headline, lang: Lang) -> Fact {
    let (up, down, same, pp, count_unit) = match lang {
        Lang::Zh => ("上升", "下降", "持平", "个百分点", ""),
        Lang::En => ("rose", "fell", "was unchanged", " percentage points", ""),
    };
    let (direction, change) = match h.prev {
        Some(p) => {
            let d = h.value - p;
            let dir = if d.abs() < 1e-12 {
                same
            } else if d > 0.0 {
                up
            } else {
                down
            };
            let size = match h.unit {
                Unit::Rate => format!("{:.2}{pp}", d.abs() * 100.0),
                Unit::Count => format!("{:.0}{count_unit}", d.abs()),
                _ => format!("{:.1}", d.abs()),
            };
            (Some(dir.to_string()), Some(size))
        }
        None => (None, None),
    };
    let verdicts: Vec<VerdictCtx> = h
        .verdicts
        .iter()
        .map(|v| VerdictCtx {
            level: v.level.clone(),
            target: format!("{}{}", if v.op == Op::Ge { "≥" } else { "≤" }, format_target(v.value, h.unit)),
            met: v.met,
        })
        .collect();
    Fact {
        label: h.label.clone(),
        value: format_value(h.value, h.unit),
        prev: h.prev.map(|p| format_value(p, h.unit)),
        direction,
        change,
        tested: h.significant.is_some(),
        significant: h.significant == Some(true),
        driver: driver(h, lang),
        all_met: verdicts.iter().all(|v| v.met),
        any_target: !verdicts.is_empty(),
        verdicts,
        small: h.small,
        worst: h.worst.as_ref().map(|w| w.0.clone()),
        worst_value: h.worst.as_ref().map(|w| format_value(w.1, h.unit)),
        mover: h.mover.as_ref().filter(|m| m.1.abs() > 1e-12).map(|m| m.0.clone()),
        mover_direction: h.mover.as_ref().map(|m| if m.1 > 0.0 { up } else { down }.to_string()),
        mover_change: h.mover.as_ref().map(|m| match h.unit {
            Unit::Rate => format!("{:.2}{pp}", m.1.abs() * 100.0),
            _ => format!("{:.1}", m.1.abs()),
        }),
        whole_value: h.whole.as_ref().and_then(|r| r.value).map(|v| format_value(v, h.unit)),
    }
}

/// A target as analysts write it: 95%, 8%, 99.5%.
fn format_target(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Rate => {
            let s = format!("{:.2}", v * 100.0);
            format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => format!("{v}"),
    }
}

fn facts_in_order<'a>(headlines: &[Headline], facts: &'a std::collections::BTreeMap<String, Fact>) -> Vec<&'a Fact> {
    headlines.iter().filter_map(|h| facts.get(&fact_name(h.metric))).collect()
}

/// The name of a headline's fact in the templates: `install.ontime_rate` → `h.install_ontime_rate`.
fn fact_name(id: MetricId) -> String {
    id.as_str().replace('.', "_")
}

/// Fill every section's narrative from the templates.
pub(crate) fn fill(report: &mut Report, rows: &[MetricRow], templates: &Templates) -> Result<(), TemplateError> {
    let lang = report.lang;
    let idx = Index::new(rows);
    let mut ctx = tera::Context::new();
    ctx.insert("month", &report.period.to_string());
    ctx.insert("month_zh", &report.period.zh());
    // The period's words: 本月/上月 for a month, 本周/上周 for a week, 本期/上期 otherwise.
    let (this, last) = match (lang, report.period.kind()) {
        (Lang::Zh, PeriodKind::Month) => ("本月", "上月"),
        (Lang::Zh, PeriodKind::Week) => ("本周", "上周"),
        (Lang::Zh, PeriodKind::Range) => ("本期", "上期"),
        (Lang::En, PeriodKind::Month) => ("this month", "last month"),
        (Lang::En, PeriodKind::Week) => ("this week", "last week"),
        (Lang::En, PeriodKind::Range) => ("this period", "the period before"),
    };
    ctx.insert("this", this);
    ctx.insert("last", last);
    let n = report.baseline_periods;
    let baseline = match (lang, report.period.kind()) {
        (Lang::Zh, PeriodKind::Month) => format!("近{n}个月"),
        (Lang::Zh, PeriodKind::Week) => format!("近{n}周"),
        (Lang::Zh, PeriodKind::Range) => format!("之前{n}期"),
        (Lang::En, PeriodKind::Month) => format!("previous {n} months"),
        (Lang::En, PeriodKind::Week) => format!("previous {n} weeks"),
        (Lang::En, PeriodKind::Range) => format!("previous {n} periods"),
    };
    ctx.insert("baseline", &baseline);
    ctx.insert("branch", &report.branch);
    ctx.insert("period_kind", &format!("{:?}", report.period.kind()).to_lowercase());
    let facts: std::collections::BTreeMap<String, Fact> =
        report.headlines.iter().map(|h| (fact_name(h.metric), fact(h, lang))).collect();
    ctx.insert("headlines", &report.headlines.iter().map(|h| fact(h, lang)).collect::<Vec<_>>());
    ctx.insert("h", &facts);
    let targeted: Vec<&Fact> = facts_in_order(&report.headlines, &facts);
    ctx.insert("target_count", &targeted.iter().filter(|f| f.any_target).count());
    ctx.insert("met_count", &targeted.iter().filter(|f| f.any_target && f.all_met).count());
    ctx.insert("unmet", &targeted.iter().filter(|f| f.any_target && !f.all_met).collect::<Vec<_>>());
    ctx.insert("warnings", &report.warnings);
    let count = |metric: MetricId| idx.plain(metric, "", "").and_then(|r| r.value).unwrap_or(0.0);
    let groups = |metric: MetricId, kind: GroupKind, n: usize| -> Vec<Named> {
        let mut v: Vec<(String, f64)> =
            idx.groups(metric, "", kind).map(|r| (r.group.name(), r.value.unwrap_or(0.0))).collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v.into_iter().take(n).map(|(name, value)| Named::new(name, format!("{value:.0}"))).collect()
    };
    // Complaints.
    ctx.insert("escalated", &format!("{:.0}", count(MetricId::ComplaintEscalated)));
    ctx.insert("escalated_channels", &groups(MetricId::ComplaintEscalated, GroupKind::Channel, 10));
    ctx.insert("overdue", &format!("{:.0}", count(MetricId::ComplaintOverdue)));
    ctx.insert("overdue_departments", &groups(MetricId::ComplaintOverdue, GroupKind::Department, 2));
    ctx.insert("top_categories", &groups(MetricId::ComplaintCount, GroupKind::Category, 3));
    // Faults: per product repeat rates and the causes.
    let product_facts: Vec<Fact> = report.product_headlines.iter().map(|h| fact(h, lang)).collect();
    ctx.insert("repeat_by_product", &product_facts);
    let causes: Vec<Named> = {
        let mut v: Vec<&MetricRow> = idx.groups(MetricId::FaultTopCauses, "", GroupKind::Rank).collect();
        v.sort_by(|a, b| a.group.cmp(&b.group));
        v.iter().map(|r| Named::new(r.group.name(), pct(r.value.unwrap_or(0.0)))).collect()
    };
    ctx.insert("top_causes", &causes);
    // Installs: branches below target.
    let below = |metric: MetricId| -> Vec<Named> {
        let mut v: Vec<&MetricRow> = rows
            .iter()
            .filter(|r| {
                r.metric == metric
                    && !r.branch.is_empty()
                    && r.product.is_empty()
                    && r.group == Group::None
                    && r.met == Some(false)
            })
            .collect();
        v.sort_by(|a, b| a.value.unwrap_or(0.0).total_cmp(&b.value.unwrap_or(0.0)));
        v.iter().map(|r| Named::new(r.branch.clone(), pct(r.value.unwrap_or(0.0)))).collect()
    };
    ctx.insert("install_below", &below(MetricId::InstallOntimeRate));
    ctx.insert("answer_below", &below(MetricId::CallsAnswerRate));
    ctx.insert("satisfaction_below", &below(MetricId::SurveySatisfactionRate));
    // Surveys.
    ctx.insert("attempted", &format!("{:.0}", count(MetricId::SurveyAttempted)));
    let contact = idx.plain(MetricId::SurveyContactRate, "", "");
    ctx.insert("contacted", &format!("{:.0}", contact.and_then(|r| r.numerator).unwrap_or(0.0)));
    ctx.insert("contact_rate", &contact.and_then(|r| r.value).map(pct).unwrap_or_default());
    // The branch with the lowest staff-attitude rate, when it is below 95 % (not a small sample).
    let lowest_attitude = rows
        .iter()
        .filter(|r| r.metric == MetricId::SurveyAttitudeRate && !r.branch.is_empty() && r.small_sample == Some(false))
        .filter(|r| r.value.is_some_and(|v| v < 0.95))
        .min_by(|a, b| a.value.unwrap_or(1.0).total_cmp(&b.value.unwrap_or(1.0)))
        .map(|r| Named::new(r.branch.clone(), pct(r.value.unwrap_or(0.0))));
    ctx.insert("lowest_attitude", &lowest_attitude);
    // Dissatisfied customers and their main reasons (largest share first).
    ctx.insert("dissatisfied", &format!("{:.0}", count(MetricId::SurveyDissatisfied)));
    let mut reasons: Vec<&MetricRow> = idx.groups(MetricId::SurveyDissatisfiedReason, "", GroupKind::Reason).collect();
    reasons
        .sort_by(|a, b| b.value.unwrap_or(0.0).total_cmp(&a.value.unwrap_or(0.0)).then_with(|| a.group.cmp(&b.group)));
    let reasons: Vec<Named> =
        reasons.iter().take(3).map(|r| Named::new(r.group.name(), pct(r.value.unwrap_or(0.0)))).collect();
    ctx.insert("dissatisfied_reasons", &reasons);
    // Mass-fault incidents: the largest INCIDENT_SENTENCES by customers, told in order of start.
    let mut told: Vec<(usize, &crate::report::incident::IncidentFact)> = report.incidents.iter().enumerate().collect();
    told.sort_by(|a, b| b.1.customers.cmp(&a.1.customers).then(a.0.cmp(&b.0)));
    told.truncate(INCIDENT_SENTENCES);
    told.sort_by_key(|t| t.0);
    let told: Vec<_> = told.into_iter().map(|t| t.1).collect();
    ctx.insert("incidents", &told);
    ctx.insert("incident_count", &report.incidents.len());
    ctx.insert("incident_customers", &report.incidents.iter().map(|i| i.customers).sum::<usize>());
    ctx.insert("incident_more", &(report.incidents.len() - told.len()));
    ctx.insert("incident_min_customers", &report.incident_rule.0);
    ctx.insert("incident_gap", &report.incident_rule.1);

    // Accountability: the assessment and the escalated complaints per channel.
    ctx.insert("assessment", &report.assessment);
    ctx.insert("escalation_lists", &report.escalations);
    ctx.insert("staffing", &report.staffing);

    let dir = if lang == Lang::Zh { "zh" } else { "en" };
    for section in &mut report.sections {
        let name = format!("{dir}/{}.txt", section.id);
        if !templates.tera.contains_template(&name) {
            continue;
        }
        let text = templates.render(&name, &ctx)?;
        section.narrative = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    }
    Ok(())
}

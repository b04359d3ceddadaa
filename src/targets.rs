//! Targets, month-over-month values and early warnings applied to metric rows.

use crate::catalog::{Group, MetricId, MetricRow};
use crate::config::{Config, Op, Target};
use crate::history::History;
use crate::period::Period;

/// One target level's verdict for a row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    /// Level name, e.g. 省公司考核.
    pub level: String,
    /// Direction.
    pub op: Op,
    /// Target value.
    pub value: f64,
    /// Met.
    pub met: bool,
}

fn applies(t: &Target, r: &MetricRow) -> bool {
    t.metric == r.metric
        && r.group.is_none()
        && t.product.as_ref().is_none_or(|p| *p == r.product)
        && t.branch.as_ref().is_none_or(|b| *b == r.branch)
}

fn specificity(t: &Target) -> u8 {
    u8::from(t.product.is_some()) + u8::from(t.branch.is_some())
}

/// Whether `value` meets a target.
pub(crate) fn meets(op: Op, value: f64, target: f64) -> bool {
    // Compare at the precision the report shows, so 95.00 % meets ≥ 95 %.
    let (v, t) = ((value * 1e9).round(), (target * 1e9).round());
    match op {
        Op::Ge => v >= t,
        Op::Le => v <= t,
    }
}

/// Every level's verdict for a row, in the order levels first appear in the config. Within
/// a level the most specific target (branch and product > one of them > general) wins.
pub(crate) fn verdicts(config: &Config, r: &MetricRow) -> Vec<Verdict> {
    let Some(value) = r.value else { return Vec::new() };
    let mut levels: Vec<&str> = Vec::new();
    for t in &config.targets {
        if applies(t, r) && !levels.contains(&t.level.as_str()) {
            levels.push(&t.level);
        }
    }
    levels
        .into_iter()
        .filter_map(|level| {
            let candidates = || config.targets.iter().filter(move |t| t.level == level && applies(t, r));
            let best = candidates().map(specificity).max()?;
            let t = candidates().find(|t| specificity(t) == best)?;
            Some(Verdict { level: level.to_string(), op: t.op, value: t.value, met: meets(t.op, value, t.value) })
        })
        .collect()
}

/// Fill `target` / `met` (the first level), `prev_value` (last month in history) and
/// `warning` (early warning) on every row.
pub(crate) fn apply(rows: &mut [MetricRow], config: &Config, history: &History, month: Period) {
    let prev = month.prev();
    for r in rows.iter_mut() {
        if let Some(v) = verdicts(config, r).into_iter().next() {
            r.target = Some(v.value);
            r.met = Some(v.met);
        }
        if history.has(prev) {
            r.prev_value = history.get(prev, &r.key()).and_then(|s| s.value);
        }
        if warned(r) {
            r.warning = warning(r, config, history, month);
        }
    }
}

/// Rows watched by early warning: complaints per category and per channel, faults per product.
pub(crate) fn warned(r: &MetricRow) -> bool {
    r.branch.is_empty()
        && match (r.metric, &r.group) {
            (MetricId::ComplaintCount, Group::Category(_) | Group::Channel(_)) => true,
            (MetricId::FaultReports, Group::None) => !r.product.is_empty(),
            _ => false,
        }
}

/// An early warning's facts: this period's value against the mean of the previous periods of
/// the same kind in history.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Warning {
    /// This period's value.
    pub value: f64,
    /// The baseline: mean of the previous periods' values.
    pub baseline: f64,
    /// The periods in the baseline.
    pub periods: usize,
    /// The coefficient in force.
    pub coefficient: f64,
}

/// How a watched row stands against its baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Watch {
    /// Fewer periods in history than half the baseline: (periods found, periods wanted).
    NoBaseline(usize, usize),
    /// Within the threshold.
    Quiet,
    /// Above it.
    Warn(Warning),
}

/// Assess a watched row: baseline = mean of the previous periods of the same kind in history
/// (up to `baseline_months`; a period in history without the row counts as 0); at least half
/// of those periods are needed.
pub(crate) fn watch(r: &MetricRow, config: &Config, history: &History, month: Period) -> Watch {
    let w = &config.warning;
    let mut m = month;
    let mut values = Vec::new();
    for _ in 0..w.baseline_months {
        m = m.prev();
        if history.has(m) {
            values.push(history.get(m, &r.key()).and_then(|s| s.value).unwrap_or(0.0));
        }
    }
    let need = w.baseline_months.div_ceil(2).max(1);
    if values.len() < need {
        return Watch::NoBaseline(values.len(), w.baseline_months);
    }
    let baseline = values.iter().sum::<f64>() / values.len() as f64;
    let value = r.value.unwrap_or(0.0);
    if value > baseline * w.coefficient && value > baseline + w.protection {
        Watch::Warn(Warning { value, baseline, periods: values.len(), coefficient: w.coefficient })
    } else {
        Watch::Quiet
    }
}

/// The early-warning text of a watched row (the CSV's machine-readable `warning` column):
/// "warning: …", "no baseline yet (…)" or empty.
pub(crate) fn warning(r: &MetricRow, config: &Config, history: &History, month: Period) -> String {
    let unit = match month.kind() {
        crate::period::PeriodKind::Month => "months",
        crate::period::PeriodKind::Week => "weeks",
        crate::period::PeriodKind::Range => "periods",
    };
    match watch(r, config, history, month) {
        Watch::NoBaseline(have, want) => format!("no baseline yet ({have} of {want} {unit} in history)"),
        Watch::Quiet => String::new(),
        Watch::Warn(w) => {
            format!(
                "warning: {} > baseline {:.1} × {} (mean of {} {unit})",
                w.value, w.baseline, w.coefficient, w.periods
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(metric: MetricId, branch: &str, product: &str, value: f64) -> MetricRow {
        MetricRow { branch: branch.into(), product: product.into(), value: Some(value), ..MetricRow::new(metric) }
    }

    #[test]
    fn levels_and_specificity() {
        let c = Config::parse(
            r#"
[[targets]]
metric = "fault.repeat_rate"
op = "<="
value = 0.08
level = "省公司考核"

[[targets]]
metric = "fault.repeat_rate"
op = "<="
value = 0.05
level = "市公司考核"

[[targets]]
metric = "fault.repeat_rate"
op = "<="
value = 0.10
level = "省公司考核"
product = "E6"
"#,
            std::path::Path::new("t.toml"),
        )
        .unwrap();
        let v = verdicts(&c, &row(MetricId::FaultRepeatRate, "", "E8", 0.0693));
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].level.as_str(), v[0].value, v[0].met), ("省公司考核", 0.08, true));
        assert_eq!((v[1].level.as_str(), v[1].value, v[1].met), ("市公司考核", 0.05, false));
        // The product-specific target wins within its level.
        let v = verdicts(&c, &row(MetricId::FaultRepeatRate, "东区", "E6", 0.09));
        assert_eq!((v[0].value, v[0].met), (0.10, true));
        assert!(verdicts(&c, &row(MetricId::CallsAnswerRate, "", "", 0.9)).is_empty());
        // Boundaries: exactly on target is met.
        assert!(meets(Op::Ge, 0.95, 0.95));
        assert!(meets(Op::Le, 0.08, 0.08));
        assert!(!meets(Op::Ge, 0.9499999, 0.95));
    }
}

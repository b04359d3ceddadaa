//! The metrics' definitions with the options in force: labels and formulas in words (the
//! 指标口径 sheet, `svcq definitions`) and their fingerprint (`meta.definitions`). The
//! registry ([`crate::catalog::defs`]) holds the templates; this fills them from the config.

use crate::catalog::defs::{MetricId, Unit};
use crate::config::{Config, RepeatWindow, SlDenominator};

/// One metric's definition, with the options in force filled into its labels and formula.
#[derive(Debug, Clone)]
pub struct MetricDef {
    /// The metric.
    pub id: MetricId,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Unit.
    pub unit: Unit,
    /// The formula in words, with the options in force (Chinese).
    pub formula_zh: String,
    /// The formula in words (English).
    pub formula_en: String,
}

/// The definitions of every metric with the options in force, indexed by [`MetricId`].
#[derive(Debug, Clone)]
pub struct Definitions(Vec<MetricDef>);

impl Definitions {
    /// The definition of a metric.
    pub fn get(&self, id: MetricId) -> &MetricDef {
        &self.0[id as usize]
    }

    /// Every definition, in report order.
    pub fn iter(&self) -> impl Iterator<Item = &MetricDef> {
        self.0.iter()
    }
}

/// All definitions with the options in force filled in.
pub fn definitions(config: &Config) -> Definitions {
    let c = &config.calls;
    let short = if c.short_abandon_seconds > 0.0 {
        format!("（{}秒内放弃的呼叫不计）", c.short_abandon_seconds)
    } else {
        String::new()
    };
    let short_en = if c.short_abandon_seconds > 0.0 {
        format!(" (calls abandoned within {} s excluded)", c.short_abandon_seconds)
    } else {
        String::new()
    };
    let (sl_den, sl_den_en) = match c.service_level_denominator {
        SlDenominator::Offered => ("人工呼入量", "offered"),
        SlDenominator::Answered => ("人工接通量", "answered"),
    };
    let f = &config.faults;
    let (repeat, repeat_en) = match f.repeat_window {
        RepeatWindow::CalendarMonth => (
            "本月申告2次及以上的用户（按产品）".to_string(),
            "customers with 2 or more reports of a product in the month".to_string(),
        ),
        RepeatWindow::Rolling => (
            format!("本月申告且{}天内曾申告的用户（按产品，含上月数据）", f.rolling_days),
            format!("customers who reported in the month and also within {} days before (per product)", f.rolling_days),
        ),
    };
    let reasons: String = config.surveys.reason_categories.0.iter().map(|c| c.0.as_str()).collect::<Vec<_>>().join("/");
    let num = |v: Option<f64>| v.map_or("—".to_string(), |h| format!("{h}"));
    let a = &config.assessment;
    let words: Vec<&str> = a.by_department.keys().map(|w| w.0.as_str()).collect();
    let (overrides, overrides_en) = if words.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!("；部门名含{}者按其设定", words.join("/")),
            format!("; departments named with {} use their own", words.join("/")),
        )
    };
    let fill = |s: &str, en: bool| {
        s.replace("{short}", if en { &short_en } else { &short })
            .replace("{sl}", &format!("{}", c.service_level_seconds))
            .replace("{sl_den}", sl_den)
            .replace("{sl_den_en}", sl_den_en)
            .replace("{rc}", &format!("{}", c.repeat_call_hours))
            .replace("{repeat}", &repeat)
            .replace("{repeat_en}", &repeat_en)
            .replace("{fault_sla}", &num(config.sla_hours.fault))
            .replace("{complaint_sla}", &num(config.sla_hours.complaint))
            .replace("{unknown}", &f.unknown_causes.join("/"))
            .replace("{top}", &f.top_n.to_string())
            .replace("{esc}", &config.complaints.escalation_channels.join("/"))
            .replace("{satisfied}", &config.surveys.satisfied.join("/"))
            .replace("{s5}", &format!("{}", config.surveys.min_score_5))
            .replace("{s10}", &format!("{}", config.surveys.min_score_10))
            .replace("{reasons}", &reasons)
            .replace("{a_overdue}", &format!("{}", a.overdue.0))
            .replace("{a_reply}", &format!("{}", a.irregular_reply.0))
            .replace("{a_human}", &format!("{}", a.human_error.0))
            .replace("{a_justified}", &format!("{}", a.justified.0))
            .replace("{a_overrides}", &overrides)
            .replace("{a_overrides_en}", &overrides_en)
            .replace("{interval}", &config.staffing.interval_minutes.to_string())
            .replace("{prefix}", &config.incidents.prefix_digits.to_string())
            .replace("{gap}", &format!("{}", config.incidents.gap_minutes))
            .replace("{min_cust}", &config.incidents.min_customers.to_string())
    };
    Definitions(
        MetricId::all()
            .map(|id| {
                let [zh, en, formula_zh, formula_en] = id.templates();
                MetricDef {
                    id,
                    zh: fill(zh, false),
                    en: fill(en, true),
                    unit: id.unit(),
                    formula_zh: fill(formula_zh, false),
                    formula_en: fill(formula_en, true),
                }
            })
            .collect(),
    )
}

/// The definitions fingerprint (`meta.definitions`): the SHA-256 of what every figure means —
/// each metric's formula with the options in force, and the options no formula spells out
/// (order-type words, per-product deadlines, survey words, escalation channels, assessment
/// amounts, targets). Titles, branch order, reading rules and languages are not in it.
pub fn fingerprint(config: &Config) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    // Rows added in the third round that mean the same whatever the options — dq.footer
    // (input rows) and change.* (derived from the other rows) — are left out, so the CSVs of
    // earlier versions still roll up with this one's.
    const LATER: [MetricId; 4] =
        [MetricId::DqFooter, MetricId::ChangeEffect, MetricId::ChangeRateEffect, MetricId::ChangeMixEffect];
    for d in definitions(config).iter().filter(|d| d.id != MetricId::MetaDefinitions && !LATER.contains(&d.id)) {
        let _ = writeln!(text, "{}\t{}", d.id, d.formula_zh);
    }
    let _ = writeln!(text, "order_types {:?}", config.order_types);
    let _ = writeln!(text, "sla_hours {:?}", config.sla_hours);
    let _ = writeln!(text, "faults {:?}", config.faults);
    let _ = writeln!(text, "incidents {:?}", config.incidents);
    let _ = writeln!(text, "calls {:?}", config.calls);
    let _ = writeln!(text, "staffing {:?}", config.staffing);
    let _ = writeln!(text, "surveys {:?}", config.surveys);
    let _ = writeln!(text, "complaints {:?}", config.complaints);
    let _ = writeln!(text, "assessment {:?}", config.assessment);
    let _ = writeln!(text, "targets {:?}", config.targets);
    crate::fingerprint::sha256(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_has_its_definition() {
        let defs = definitions(&Config::default());
        for id in MetricId::all() {
            assert_eq!(defs.get(id).id, id);
            assert!(!defs.get(id).zh.contains('{'), "{id}: a placeholder left: {}", defs.get(id).zh);
        }
    }
}

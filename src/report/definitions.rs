//! 指标口径: every metric's definition with the options in force.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder) -> Section {
    let lang = b.lang;
    let mut s = new_section("definitions", L::SheetDefinitions, b);
    let rows = b
        .defs
        .iter()
        .map(|d| {
            let (label, formula) = if lang == Lang::Zh { (&d.zh, &d.formula_zh) } else { (&d.en, &d.formula_en) };
            let words = |t: &str| super::labels::periodize(t, b.period.kind()).into_owned();
            let mut formula = words(formula);
            // The fingerprint itself, so a reader can compare two reports' definitions.
            if d.id == MetricId::MetaDefinitions {
                if let Some(r) = b.idx.groups(d.id, "", GroupKind::Fingerprint).next() {
                    let colon = if lang == Lang::Zh { "：" } else { ": " };
                    formula = format!("{formula}{colon}{}", r.group.name());
                }
            }
            vec![V::Text(d.id.to_string()), V::Text(words(label)), V::Text(formula)]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "definitions",
        L::DefinitionsTitle,
        b,
        &[(L::MetricIdColumn, ColKind::Text), (L::Metric, ColKind::Text), (L::Formula, ColKind::Text)],
        rows,
        None,
    ));
    s
}

/// A roll-up's notes: the metrics not rolled up, and when the parts' definitions differ
/// (`--allow-mixed-config`), each part's fingerprint under that warning.
pub(super) fn add_rollup_notes(s: &mut Section, b: &Builder, parts: &[super::RollupPart], mixed: bool) {
    let rows = crate::metrics::rollup::not_rolled_up()
        .into_iter()
        .map(|m| vec![V::Text(m.to_string()), V::Text(b.label(m))])
        .collect();
    s.tables.push(Table::with_columns(
        "definitions.not_rolled_up",
        L::NotRolledUpTitle,
        b,
        &[(L::MetricIdColumn, ColKind::Text), (L::Metric, ColKind::Text)],
        rows,
        None,
    ));
    if mixed {
        let rows = parts
            .iter()
            .map(|p| {
                vec![
                    V::Text(p.name.clone()),
                    V::Text(p.fingerprint.clone().unwrap_or_else(|| b.text(L::NoFingerprint))),
                ]
            })
            .collect();
        s.tables.push(Table::with_columns(
            "definitions.mixed",
            L::MixedConfigTitle,
            b,
            &[(L::Part, ColKind::Text), (L::Fingerprint, ColKind::Text)],
            rows,
            None,
        ));
    }
}

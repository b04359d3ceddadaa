//! 指标口径: every metric's definition with the options in force.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder) -> Section {
    let lang = b.lang;
    let mut s = new_section("definitions", L::SheetDefinitions, lang);
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
        L::DefinitionsTitle,
        lang,
        &[(L::MetricIdColumn, ColKind::Text), (L::Metric, ColKind::Text), (L::Formula, ColKind::Text)],
        rows,
        None,
    ));
    s
}

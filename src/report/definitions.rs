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
            vec![V::Text(d.id.to_string()), V::Text(words(label)), V::Text(words(formula))]
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

//! 概览: the headline metrics with targets, last month and the change.

use super::prelude::*;

/// The section.
pub(super) fn section(b: &Builder, headlines: &[Headline], levels: &[String]) -> Section {
    let mut s = new_section("overview", L::SheetOverview, b);
    let mut columns = vec![b.text(L::Metric), b.text(L::ThisMonth)];
    // A branch's own report shows the whole beside its figures.
    if b.whole.is_some() {
        columns.push(b.text(L::Whole));
    }
    for l in levels {
        columns.push(format!("{}({l})", b.text(L::Target)));
        columns.push(format!("{}({l})", b.text(L::Met)));
    }
    columns.extend([b.text(L::LastMonth), b.text(L::Change)]);
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
            if b.whole.is_some() {
                row.push(b.cell(h.whole.as_ref()));
            }
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
        title: b.text(L::HeadlineMetrics),
        columns,
        kinds,
        rows,
        total: None,
    });
    s
}

//! 变化归因 (SPEC §8.2): each headline metric's change from the period before, split over the
//! segments of each of its dimensions — previous and this value and weight, rate effect, mix
//! effect, effect and its share of the change; under 六、预警与趋势 on the page. The
//! decompositions are the metrics stage's ([`crate::metrics::change`]); this only lays them out.

use super::prelude::*;

/// The section, when the period before is in history (else none).
pub(super) fn section(b: &Builder) -> Option<Section> {
    if b.changes.is_empty() {
        return None;
    }
    let mut s = new_section("change", L::SheetChange, b);
    let dim = |by: &str| -> String {
        match by {
            "branch" => b.text(L::Branch),
            "product" => b.text(L::Product),
            "channel" => b.text(L::Channel),
            "category" => b.text(L::Category),
            "queue" => b.text(L::Queue),
            "department" => b.text(L::Department),
            "cause" => b.text(L::Cause),
            "phenomenon" => b.text(L::Phenomenon),
            other => other.to_string(),
        }
    };
    let columns = vec![
        b.text(L::Metric),
        b.text(L::Dimension),
        b.text(L::Segment),
        b.text(L::PrevValue),
        b.text(L::ThisValue),
        b.text(L::PrevWeight),
        b.text(L::ThisWeight),
        b.text(L::RateEffect),
        b.text(L::MixEffect),
        b.text(L::Effect),
        b.text(L::ShareOfChange),
    ];
    let mut kinds = vec![ColKind::Text, ColKind::Text, ColKind::Text];
    kinds.extend([ColKind::Number; 8]);
    let mut rows = Vec::new();
    // Float noise is no effect: shown as 0, not −0.00.
    let clean = |v: f64| if v.abs() < 5e-9 { 0.0 } else { v };
    for d in b.changes.iter().filter(|d| d.segments.iter().any(|s| s.effect.abs() >= 5e-9)) {
        let unit = d.metric.unit();
        let rate = unit == Unit::Rate;
        let value = |v: Option<f64>| match v {
            None => V::Empty,
            Some(v) if rate => V::Rate { v, small: false, met: None },
            Some(v) => V::Count(v),
        };
        let weight = |w: Option<f64>| w.map_or(V::Empty, |v| V::Rate { v, small: false, met: None });
        let effect = |e: Option<f64>| e.map_or(V::Empty, |v| V::Change { v: clean(v), unit, significant: None });
        for seg in &d.segments {
            rows.push(vec![
                V::Text(b.label(d.metric)),
                V::Text(dim(d.by)),
                V::Text(seg.segment.clone()),
                value(seg.prev),
                value(seg.this),
                weight(seg.prev_weight),
                weight(seg.this_weight),
                effect(seg.rate_effect),
                effect(seg.mix_effect),
                effect(Some(seg.effect)),
                if d.change.abs() > 1e-12 {
                    V::Rate { v: clean(seg.effect / d.change), small: false, met: None }
                } else {
                    V::Empty
                },
            ]);
        }
    }
    // A waterfall per headline whose change a few segments explain (at most 4 metrics): the
    // period before, the biggest segments of that dimension (at most 5, the rest as 其他),
    // this period.
    for (metric, x) in crate::metrics::change::DECOMPOSED
        .iter()
        .filter_map(|m| crate::metrics::change::explain(&b.changes, *m).map(|x| (*m, x)))
        .take(4)
    {
        let Some(d) = b.changes.iter().find(|d| d.metric == metric && d.by == x.by) else { continue };
        let Some(now) = b.idx.plain(metric, "", "").and_then(|r| r.value) else { continue };
        let unit = metric.unit();
        let rate = unit == Unit::Rate;
        let total = |v: f64| if rate { V::Rate { v, small: false, met: None } } else { V::Count(v) };
        // Segments without an effect are no step of the waterfall.
        let moving: Vec<&crate::metrics::change::Effect> =
            d.segments.iter().filter(|s| s.effect.abs() >= 5e-9).collect();
        let shown = moving.len().min(5);
        let mut body = vec![vec![V::Text(b.text(L::WaterfallBefore)), total(now - d.change)]];
        for seg in &moving[..shown] {
            body.push(vec![V::Text(seg.segment.clone()), V::Change { v: clean(seg.effect), unit, significant: None }]);
        }
        if moving.len() > shown {
            let rest: f64 = moving[shown..].iter().map(|s| s.effect).sum();
            body.push(vec![V::Text(b.text(L::WaterfallOthers)), V::Change { v: clean(rest), unit, significant: None }]);
        }
        body.push(vec![V::Text(b.text(L::WaterfallAfter)), total(now)]);
        let id = format!("change.{}", metric.as_str());
        let title = match b.lang {
            Lang::Zh => format!("{}{}（{}）", b.label(metric), b.text(L::WaterfallTitle), dim(d.by)),
            Lang::En => format!("{}{} ({})", b.label(metric), b.text(L::WaterfallTitle), dim(d.by)),
        };
        s.tables.push(Table {
            id: id.clone(),
            title: title.clone(),
            columns: vec![dim(d.by), b.text(L::Effect)],
            kinds: vec![ColKind::Text, ColKind::Number],
            rows: body,
            total: None,
        });
        s.charts.push(Chart {
            title,
            kind: ChartKind::Waterfall,
            table: id,
            category: 0,
            series: vec![1],
            target: None,
            percent: rate,
        });
    }
    s.tables.push(Table {
        id: "change.segments".into(),
        title: b.text(L::ChangeTableTitle),
        columns,
        kinds,
        rows,
        total: None,
    });
    Some(s)
}

//! Why it changed (SPEC §8.2): each headline metric's change from the period before, split
//! exactly over the segments of each dimension it has. A count's effect is the segment's
//! difference; a rate's is its rate effect plus its mix effect. Computed from this period's
//! metric rows and the period before's in history: no raw rows.
//!
//! For a rate r = Σ numᵢ / Σ denᵢ with weights wᵢ = denᵢ / Σ den and rᵢ = numᵢ / denᵢ:
//! rate effectᵢ = wᵢ (rᵢ − rᵢ′), mix effectᵢ = (wᵢ − wᵢ′) rᵢ′, and Σ (rate + mix) = r − r′
//! exactly. A segment new this period takes rᵢ′ = r′ (the whole's previous rate); a segment
//! gone this period has wᵢ = 0, so only its mix effect remains. Rows of the whole that no
//! segment holds form the segment `(空)`, so the segments always partition the whole.

use rustc_hash::FxHashMap;

use super::{Group, MetricId, MetricKey, MetricRow};
use crate::catalog::defs::Shape;
use crate::history::History;
use crate::period::Period;

/// The segment of the rows no segment row holds.
pub const EMPTY_SEGMENT: &str = "(空)";

/// The metrics decomposed: the headlines of 概览 in their order (they include complaint.count
/// and fault.reports); the report's 概览 lists these.
pub const DECOMPOSED: [MetricId; 10] = [
    MetricId::CallsOffered,
    MetricId::CallsAnswerRate,
    MetricId::CallsServiceLevel,
    MetricId::InstallOntimeRate,
    MetricId::FaultReports,
    MetricId::FaultRepeatRate,
    MetricId::FaultRestoreOntimeRate,
    MetricId::ComplaintCount,
    MetricId::ComplaintOntimeRate,
    MetricId::SurveySatisfactionRate,
];

/// The dimensions a metric's change is split over (those its rows have).
pub fn dimensions(metric: MetricId) -> &'static [&'static str] {
    match metric {
        MetricId::CallsOffered | MetricId::CallsAnswerRate | MetricId::CallsServiceLevel => &["branch", "queue"],
        MetricId::ComplaintCount => &["branch", "channel", "category"],
        MetricId::ComplaintOntimeRate => &["branch", "department"],
        MetricId::FaultReports => &["branch", "product", "cause", "phenomenon"],
        m if m.per_product() => &["branch", "product"],
        _ => &["branch"],
    }
}

/// A segment's numbers: (numerator, denominator); a count's denominator is `None`.
type Figures = (f64, Option<f64>);

/// One segment's part of the change.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// The segment.
    pub segment: String,
    /// Its value the period before and this period (a rate's segment rate; a count).
    pub prev: Option<f64>,
    /// This period's.
    pub this: Option<f64>,
    /// A rate's weight (the segment's share of the denominator) the period before.
    pub prev_weight: Option<f64>,
    /// This period's weight.
    pub this_weight: Option<f64>,
    /// A rate's rate effect.
    pub rate_effect: Option<f64>,
    /// A rate's mix effect.
    pub mix_effect: Option<f64>,
    /// The effect: a count's difference, a rate's rate + mix effect.
    pub effect: f64,
}

/// A metric's change split over one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Decomposition {
    /// The metric.
    pub metric: MetricId,
    /// The dimension.
    pub by: &'static str,
    /// The whole's change (this − before).
    pub change: f64,
    /// The segments, biggest |effect| first (ties: by name).
    pub segments: Vec<Effect>,
}

/// Split a count's change: each segment's difference. Segments of either period; missing
/// means 0.
pub fn decompose_count(this: &[(String, f64)], prev: &[(String, f64)]) -> Vec<Effect> {
    let mut all: Vec<&String> = this.iter().chain(prev).map(|(s, _)| s).collect();
    all.sort();
    all.dedup();
    let get = |v: &[(String, f64)], s: &str| v.iter().find(|(k, _)| k == s).map(|(_, x)| *x);
    all.into_iter()
        .map(|s| {
            let (t, p) = (get(this, s), get(prev, s));
            Effect {
                segment: s.clone(),
                prev: p,
                this: t,
                prev_weight: None,
                this_weight: None,
                rate_effect: None,
                mix_effect: None,
                effect: t.unwrap_or(0.0) - p.unwrap_or(0.0),
            }
        })
        .collect()
}

/// Split a rate's change into rate and mix effects per segment: (segment, numerator,
/// denominator) of each period. `None` when either period's whole has no denominator.
pub fn decompose_rate(this: &[(String, f64, f64)], prev: &[(String, f64, f64)]) -> Option<Vec<Effect>> {
    let total = |v: &[(String, f64, f64)]| v.iter().fold((0.0, 0.0), |a, (_, n, d)| (a.0 + n, a.1 + d));
    let (_, td) = total(this);
    let (pn, pd) = total(prev);
    if td <= 0.0 || pd <= 0.0 {
        return None;
    }
    let whole_prev = pn / pd;
    let mut all: Vec<&String> = this.iter().chain(prev).map(|(s, _, _)| s).collect();
    all.sort();
    all.dedup();
    let get = |v: &[(String, f64, f64)], s: &str| v.iter().find(|(k, _, _)| k == s).map(|(_, n, d)| (*n, *d));
    Some(
        all.into_iter()
            .map(|s| {
                let (t, p) = (get(this, s).filter(|x| x.1 > 0.0), get(prev, s).filter(|x| x.1 > 0.0));
                let w = t.map_or(0.0, |(_, d)| d / td);
                let w_prev = p.map_or(0.0, |(_, d)| d / pd);
                let r = t.map(|(n, d)| n / d);
                // A new segment takes the whole's previous rate.
                let r_prev = p.map_or(whole_prev, |(n, d)| n / d);
                let rate_effect = r.map_or(0.0, |r| w * (r - r_prev));
                let mix_effect = (w - w_prev) * r_prev;
                Effect {
                    segment: s.clone(),
                    prev: p.map(|(n, d)| n / d),
                    this: r,
                    prev_weight: Some(w_prev),
                    this_weight: Some(w),
                    rate_effect: Some(rate_effect),
                    mix_effect: Some(mix_effect),
                    effect: rate_effect + mix_effect,
                }
            })
            .collect(),
    )
}

/// The key of a segment row of `metric` in dimension `by`, and its segment name.
fn segment_of(key: &MetricKey, metric: MetricId, by: &str) -> Option<String> {
    if key.metric != metric {
        return None;
    }
    match (by, &key.group) {
        ("branch", Group::None) if !key.branch.is_empty() && key.product.is_empty() => Some(key.branch.clone()),
        ("product", Group::None) if key.branch.is_empty() && !key.product.is_empty() => Some(key.product.clone()),
        ("channel", Group::Channel(c)) if key.branch.is_empty() && key.product.is_empty() => Some(c.clone()),
        ("category", Group::Category(c)) if key.branch.is_empty() && key.product.is_empty() => Some(c.clone()),
        ("queue", Group::Queue(c))
        | ("department", Group::Department(c))
        | ("cause", Group::Cause(c))
        | ("phenomenon", Group::Phenomenon(c))
            if key.branch.is_empty() && key.product.is_empty() =>
        {
            Some(c.clone())
        }
        _ => None,
    }
}

/// One period's segments of a metric in a dimension, with the rest of the whole as `(空)`:
/// (segment, numerator, denominator). `None` without the whole's row.
fn segments(rows: &[(MetricKey, Figures)], metric: MetricId, by: &str, rate: bool) -> Option<Vec<(String, f64, f64)>> {
    let whole = rows.iter().find(|(k, _)| *k == MetricKey::total(metric))?.1;
    let mut out: Vec<(String, f64, f64)> =
        rows.iter().filter_map(|(k, (n, d))| Some((segment_of(k, metric, by)?, *n, d.unwrap_or(0.0)))).collect();
    let (sn, sd) = out.iter().fold((0.0, 0.0), |a, (_, n, d)| (a.0 + n, a.1 + d));
    let (rest_n, rest_d) = (whole.0 - sn, whole.1.unwrap_or(0.0) - sd);
    let tiny = |x: f64, of: f64| x.abs() <= 1e-9 * of.abs().max(1.0);
    if !tiny(rest_n, whole.0) || (rate && !tiny(rest_d, whole.1.unwrap_or(0.0))) {
        out.push((EMPTY_SEGMENT.to_string(), rest_n, rest_d));
    }
    Some(out)
}

/// Every decomposition of the decomposed metrics over their dimensions, when the period
/// before is in history: this period's rows and the period before's.
pub(crate) fn decompose(rows: &[MetricRow], history: &History, period: Period) -> Vec<Decomposition> {
    let prev = period.prev();
    if !history.has(prev) {
        return Vec::new();
    }
    let this_rows: Vec<(MetricKey, Figures)> = rows
        .iter()
        .filter(|r| DECOMPOSED.contains(&r.metric))
        .filter_map(|r| Some((r.key(), (r.numerator?, r.denominator))))
        .collect();
    let prev_rows: Vec<(MetricKey, Figures)> = history
        .rows(prev)
        .filter(|(k, _)| DECOMPOSED.contains(&k.metric))
        .filter_map(|(k, s)| Some((k.clone(), (s.numerator?, s.denominator))))
        .collect();
    let mut out = Vec::new();
    for metric in DECOMPOSED {
        let rate = metric.shape() == Shape::Totals && metric.unit() == crate::catalog::defs::Unit::Rate;
        for &by in dimensions(metric) {
            let (Some(t), Some(p)) = (segments(&this_rows, metric, by, rate), segments(&prev_rows, metric, by, rate))
            else {
                continue;
            };
            let whole =
                |v: &[(MetricKey, Figures)]| v.iter().find(|(k, _)| *k == MetricKey::total(metric)).map(|x| x.1);
            let (Some(tw), Some(pw)) = (whole(&this_rows), whole(&prev_rows)) else { continue };
            let (mut segs, change) = if rate {
                let (Some(td), Some(pd)) = (tw.1, pw.1) else { continue };
                if td <= 0.0 || pd <= 0.0 {
                    continue;
                }
                let Some(segs) = decompose_rate(&t, &p) else { continue };
                (segs, tw.0 / td - pw.0 / pd)
            } else {
                let strip = |v: Vec<(String, f64, f64)>| v.into_iter().map(|(s, n, _)| (s, n)).collect::<Vec<_>>();
                (decompose_count(&strip(t), &strip(p)), tw.0 - pw.0)
            };
            if segs.len() < 2 {
                continue;
            }
            segs.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()).then_with(|| a.segment.cmp(&b.segment)));
            out.push(Decomposition { metric, by, change, segments: segs });
        }
    }
    out
}

/// The `change.*` rows of the decompositions (SPEC §8.2): `change.effect` per segment, and a
/// rate's `change.rate_effect` and `change.mix_effect`; branch and product empty.
pub fn rows(decompositions: &[Decomposition]) -> Vec<MetricRow> {
    let mut out = Vec::new();
    for d in decompositions {
        for s in &d.segments {
            let group =
                Group::Change { of: d.metric.as_str().to_string(), by: d.by.to_string(), segment: s.segment.clone() };
            let row =
                |metric: MetricId, v: f64| MetricRow { group: group.clone(), value: Some(v), ..MetricRow::new(metric) };
            out.push(row(MetricId::ChangeEffect, s.effect));
            if let (Some(r), Some(m)) = (s.rate_effect, s.mix_effect) {
                out.push(row(MetricId::ChangeRateEffect, r));
                out.push(row(MetricId::ChangeMixEffect, m));
            }
        }
    }
    out
}

/// The segments that explain a change best (SPEC §8.2), and whether the mix effect
/// dominates them: over every dimension, the fewest segments in the direction of the change
/// whose effects reach half of it, each at least [`MIN_SHARE`] of it; between dimensions
/// that need as few, the one whose named segments explain the larger share.
pub fn explain(decompositions: &[Decomposition], metric: MetricId) -> Option<Explained> {
    let mut best: Option<Explained> = None;
    for d in decompositions.iter().filter(|d| d.metric == metric) {
        if d.change.abs() <= 1e-12 {
            continue;
        }
        let mut named: Vec<&Effect> = Vec::new();
        let mut sum = 0.0;
        for s in d.segments.iter().filter(|s| s.effect * d.change > 0.0) {
            if s.effect / d.change < MIN_SHARE || named.len() == MAX_NAMED {
                break;
            }
            named.push(s);
            sum += s.effect;
            if sum / d.change >= 0.5 {
                break;
            }
        }
        if named.is_empty() || sum / d.change < 0.5 {
            continue;
        }
        let share = sum / d.change;
        let better = best.as_ref().is_none_or(|b| (named.len(), -share) < (b.segments.len(), -b.share));
        if better {
            let rate: f64 = named.iter().map(|s| s.rate_effect.unwrap_or(0.0)).sum();
            let mix: f64 = named.iter().map(|s| s.mix_effect.unwrap_or(0.0)).sum();
            best = Some(Explained {
                by: d.by,
                segments: named.iter().map(|s| (*s).clone()).collect(),
                share,
                mix_dominates: named[0].mix_effect.is_some() && mix.abs() > rate.abs(),
            });
        }
    }
    best
}

/// A segment explains a change only with at least this share of it.
pub const MIN_SHARE: f64 = 0.1;
/// At most this many segments are named.
pub const MAX_NAMED: usize = 2;

/// What explains a change.
#[derive(Debug, Clone, PartialEq)]
pub struct Explained {
    /// The dimension.
    pub by: &'static str,
    /// The segments named, biggest first.
    pub segments: Vec<Effect>,
    /// Their share of the change.
    pub share: f64,
    /// Their mix effects outweigh their rate effects (a change of structure).
    pub mix_dominates: bool,
}

/// Decompositions by metric (for the report).
pub fn by_metric(decompositions: &[Decomposition]) -> FxHashMap<MetricId, Vec<&Decomposition>> {
    let mut m: FxHashMap<MetricId, Vec<&Decomposition>> = FxHashMap::default();
    for d in decompositions {
        m.entry(d.metric).or_default().push(d);
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn seg(v: &[(&str, f64, f64)]) -> Vec<(String, f64, f64)> {
        v.iter().map(|(s, n, d)| (s.to_string(), *n, *d)).collect()
    }

    #[test]
    fn a_rate_splits_into_rate_and_mix_effects() {
        // A: 90/100 -> 80/100; B: 45/50 -> 90/100 (more weight, same rate).
        let this = seg(&[("A", 80.0, 100.0), ("B", 90.0, 100.0)]);
        let prev = seg(&[("A", 90.0, 100.0), ("B", 45.0, 50.0)]);
        let e = decompose_rate(&this, &prev).unwrap();
        let a = e.iter().find(|x| x.segment == "A").unwrap();
        let b = e.iter().find(|x| x.segment == "B").unwrap();
        assert!((a.rate_effect.unwrap() - 0.5 * (0.8 - 0.9)).abs() < 1e-12);
        assert!((a.mix_effect.unwrap() - (0.5 - 2.0 / 3.0) * 0.9).abs() < 1e-12);
        assert!(b.rate_effect.unwrap().abs() < 1e-12, "B's rate did not move");
        let total: f64 = e.iter().map(|x| x.effect).sum();
        assert!((total - (170.0 / 200.0 - 135.0 / 150.0)).abs() < 1e-12);
    }

    #[test]
    fn the_fewest_segments_reaching_half_are_named() {
        let d = Decomposition {
            metric: MetricId::FaultReports,
            by: "branch",
            change: 200.0,
            segments: decompose_count(
                &[("乐至".into(), 263.0), ("东区".into(), 120.0), ("西区".into(), 95.0)],
                &[("乐至".into(), 100.0), ("东区".into(), 100.0), ("西区".into(), 78.0)],
            ),
        };
        let mut d = d;
        d.segments.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()));
        let x = explain(&[d], MetricId::FaultReports).unwrap();
        assert_eq!(x.segments.len(), 1);
        assert_eq!((x.segments[0].segment.as_str(), x.segments[0].effect), ("乐至", 163.0));
    }

    proptest! {
        /// Σ effects = change for random partitions (new and vanished segments included), and
        /// rate + mix = effect for every segment.
        #[test]
        fn effects_add_up_to_the_change(
            this in proptest::collection::vec((0u8..8, 0u32..500, 1u32..600), 1..8),
            prev in proptest::collection::vec((0u8..8, 0u32..500, 1u32..600), 1..8),
        ) {
            let norm = |v: &[(u8, u32, u32)]| -> Vec<(String, f64, f64)> {
                let mut m: std::collections::BTreeMap<u8, (f64, f64)> = Default::default();
                for (s, n, d) in v {
                    let e = m.entry(*s).or_default();
                    e.0 += f64::from(*n);
                    e.1 += f64::from(*d);
                }
                m.into_iter().map(|(s, (n, d))| (format!("s{s}"), n.min(d), d)).collect()
            };
            let (t, p) = (norm(&this), norm(&prev));
            let total = |v: &[(String, f64, f64)]| v.iter().fold((0.0, 0.0), |a, x| (a.0 + x.1, a.1 + x.2));
            let ((tn, td), (pn, pd)) = (total(&t), total(&p));
            let e = decompose_rate(&t, &p).unwrap();
            let sum: f64 = e.iter().map(|x| x.effect).sum();
            prop_assert!((sum - (tn / td - pn / pd)).abs() < 1e-12, "{} vs {}", sum, tn / td - pn / pd);
            for x in &e {
                prop_assert!((x.rate_effect.unwrap() + x.mix_effect.unwrap() - x.effect).abs() < 1e-15);
                if x.this.is_none() {
                    prop_assert!(x.rate_effect.unwrap() == 0.0, "a vanished segment has only a mix effect");
                }
            }
            let counts = |v: &[(String, f64, f64)]| v.iter().map(|(s, n, _)| (s.clone(), *n)).collect::<Vec<_>>();
            let c = decompose_count(&counts(&t), &counts(&p));
            let sum: f64 = c.iter().map(|x| x.effect).sum();
            prop_assert!((sum - (tn - pn)).abs() < 1e-9);
        }
    }
}

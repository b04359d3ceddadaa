//! The roll-up (SPEC §7.8): a larger unit's metric rows from its parts' metrics CSVs,
//! without raw rows. Counts add; rates and means are the summed numerator over the summed
//! denominator; shares of a whole are a group's summed numerator over the parts' summed
//! wholes; metrics that do not add keep each part's value on the part's row and have no
//! total. Each part becomes a branch of the larger unit.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;

use super::defs::{Rollup, Unit};
use super::group::GroupKind;
use super::{Group, MetricId, MetricRow};

/// One part of a roll-up: a unit's metrics CSV.
#[derive(Debug, Clone)]
pub struct Part {
    /// The part's name (its row of the branch level).
    pub name: String,
    /// Its metric rows.
    pub rows: Vec<MetricRow>,
}

impl Part {
    /// The part's definitions fingerprint (`meta.definitions`), if its CSV has one.
    pub fn fingerprint(&self) -> Option<&str> {
        self.rows.iter().find(|r| r.metric == MetricId::MetaDefinitions).and_then(|r| match &r.group {
            Group::Fingerprint(s) => Some(s.as_str()),
            _ => None,
        })
    }
}

/// Whether rows grouped like this roll up at all: ranks, incidents, intervals, input sheets
/// and fingerprints are each part's own.
fn group_adds(g: &Group) -> bool {
    !matches!(
        g.kind(),
        GroupKind::Rank | GroupKind::Incident | GroupKind::Interval | GroupKind::Sheet | GroupKind::Fingerprint
    )
}

/// (metric, product, group): a row's identity within one unit's level.
type Key = (MetricId, String, Group);

#[derive(Default, Clone, Copy)]
struct Acc {
    num: Option<f64>,
    den: Option<f64>,
    /// A part's own value (kept for metrics that do not roll up).
    value: Option<f64>,
}

fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
    }
}

/// A row of `key` at `branch` from a numerator and denominator, valued by the metric's rule.
fn row(key: &Key, branch: &str, acc: Acc, small_sample: u64) -> MetricRow {
    let (metric, product, group) = key;
    let value = match metric.rollup() {
        Rollup::Sum => acc.num,
        // A part's own figure that does not add: kept as the part wrote it.
        Rollup::No => acc.value,
        _ => match (acc.num, acc.den) {
            (Some(n), Some(d)) if d > 0.0 => Some(n / d),
            _ => None,
        },
    };
    let mut r = MetricRow {
        branch: branch.to_string(),
        product: product.clone(),
        group: group.clone(),
        numerator: acc.num,
        denominator: acc.den,
        value,
        ..MetricRow::new(*metric)
    };
    if metric.unit() == Unit::Rate && value.is_some() {
        r.set_interval(small_sample);
    }
    r
}

/// The rows of the larger unit, before targets and history: totals of every metric that
/// rolls up, and for each part (a branch, named by [`Part::name`]) its own totals of every
/// row its CSV also has per branch. `small_sample` flags the recomputed rates.
pub fn roll_up(parts: &[Part], small_sample: u64) -> Vec<MetricRow> {
    // Keys in order of first appearance (part by part), so the groups keep their parts' order.
    let mut order: Vec<Key> = Vec::new();
    let mut totals: FxHashMap<Key, Acc> = FxHashMap::default();
    // Per part: the rows of its branch level (its totals of keys it has per branch; the sum of
    // its branches for counts it has per branch only).
    let mut per_part: Vec<(String, Vec<(Key, Acc)>)> = Vec::new();
    for part in parts {
        let rows = part.rows.iter().filter(|r| r.metric != MetricId::MetaDefinitions);
        let mut own: FxHashMap<Key, Acc> = FxHashMap::default();
        let mut own_order: Vec<Key> = Vec::new();
        let mut branch_keys: BTreeSet<Key> = BTreeSet::new();
        let mut branch_sums: FxHashMap<Key, Acc> = FxHashMap::default();
        let mut branch_order: Vec<Key> = Vec::new();
        for r in rows {
            let key: Key = (r.metric, r.product.clone(), r.group.clone());
            if r.branch.is_empty() {
                own_order.push(key.clone());
                own.insert(key, Acc { num: r.numerator, den: r.denominator, value: r.value });
            } else {
                if r.metric.rollup() == Rollup::Sum {
                    let s = branch_sums.entry(key.clone()).or_default();
                    if s.num.is_none() {
                        branch_order.push(key.clone());
                    }
                    *s = Acc { num: add(s.num, r.numerator.or(Some(0.0))), den: None, value: None };
                }
                branch_keys.insert(key);
            }
        }
        let mut level = Vec::new();
        for key in &own_order {
            let acc = own[key];
            if key.0.rollup() != Rollup::No && group_adds(&key.2) {
                if !totals.contains_key(key) {
                    order.push(key.clone());
                }
                let t = totals.entry(key.clone()).or_default();
                t.num = add(t.num, acc.num);
                if key.0.rollup() == Rollup::Ratio {
                    t.den = add(t.den, acc.den);
                }
            }
            if branch_keys.contains(key) {
                level.push((key.clone(), acc));
            }
        }
        for key in branch_order.iter().filter(|k| !own.contains_key(*k)) {
            level.push((key.clone(), branch_sums[key]));
        }
        per_part.push((part.name.clone(), level));
    }
    // A share's denominator: every part's whole (the denominator of its rows of the metric
    // and product), whether or not the part has the group.
    let mut share_wholes: FxHashMap<(MetricId, String), f64> = FxHashMap::default();
    for part in parts {
        let mut mine: FxHashMap<(MetricId, String), f64> = FxHashMap::default();
        for r in part.rows.iter().filter(|r| r.branch.is_empty() && r.metric.rollup() == Rollup::Share) {
            if let Some(d) = r.denominator {
                mine.insert((r.metric, r.product.clone()), d);
            }
        }
        for (k, d) in mine {
            *share_wholes.entry(k).or_default() += d;
        }
    }
    for (key, t) in totals.iter_mut().filter(|(k, _)| k.0.rollup() == Rollup::Share) {
        t.den = share_wholes.get(&(key.0, key.1.clone())).copied();
    }
    let mut out: Vec<MetricRow> = order.iter().map(|k| row(k, "", totals[k], small_sample)).collect();
    for (name, level) in &per_part {
        out.extend(level.iter().map(|(k, acc)| row(k, name, *acc, small_sample)));
    }
    // Registry order, then the report's order within a metric.
    out.sort_by_key(|r| r.metric);
    out
}

/// The metrics a roll-up leaves without a total, in registry order.
pub fn not_rolled_up() -> Vec<MetricId> {
    MetricId::all().filter(|m| m.rollup() == Rollup::No && *m != MetricId::MetaDefinitions).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(metric: MetricId, branch: &str, group: Group, n: f64, d: Option<f64>) -> MetricRow {
        MetricRow::of(metric, branch, group, n, d)
    }

    fn find<'a>(rows: &'a [MetricRow], m: MetricId, branch: &str, group: &Group) -> Option<&'a MetricRow> {
        rows.iter().find(|x| x.metric == m && x.branch == branch && x.product.is_empty() && &x.group == group)
    }

    #[test]
    fn counts_add_rates_divide_sums_shares_take_every_whole() {
        let ch = |c: &str| Group::Channel(c.into());
        let reason = |c: &str| Group::Reason(c.into());
        let a = Part {
            name: "甲市".into(),
            rows: vec![
                r(MetricId::CallsOffered, "", Group::None, 100.0, None),
                r(MetricId::CallsOffered, "东区", Group::None, 100.0, None),
                r(MetricId::CallsAnswerRate, "", Group::None, 90.0, Some(100.0)),
                r(MetricId::CallsAnswerRate, "东区", Group::None, 90.0, Some(100.0)),
                r(MetricId::ComplaintCount, "", ch("工信部"), 2.0, None),
                r(MetricId::SurveyDissatisfiedReason, "", reason("网络"), 3.0, Some(4.0)),
                r(MetricId::SurveyDissatisfiedReason, "", reason("态度"), 1.0, Some(4.0)),
                r(MetricId::FaultRestoreHoursP90, "", Group::None, 20.0, None),
                r(MetricId::FaultRestoreHoursP90, "东区", Group::None, 20.0, None),
                r(MetricId::AssessCases, "东区", Group::Item("justified".into()), 5.0, None),
                r(MetricId::AssessCases, "西区", Group::Item("justified".into()), 2.0, None),
            ],
        };
        let b = Part {
            name: "乙市".into(),
            rows: vec![
                r(MetricId::CallsOffered, "", Group::None, 50.0, None),
                r(MetricId::CallsAnswerRate, "", Group::None, 30.0, Some(50.0)),
                r(MetricId::ComplaintCount, "", ch("工信部"), 1.0, None),
                r(MetricId::ComplaintCount, "", ch("12315"), 4.0, None),
                // 乙市's dissatisfied all gave 态度: its whole (6) still counts for 网络.
                r(MetricId::SurveyDissatisfiedReason, "", reason("态度"), 6.0, Some(6.0)),
            ],
        };
        let rows = roll_up(&[a, b], 30);
        let value = |m, br: &str, g: &Group| find(&rows, m, br, g).and_then(|x| x.value);
        assert_eq!(value(MetricId::CallsOffered, "", &Group::None), Some(150.0));
        assert_eq!(value(MetricId::CallsAnswerRate, "", &Group::None), Some(120.0 / 150.0));
        let rate = find(&rows, MetricId::CallsAnswerRate, "", &Group::None).unwrap();
        assert_eq!((rate.numerator, rate.denominator, rate.small_sample), (Some(120.0), Some(150.0), Some(false)));
        assert!(rate.ci_low.unwrap() < 0.8 && rate.ci_high.unwrap() > 0.8);
        assert_eq!(value(MetricId::ComplaintCount, "", &ch("工信部")), Some(3.0));
        assert_eq!(value(MetricId::ComplaintCount, "", &ch("12315")), Some(4.0));
        assert_eq!(value(MetricId::SurveyDissatisfiedReason, "", &reason("网络")), Some(3.0 / 10.0));
        assert_eq!(value(MetricId::SurveyDissatisfiedReason, "", &reason("态度")), Some(7.0 / 10.0));
        // Percentiles have no total; each part keeps its own on its row.
        assert_eq!(find(&rows, MetricId::FaultRestoreHoursP90, "", &Group::None), None);
        assert_eq!(value(MetricId::FaultRestoreHoursP90, "甲市", &Group::None), Some(20.0));
        // Each part is a branch: its totals where it had branch rows, branch-only counts summed.
        assert_eq!(value(MetricId::CallsOffered, "甲市", &Group::None), Some(100.0));
        assert_eq!(value(MetricId::CallsAnswerRate, "甲市", &Group::None), Some(0.9));
        assert_eq!(value(MetricId::AssessCases, "甲市", &Group::Item("justified".into())), Some(7.0));
        assert_eq!(find(&rows, MetricId::CallsOffered, "乙市", &Group::None), None, "乙市 had no branch rows");
        assert!(rows.iter().all(|x| x.branch != "东区"), "the parts' branches are not the larger unit's");
    }
}

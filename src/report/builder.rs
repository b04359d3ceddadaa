//! The section builders' shared helpers: labels, cells, branch/product/group tables,
//! last month's values and the headline facts.

use super::prelude::*;
use crate::config::Config;
use crate::history::History;
use crate::metrics::definitions::{definitions, Definitions};
use crate::targets::verdicts;

/// What every section builder reads: the config, the rows' index, the definitions, the
/// branches in display order, the history.
pub(crate) struct Builder<'a> {
    pub(super) config: &'a Config,
    pub(super) lang: Lang,
    pub(super) idx: Index<'a>,
    pub(super) defs: Definitions,
    pub(super) branches: Vec<String>,
    pub(super) history: &'a History,
    pub(super) period: Period,
    /// A branch's own report: the whole's rows, for comparison.
    pub(super) whole: Option<Index<'a>>,
    /// Each headline's change from the period before, split over its dimensions (SPEC §8.2).
    pub(super) changes: Vec<crate::metrics::change::Decomposition>,
}

impl<'a> Builder<'a> {
    /// A builder over this period's rows; branches in the configured order, others by name.
    pub(super) fn new(rows: &'a [MetricRow], config: &'a Config, history: &'a History, period: Period) -> Builder<'a> {
        let mut branches: Vec<String> = config.branches.order.clone();
        let mut others: Vec<String> = rows
            .iter()
            .filter(|r| !r.branch.is_empty() && !config.branches.order.contains(&r.branch))
            .map(|r| r.branch.clone())
            .collect::<rustc_hash::FxHashSet<_>>()
            .into_iter()
            .collect();
        others.sort();
        branches.extend(others);
        Builder {
            config,
            lang: config.report.lang,
            idx: Index::new(rows),
            defs: definitions(config),
            branches,
            history,
            period,
            whole: None,
            changes: crate::metrics::change::decompose(rows, history, period),
        }
    }

    /// A metric's label in the report's language.
    pub(super) fn label(&self, id: MetricId) -> String {
        let d = self.defs.get(id);
        if self.lang == Lang::Zh {
            d.zh.clone()
        } else {
            d.en.clone()
        }
    }

    /// A fixed text in the report's language, in the words of the period's kind
    /// (本月 / 本周 / 本期).
    pub(super) fn text(&self, l: L) -> String {
        super::labels::periodize(l.text(self.lang), self.period.kind()).into_owned()
    }

    /// A metric row's value as a cell.
    pub(super) fn cell(&self, r: Option<&MetricRow>) -> V {
        let Some(r) = r else { return V::Empty };
        let Some(v) = r.value else { return V::Empty };
        match r.metric.unit() {
            Unit::Rate => V::Rate { v, small: r.small_sample == Some(true), met: r.met },
            Unit::Count => V::Count(v),
            u => V::Num(v, u),
        }
    }

    /// One row per branch (plus 合计) of the given metrics for one product ("" = all).
    pub(super) fn branch_table(&self, id: &str, title: String, product: &str, metrics: &[MetricId]) -> Table {
        let mut columns = vec![self.text(L::Branch)];
        columns.extend(metrics.iter().map(|m| self.label(*m)));
        let mut kinds = vec![ColKind::Text];
        kinds.extend(metrics.iter().map(|_| ColKind::Number));
        let rows: Vec<Vec<V>> = self
            .branches
            .iter()
            .filter(|b| metrics.iter().any(|m| self.idx.plain(*m, b, product).is_some()))
            .map(|b| {
                let mut row = vec![V::Text(b.clone())];
                row.extend(metrics.iter().map(|m| self.cell(self.idx.plain(*m, b, product))));
                row
            })
            .collect();
        let (label, idx) = self.total_of_branches();
        let mut total = vec![V::Text(self.text(label))];
        total.extend(metrics.iter().map(|m| self.cell(idx.plain(*m, "", product))));
        Table { id: id.to_string(), title, columns, kinds, rows, total: Some(total) }
    }

    /// The label and rows of a branch table's total row: 合计 and this report's totals, or in a
    /// branch's own report 全市 and the whole's (for comparison).
    pub(super) fn total_of_branches(&self) -> (L, &Index<'a>) {
        match &self.whole {
            Some(w) => (L::Whole, w),
            None => (L::Total, &self.idx),
        }
    }

    /// Append 上月 and 变化 columns of `metric` to a branch table (rows keyed by branch name in
    /// column 0; the total row is the whole).
    pub(super) fn with_history(&self, table: &mut Table, metric: MetricId) {
        let unit = metric.unit();
        table.columns.push(format!("{}{}", self.text(L::LastMonthOf), self.label(metric)));
        table.columns.push(self.text(L::Change));
        table.kinds.extend([ColKind::Number, ColKind::Number]);
        let extra = |branch: &str| -> [V; 2] {
            let Some(r) = self.idx.plain(metric, branch, "") else { return [V::Empty, V::Empty] };
            let Some(p) = self.prev_row(r) else { return [V::Empty, V::Empty] };
            let (Some(v), Some(pv)) = (r.value, p.value) else { return [V::Empty, V::Empty] };
            let significant = match (unit, r.numerator, r.denominator, p.numerator, p.denominator) {
                (Unit::Rate, Some(k1), Some(n1), Some(k2), Some(n2)) => {
                    stats::two_proportion_p(k1, n1, k2, n2).map(|p| p < 0.05)
                }
                _ => None,
            };
            let prev = match unit {
                Unit::Rate => V::Rate { v: pv, small: false, met: None },
                Unit::Count => V::Count(pv),
                u => V::Num(pv, u),
            };
            [prev, V::Change { v: v - pv, unit, significant }]
        };
        for row in &mut table.rows {
            let branch = match &row[0] {
                V::Text(s) => s.clone(),
                _ => String::new(),
            };
            row.extend(extra(&branch));
        }
        if let Some(total) = &mut table.total {
            match &self.whole {
                // The whole's last month is on its row (its history is not this report's).
                Some(w) => total.extend(match w.plain(metric, "", "").and_then(|r| Some((r.value?, r.prev_value?))) {
                    Some((v, pv)) => [
                        match unit {
                            Unit::Rate => V::Rate { v: pv, small: false, met: None },
                            Unit::Count => V::Count(pv),
                            u => V::Num(pv, u),
                        },
                        V::Change { v: v - pv, unit, significant: None },
                    ],
                    None => [V::Empty, V::Empty],
                }),
                None => total.extend(extra("")),
            }
        }
    }

    /// Rows of a grouped metric (groups of one kind) at total level, largest first.
    pub(super) fn group_table(&self, id: &str, title: L, metric: MetricId, kind: GroupKind, header: L) -> Table {
        let mut rows: Vec<(&MetricRow, String)> =
            self.idx.groups(metric, "", kind).map(|r| (r, r.group.name())).collect();
        rows.sort_by(|a, b| b.0.value.unwrap_or(0.0).total_cmp(&a.0.value.unwrap_or(0.0)).then_with(|| a.1.cmp(&b.1)));
        let (title, header) = (self.text(title).to_string(), self.text(header));
        let unit = metric.unit();
        let share = unit == Unit::Rate;
        let columns = if share {
            vec![header.to_string(), self.text(L::Count), self.text(L::Share)]
        } else {
            vec![header.to_string(), self.text(L::Count)]
        };
        let kinds = if share {
            vec![ColKind::Text, ColKind::Number, ColKind::Number]
        } else {
            vec![ColKind::Text, ColKind::Number]
        };
        let body = rows
            .into_iter()
            .map(|(r, name)| {
                let mut row = vec![V::Text(name), V::Count(r.numerator.unwrap_or(0.0))];
                if share {
                    row.push(self.cell(Some(r)));
                }
                row
            })
            .collect();
        Table { id: id.into(), title, columns, kinds, rows: body, total: None }
    }

    /// Last month's row in history.
    pub(super) fn prev_row(&self, r: &MetricRow) -> Option<crate::history::Stored> {
        self.history.get(self.period.prev(), &r.key())
    }

    /// A headline figure: the total (of a product) with last month, verdicts, the worst
    /// branch and the branch that moved most.
    pub(super) fn headline(&self, metric: MetricId, product: &str) -> Option<Headline> {
        let r = self.idx.plain(metric, "", product)?;
        let value = r.value?;
        let unit = metric.unit();
        let prev = self.prev_row(r);
        let significant = match (unit, prev) {
            (Unit::Rate, Some(p)) => match (r.numerator, r.denominator, p.numerator, p.denominator) {
                (Some(k1), Some(n1), Some(k2), Some(n2)) => stats::two_proportion_p(k1, n1, k2, n2).map(|p| p < 0.05),
                _ => None,
            },
            _ => None,
        };
        let verdicts = verdicts(self.config, r);
        // The worst branch, judged in the direction of the first target.
        // (A branch's own report has no other branch to name.)
        let worst = verdicts.first().filter(|_| self.whole.is_none()).and_then(|v| {
            let mut per_branch: Vec<(String, f64)> = self
                .branches
                .iter()
                .filter_map(|b| self.idx.plain(metric, b, product).and_then(|r| r.value.map(|v| (b.clone(), v))))
                .collect();
            per_branch.sort_by(|a, b| a.1.total_cmp(&b.1));
            match v.op {
                Op::Ge => per_branch.first().cloned(),
                Op::Le => per_branch.last().cloned(),
            }
        });
        let mover = self
            .branches
            .iter()
            .filter(|_| self.whole.is_none())
            .filter_map(|b| {
                let r = self.idx.plain(metric, b, product)?;
                if r.small_sample == Some(true) {
                    return None;
                }
                let p = self.prev_row(r)?.value?;
                Some((b.clone(), r.value? - p))
            })
            .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()).then_with(|| b.0.cmp(&a.0)));
        let label = if product.is_empty() { self.label(metric) } else { format!("{product}{}", self.label(metric)) };
        // What moved it most, said only of a change worth saying: a significant change of a
        // rate; a count's change of at least two standard deviations of a Poisson count.
        let moved = match (unit, prev.and_then(|p| p.value)) {
            (Unit::Rate, _) => significant == Some(true),
            (_, Some(p)) => (value - p).abs() >= 2.0 * p.max(1.0).sqrt(),
            _ => false,
        };
        let driver =
            (product.is_empty() && moved).then(|| crate::metrics::change::explain(&self.changes, metric)).flatten();
        Some(Headline {
            driver,
            metric,
            product: product.to_string(),
            label,
            unit,
            value,
            prev: prev.and_then(|p| p.value),
            significant,
            verdicts,
            small: r.small_sample == Some(true),
            worst,
            mover,
            whole: self.whole.as_ref().and_then(|w| w.plain(metric, "", product)).cloned(),
        })
    }
}

/// The general target of a metric (first level), for chart target lines.
pub(super) fn target_of(b: &Builder, metric: MetricId) -> Option<(String, f64)> {
    b.config
        .targets
        .iter()
        .find(|t| t.metric == metric && t.product.is_none() && t.branch.is_none())
        .map(|t| (t.level.clone(), t.value))
}

/// One row per product (plus 合计) of the given metrics.
pub(super) fn product_table(b: &Builder, id: &str, title: String, products: &[String], metrics: &[MetricId]) -> Table {
    let mut columns = vec![b.text(L::Product)];
    columns.extend(metrics.iter().map(|m| b.label(*m)));
    let mut kinds = vec![ColKind::Text];
    kinds.extend(metrics.iter().map(|_| ColKind::Number));
    let rows = products
        .iter()
        .map(|p| {
            let mut row = vec![V::Text(p.clone())];
            row.extend(metrics.iter().map(|m| b.cell(b.idx.plain(*m, "", p))));
            row
        })
        .collect();
    let mut total = vec![V::Text(b.text(L::Total))];
    total.extend(metrics.iter().map(|m| b.cell(b.idx.plain(*m, "", ""))));
    Table { id: id.into(), title, columns, kinds, rows, total: Some(total) }
}

//! 投诉考核: the department assessment of complaints (SPEC §7.2) — late complaints, irregular
//! replies and human errors charged to the responsible department, justified complaints
//! charged to the branch, each at the configured 元 per case.

use std::collections::BTreeMap;

use super::complaint::NOT_GIVEN;
use super::orders::{timeliness, Timeliness};
use super::{Ctx, Group, MetricId, MetricRow};
use crate::config::{AssessmentOverride, Config};
use crate::model::{OrderType, Orders};
use crate::period::Period;

/// What a case is charged for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Item {
    /// A late complaint (complaint.overdue).
    Overdue,
    /// A closed complaint whose reply was irregular (回单不规范).
    IrregularReply,
    /// A complaint caused by a human error (人为差错).
    HumanError,
    /// A justified complaint (有理由投诉), charged to the branch.
    Justified,
}

impl Item {
    /// The department items, in sheet order.
    pub const DEPARTMENT: [Item; 3] = [Item::Overdue, Item::IrregularReply, Item::HumanError];

    /// The id in the metrics CSV's group.
    pub fn id(self) -> &'static str {
        match self {
            Item::Overdue => "overdue",
            Item::IrregularReply => "irregular_reply",
            Item::HumanError => "human_error",
            Item::Justified => "justified",
        }
    }

    /// The input column an item needs beyond the deadline, if any.
    pub fn column(self) -> Option<&'static str> {
        match self {
            Item::IrregularReply => Some("reply_ok"),
            Item::HumanError => Some("human_error"),
            _ => None,
        }
    }
}

/// One charged case.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    /// The item.
    pub item: Item,
    /// The complaint (row index of the orders table).
    pub order: usize,
    /// Who is charged: the department (未填写 when empty), or the branch for justified.
    pub unit: String,
    /// 元.
    pub amount: f64,
    /// The override word whose amount applied; `None` = the default amount.
    pub rule: Option<String>,
}

/// The month's assessment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    /// Every charged case, in order of order id, items in [`Item`] order.
    pub charges: Vec<Charge>,
    /// Items that could not be assessed because their column is in no complaint
    /// (`reply_ok`, `human_error`).
    pub missing: Vec<Item>,
}

/// The override of a department: the longest word of `by_department` its name contains
/// (equal lengths: the first word in name order).
pub fn override_for<'c>(department: &str, config: &'c Config) -> Option<(&'c str, &'c AssessmentOverride)> {
    let mut best: Option<(&str, &AssessmentOverride)> = None;
    for (word, o) in &config.assessment.by_department {
        if department.contains(word.0.as_str()) && best.is_none_or(|(b, _)| word.0.chars().count() > b.chars().count())
        {
            best = Some((word.0.as_str(), o));
        }
    }
    best
}

/// The amount of one case of `item` charged to `department`, and the override word used.
pub fn amount(item: Item, department: &str, config: &Config) -> (f64, Option<String>) {
    let a = &config.assessment;
    let default = match item {
        Item::Overdue => a.overdue.0,
        Item::IrregularReply => a.irregular_reply.0,
        Item::HumanError => a.human_error.0,
        Item::Justified => return (a.justified.0, None),
    };
    let Some((word, o)) = override_for(department, config) else { return (default, None) };
    let set = match item {
        Item::Overdue => o.overdue,
        Item::IrregularReply => o.irregular_reply,
        Item::HumanError => o.human_error,
        Item::Justified => None,
    };
    match set {
        Some(v) => (v.0, Some(word.to_string())),
        None => (default, None),
    }
}

/// Assess the period's complaints of `t`, visited in `idx` order (canonical: by order id).
pub fn assess(t: &Orders, idx: &[usize], config: &Config, period: Period) -> Assessment {
    let complaints: Vec<usize> = idx.iter().copied().filter(|&i| t.order_type[i] == OrderType::Complaint).collect();
    let has_reply = complaints.iter().any(|&i| t.reply_ok[i].is_some());
    let has_human = complaints.iter().any(|&i| t.human_error[i].is_some());
    let mut missing = Vec::new();
    if !has_reply {
        missing.push(Item::IrregularReply);
    }
    if !has_human {
        missing.push(Item::HumanError);
    }
    let end = period.end();
    let mut charges = Vec::new();
    for i in complaints {
        let department = t.department.get(i).unwrap_or(NOT_GIVEN);
        let closed = t.completed_at.get(i).is_some();
        let mut charge = |item: Item, unit: &str| {
            let (amount, rule) = amount(item, unit, config);
            charges.push(Charge { item, order: i, unit: unit.to_string(), amount, rule });
        };
        if timeliness(super::orders::Due::at(t, i), config, end) == Timeliness::Late {
            charge(Item::Overdue, department);
        }
        if has_reply && closed && t.reply_ok[i] == Some(false) {
            charge(Item::IrregularReply, department);
        }
        if has_human && t.human_error[i] == Some(true) {
            charge(Item::HumanError, department);
        }
        if t.justified[i] == Some(true) {
            charge(Item::Justified, t.branch.get(i));
        }
    }
    Assessment { charges, missing }
}

/// Cases and 元 of one charged unit and item.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sum {
    /// Cases.
    pub cases: u64,
    /// 元.
    pub amount: f64,
}

impl Assessment {
    /// Department → item → sum, for the department items that could be assessed (an item
    /// present in the inputs shows 0 for a department charged for other items).
    pub fn by_department(&self) -> BTreeMap<&str, BTreeMap<Item, Sum>> {
        let mut m: BTreeMap<&str, BTreeMap<Item, Sum>> = BTreeMap::new();
        for c in self.charges.iter().filter(|c| c.item != Item::Justified) {
            m.entry(c.unit.as_str()).or_default();
        }
        for items in m.values_mut() {
            for item in Item::DEPARTMENT.into_iter().filter(|i| !self.missing.contains(i)) {
                items.insert(item, Sum::default());
            }
        }
        for c in self.charges.iter().filter(|c| c.item != Item::Justified) {
            let s = m.get_mut(c.unit.as_str()).and_then(|m| m.get_mut(&c.item));
            if let Some(s) = s {
                s.cases += 1;
                s.amount += c.amount;
            }
        }
        m
    }

    /// A roll-up's assessment, from its rows (`assess.cases` / `assess.amount` per
    /// department × item, and justified per branch): each case at its row's mean amount, so
    /// every sum is the rows'. Cases carry no order (`usize::MAX`): a roll-up has no records.
    /// Items with no row at all are missing.
    pub fn from_rows(rows: &[MetricRow]) -> Assessment {
        let mut charges = Vec::new();
        let mut present = Vec::new();
        for r in rows.iter().filter(|r| r.metric == MetricId::AssessCases) {
            let (unit, item) = match &r.group {
                Group::DepartmentItem { department, item } if r.branch.is_empty() => {
                    (department.clone(), item.as_str())
                }
                Group::Item(item) if !r.branch.is_empty() => (r.branch.clone(), item.as_str()),
                _ => continue,
            };
            let Some(item) = Item::DEPARTMENT.into_iter().chain([Item::Justified]).find(|i| i.id() == item) else {
                continue;
            };
            present.push(item);
            let n = r.value.unwrap_or(0.0).max(0.0) as usize;
            let amount = rows
                .iter()
                .find(|a| a.metric == MetricId::AssessAmount && a.branch == r.branch && a.group == r.group)
                .and_then(|a| a.value)
                .unwrap_or(0.0);
            for _ in 0..n {
                charges.push(Charge {
                    item,
                    order: usize::MAX,
                    unit: unit.clone(),
                    amount: amount / n as f64,
                    rule: None,
                });
            }
        }
        let missing = Item::DEPARTMENT.into_iter().filter(|i| !present.contains(i)).collect();
        Assessment { charges, missing }
    }

    /// Branch → justified sum.
    pub fn justified_by_branch(&self) -> BTreeMap<&str, Sum> {
        let mut m: BTreeMap<&str, Sum> = BTreeMap::new();
        for c in self.charges.iter().filter(|c| c.item == Item::Justified) {
            let s = m.entry(c.unit.as_str()).or_default();
            s.cases += 1;
            s.amount += c.amount;
        }
        m
    }
}

/// Round to the fen: sums of amounts such as 20.38 stay exact in the outputs.
pub(crate) fn fen(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// assess.* rows (SPEC §7.2): per department and item, per department, per branch for
/// justified complaints, and the grand total. Departments by total amount, largest first.
/// Returned with the assessment they sum (the report's pages list its charges).
pub(super) fn compute(t: &Orders, idx: &[usize], ctx: &Ctx) -> (Vec<MetricRow>, Assessment) {
    let a = assess(t, idx, ctx.config, ctx.period);
    let amount_row = |group: Group, branch: &str, v: f64| MetricRow {
        branch: branch.to_string(),
        group,
        numerator: Some(fen(v)),
        value: Some(fen(v)),
        ..MetricRow::new(MetricId::AssessAmount)
    };
    let cases_row = |group: Group, branch: &str, n: u64| MetricRow {
        branch: branch.to_string(),
        ..MetricRow::count(MetricId::AssessCases, group, n)
    };
    let mut departments: Vec<(&str, BTreeMap<Item, Sum>)> = a.by_department().into_iter().collect();
    let total_of = |m: &BTreeMap<Item, Sum>| m.values().map(|s| s.amount).sum::<f64>();
    departments.sort_by(|x, y| total_of(&y.1).total_cmp(&total_of(&x.1)).then_with(|| x.0.cmp(y.0)));
    let mut rows = Vec::new();
    let mut grand = 0.0;
    for (department, items) in &departments {
        for (item, s) in items {
            let group = Group::DepartmentItem { department: department.to_string(), item: item.id().to_string() };
            rows.push(cases_row(group.clone(), "", s.cases));
            rows.push(amount_row(group, "", s.amount));
        }
        let total = total_of(items);
        grand += total;
        rows.push(amount_row(Group::Department(department.to_string()), "", total));
    }
    for (branch, s) in a.justified_by_branch() {
        let group = Group::Item(Item::Justified.id().to_string());
        rows.push(cases_row(group.clone(), branch, s.cases));
        rows.push(amount_row(group, branch, s.amount));
        grand += s.amount;
    }
    rows.push(amount_row(Group::None, "", grand));
    (rows, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Config {
        Config::parse(text, std::path::Path::new("svcq.toml")).unwrap()
    }

    #[test]
    fn the_longest_contained_word_wins_and_unset_items_take_the_default() {
        let c = config(
            "[assessment]\noverdue = 20\n[assessment.by_department]\n\"合作商\" = { overdue = 40 }\n\"东区合作商\" = { human_error = 10 }\n\"网络\" = { overdue = 30 }\n\"维护\" = { overdue = 35 }\n",
        );
        assert_eq!(amount(Item::Overdue, "西区合作商", &c), (40.0, Some("合作商".into())));
        // 东区合作商 is longer than 合作商 and sets no overdue: the default, not 40.
        assert_eq!(amount(Item::Overdue, "东区合作商维护部", &c), (20.0, None));
        assert_eq!(amount(Item::HumanError, "东区合作商维护部", &c), (10.0, Some("东区合作商".into())));
        // Equal lengths: the first word in name order (维护 < 网络 by code point).
        assert_eq!(override_for("网络维护中心", &c).map(|o| o.0), Some("维护"));
        assert_eq!(amount(Item::Overdue, "客户服务部", &c), (20.0, None));
        assert_eq!(amount(Item::Justified, "合作商", &c), (300.0, None));
    }
}

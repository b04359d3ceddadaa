//! Who is accountable (SPEC §7.2–7.3): the 考核 sheet and 明细-考核, the escalated
//! complaints (明细-越级投诉 and the per-channel lists), and the month's typical cases.

use super::details::{opt_text, sort_keyed};
use super::prelude::*;
use crate::metrics::assess::{fen, Assessment, Item};
use crate::metrics::complaint::{escalation_severity, NOT_GIVEN};
use crate::metrics::orders::{deadline, timeliness, Timeliness};
use crate::model::Orders;
use serde::Serialize;

/// How many characters of a case's content the per-channel lists quote.
const QUOTE_CHARS: usize = 60;

fn item_label(item: Item) -> L {
    match item {
        Item::Overdue => L::ItemOverdue,
        Item::IrregularReply => L::ItemIrregularReply,
        Item::HumanError => L::ItemHumanError,
        Item::Justified => L::ItemJustified,
    }
}

fn column_label(item: Item) -> L {
    match item {
        Item::IrregularReply => L::ColumnReplyOk,
        _ => L::ColumnHumanError,
    }
}

/// A name and a figure (the narrative's: it knows when a name ends in a digit).
pub(crate) type NamedFact = super::Named;

/// The assessment as the narrative states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub(crate) struct AssessFact {
    /// Grand total, 元.
    pub total: String,
    /// Any case charged.
    pub any: bool,
    /// Per item (those assessed): name, cases, 元.
    pub items: Vec<ItemFact>,
    /// The departments charged most (at most 2), 元.
    pub worst: Vec<NamedFact>,
    /// The columns whose items could not be assessed (回单规范, 人为差错).
    pub missing: Vec<String>,
}

/// One item's total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ItemFact {
    /// 超时, 回单不规范, …
    pub name: String,
    /// Cases.
    pub cases: u64,
    /// 元.
    pub amount: String,
}

/// One escalation channel as the narrative lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct EscalationFact {
    /// The channel.
    pub name: String,
    /// Its name ends in a digit.
    pub digit_end: bool,
    /// Escalated complaints.
    pub count: usize,
    /// Count per branch, largest first.
    pub branches: Vec<NamedFact>,
    /// Its first [`QUOTED_CASES`] cases (the detail sheet's order): branch, category, the
    /// content's first 60 characters.
    pub cases: Vec<CaseQuote>,
    /// Its cases not quoted (the detail sheet 明细-越级投诉 has every one).
    pub more: usize,
}

/// Cases quoted per escalation channel in the sentences. SPEC §7.3 says each case; a city's
/// month has a handful per channel, a province's thousands and a group's tens of thousands
/// (one 2.5 MB sentence per channel at 30× a province), so the sentences quote the first ten
/// and say how many more the workbook lists.
pub(crate) const QUOTED_CASES: usize = 10;

/// One escalated case, quoted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CaseQuote {
    /// Branch.
    pub branch: String,
    /// Category (未填写 when empty).
    pub category: String,
    /// Content, cut at 60 characters (… appended).
    pub content: String,
}

/// The assessment facts from the metric rows' source: the charges.
pub(crate) fn assess_fact(b: &Builder, a: &Assessment) -> AssessFact {
    let mut items = Vec::new();
    for item in Item::DEPARTMENT.into_iter().chain([Item::Justified]) {
        if a.missing.contains(&item) {
            continue;
        }
        let (n, amount) =
            a.charges.iter().filter(|c| c.item == item).fold((0u64, 0.0), |(n, s), c| (n + 1, s + c.amount));
        if n > 0 {
            items.push(ItemFact { name: b.text(item_label(item)), cases: n, amount: crate::numbers::yuan(amount) });
        }
    }
    let mut worst: Vec<(&str, f64)> =
        a.by_department().iter().map(|(d, m)| (*d, m.values().map(|s| s.amount).sum::<f64>())).collect();
    worst.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(y.0)));
    let total: f64 = a.charges.iter().map(|c| c.amount).sum();
    AssessFact {
        total: crate::numbers::yuan(total),
        any: !a.charges.is_empty(),
        items,
        worst: worst
            .into_iter()
            .filter(|w| w.1 > 0.0)
            .take(2)
            .map(|(d, v)| NamedFact::new(d.to_string(), crate::numbers::yuan(v)))
            .collect(),
        missing: a.missing.iter().map(|i| b.text(column_label(*i))).collect(),
    }
}

/// 考核: departments × items (cases and 元, 合计), the justified complaints per branch, and a
/// bar chart of the departments' amounts.
pub(super) fn assess_section(b: &Builder, a: &Assessment) -> Section {
    let mut s = new_section("assess", L::SheetAssessment, b);
    let items: Vec<Item> = Item::DEPARTMENT.into_iter().filter(|i| !a.missing.contains(i)).collect();
    let mut columns = vec![b.text(L::Department)];
    let mut kinds = vec![ColKind::Text];
    for item in &items {
        columns.push(format!("{}{}", b.text(item_label(*item)), b.text(L::CasesSuffix)));
        columns.push(format!("{}{}", b.text(item_label(*item)), b.text(L::AmountSuffix)));
        kinds.extend([ColKind::Number, ColKind::Number]);
    }
    columns.push(b.text(L::TotalAmount));
    kinds.push(ColKind::Number);
    let by_department = a.by_department();
    let mut departments: Vec<(&&str, f64)> =
        by_department.iter().map(|(d, m)| (d, m.values().map(|s| s.amount).sum::<f64>())).collect();
    departments.sort_by(|x, y| y.1.total_cmp(&x.1).then_with(|| x.0.cmp(y.0)));
    let mut sums = vec![(0u64, 0.0f64); items.len()];
    let rows: Vec<Vec<V>> = departments
        .iter()
        .map(|(d, total)| {
            let mut row = vec![V::Text(d.to_string())];
            for (k, item) in items.iter().enumerate() {
                let sum = by_department[**d].get(item).copied().unwrap_or_default();
                sums[k].0 += sum.cases;
                sums[k].1 += sum.amount;
                row.extend([V::Count(sum.cases as f64), V::Num(fen(sum.amount), Unit::Yuan)]);
            }
            row.push(V::Num(fen(*total), Unit::Yuan));
            row
        })
        .collect();
    let mut total = vec![V::Text(b.text(L::Total))];
    for (n, v) in &sums {
        total.extend([V::Count(*n as f64), V::Num(fen(*v), Unit::Yuan)]);
    }
    total.push(V::Num(fen(sums.iter().map(|s| s.1).sum()), Unit::Yuan));
    let mut title = b.text(L::AssessByDepartment);
    if !a.missing.is_empty() {
        let missing: Vec<String> = a.missing.iter().map(|i| b.text(column_label(*i))).collect();
        title = format!("{title}（{}{}）", b.text(L::MissingColumns), missing.join("、"));
    }
    s.tables.push(Table { id: "assess.departments".into(), title, columns, kinds, rows, total: Some(total) });
    s.charts.push(Chart {
        title: b.text(L::AssessAmountChart),
        kind: ChartKind::Bar,
        table: "assess.departments".into(),
        category: 0,
        series: vec![items.len() * 2 + 1],
        target: None,
        percent: false,
    });
    // Justified complaints, charged to the branch.
    let justified = a.justified_by_branch();
    let rows: Vec<Vec<V>> = b
        .branches
        .iter()
        .filter_map(|br| justified.get(br.as_str()).map(|s| (br, s)))
        .map(|(br, s)| vec![V::Text(br.clone()), V::Count(s.cases as f64), V::Num(fen(s.amount), Unit::Yuan)])
        .collect();
    let (n, v) = justified.values().fold((0u64, 0.0), |(n, v), s| (n + s.cases, v + s.amount));
    s.tables.push(Table::with_columns(
        "assess.justified",
        L::AssessJustifiedByBranch,
        b,
        &[(L::Branch, ColKind::Text), (L::ItemJustified, ColKind::Number), (L::Amount, ColKind::Number)],
        rows,
        Some(vec![V::Text(b.text(L::Total)), V::Count(n as f64), V::Num(fen(v), Unit::Yuan)]),
    ));
    s
}

/// 明细-考核: every charged case with the rule applied.
pub(super) fn assess_detail(b: &Builder, data: &Dataset, a: &Assessment) -> Section {
    let mut s = new_section("assess_detail", L::SheetAssessDetail, b);
    s.detail = true;
    let t = &data.orders;
    // Sorted by (item, unit, order id) as numbers whose order is theirs — the item, the
    // unit's rank by name, the order id's first sixteen bytes — reading the ids only when
    // those are equal (order ids are unique; the charge's place last).
    let mut distinct: rustc_hash::FxHashMap<&str, u32> = rustc_hash::FxHashMap::default();
    let unit_of: Vec<u32> = a
        .charges
        .iter()
        .map(|c| {
            let next = distinct.len() as u32;
            *distinct.entry(c.unit.as_str()).or_insert(next)
        })
        .collect();
    let mut names = vec![""; distinct.len()];
    for (name, &u) in &distinct {
        names[u as usize] = name;
    }
    let ranks = crate::metrics::text_ranks(&names);
    let unit_rank: Vec<u32> = unit_of.iter().map(|&u| ranks[u as usize]).collect();
    let mut keyed: Vec<(crate::metrics::assess::Item, u32, u128, usize)> = a
        .charges
        .iter()
        .enumerate()
        .map(|(k, c)| (c.item, unit_rank[k], crate::metrics::prefix16(t.order_id.get(c.order)), k))
        .collect();
    sort_keyed(&mut keyed, |k| (k.0, k.1, k.2), |k| t.order_id.get(a.charges[k.3].order), |k| k.3);
    let rows = keyed
        .into_iter()
        .map(|k| {
            let c = &a.charges[k.3];
            // The order's cells this table shows, read from the columns (no whole record).
            let i = c.order;
            let due = crate::metrics::orders::Due::at(t, i);
            let per_case = crate::numbers::yuan(c.amount);
            let rule = match &c.rule {
                Some(word) => format!("“{word}”：{}{per_case}{}", b.text(item_label(c.item)), b.text(L::YuanPerCase)),
                None => format!(
                    "{}：{}{per_case}{}",
                    b.text(L::DefaultRule),
                    b.text(item_label(c.item)),
                    b.text(L::YuanPerCase)
                ),
            };
            vec![
                V::Text(b.text(item_label(c.item))),
                V::Text(c.unit.clone()),
                V::Text(t.order_id.get(i).to_string()),
                V::Time(t.created_at.get(i)),
                deadline(due, b.config).map_or(V::Empty, V::Time),
                t.completed_at.get(i).map_or(V::Text(b.text(L::Open)), V::Time),
                V::Num(c.amount, Unit::Yuan),
                V::Text(rule),
            ]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "assess_detail",
        L::AssessDetailTitle,
        b,
        &[
            (L::AssessItem, ColKind::Text),
            (L::ChargedTo, ColKind::Text),
            (L::Order, ColKind::Text),
            (L::Created, ColKind::Time),
            (L::Deadline, ColKind::Time),
            (L::Completed, ColKind::Time),
            (L::Amount, ColKind::Number),
            (L::Rule, ColKind::Text),
        ],
        rows,
        None,
    ));
    s
}

/// The period's escalated complaints, by channel, branch and order id (each distinct channel
/// matched against the escalation words once; sorted as numbers whose order is the texts' —
/// the channel's and branch's ranks, the id's first sixteen bytes — the ids read on ties only).
/// Computed once per report: its detail page and its sentences read the same list.
pub(super) fn escalated(data: &Dataset, b: &Builder) -> Vec<usize> {
    let t = &data.orders;
    let words = &b.config.complaints.escalation_channels;
    let escalates: Vec<bool> =
        t.channel.values().iter().map(|c| escalation_severity(Some(c), words).is_some()).collect();
    // A missing channel never escalates: its rank is never read.
    let channel_rank = crate::metrics::dict_ranks(&t.channel, "");
    let branch_rank = crate::metrics::text_ranks(&t.branch.values().iter().map(|v| &**v).collect::<Vec<&str>>());
    let mut keyed: Vec<(u32, u32, u128, usize)> = (0..t.len())
        .filter(|&i| {
            let c = t.channel.code(i);
            t.order_type[i] == OrderType::Complaint && c != crate::model::columns::NONE && escalates[c as usize]
        })
        .map(|i| {
            (channel_rank(i), branch_rank[t.branch.code(i) as usize], crate::metrics::prefix16(t.order_id.get(i)), i)
        })
        .collect();
    sort_keyed(&mut keyed, |k| (k.0, k.1, k.2), |k| t.order_id.get(k.3), |k| k.3);
    keyed.into_iter().map(|k| k.3).collect()
}

fn handling(b: &Builder, t: &Orders, i: usize) -> V {
    let o = t.row(i);
    let l = match timeliness(crate::metrics::orders::Due::of(&o), b.config, b.period.end()) {
        Timeliness::OnTime => L::OnTimeWord,
        Timeliness::Late if o.completed_at.is_some() => L::LateWord,
        Timeliness::Late => L::LateOpenWord,
        Timeliness::Pending => L::Open,
        Timeliness::NoDeadline => return V::Empty,
    };
    V::Text(b.text(l))
}

/// 明细-越级投诉: every escalated complaint ([`escalated`]).
pub(super) fn escalation_detail(b: &Builder, data: &Dataset, escalated: &[usize]) -> Section {
    let mut s = new_section("escalation_detail", L::SheetEscalationDetail, b);
    s.detail = true;
    let t = &data.orders;
    let rows = escalated
        .iter()
        .map(|&i| {
            vec![
                opt_text(t.channel.get(i)),
                V::Text(t.branch.get(i).to_string()),
                V::Text(t.order_id.get(i).to_string()),
                opt_text(t.customer_id.get(i)),
                V::Time(t.created_at.get(i)),
                V::Text(t.category.get(i).unwrap_or(NOT_GIVEN).to_string()),
                V::Text(t.department.get(i).unwrap_or(NOT_GIVEN).to_string()),
                opt_text(t.content.get(i)),
                opt_text(t.result.get(i)),
                handling(b, t, i),
            ]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "escalation_detail",
        L::EscalationDetailTitle,
        b,
        &[
            (L::Channel, ColKind::Text),
            (L::Branch, ColKind::Text),
            (L::Order, ColKind::Text),
            (L::Customer, ColKind::Text),
            (L::Created, ColKind::Time),
            (L::Category, ColKind::Text),
            (L::Department, ColKind::Text),
            (L::Content, ColKind::Text),
            (L::Result, ColKind::Text),
            (L::Handling, ColKind::Text),
        ],
        rows,
        None,
    ));
    s
}

/// Per escalation channel (most complaints first): the count, the count per branch and the
/// first [`QUOTED_CASES`] cases' category and content (first 60 characters), from the
/// [`escalated`] complaints.
pub(crate) fn escalation_facts(data: &Dataset, escalated: &[usize]) -> Vec<EscalationFact> {
    let t = &data.orders;
    let mut out: Vec<EscalationFact> = Vec::new();
    // Each channel's cases' branches (all of them, quoted or not).
    let mut branch_lists: Vec<Vec<&str>> = Vec::new();
    for &i in escalated {
        let channel = t.channel.get(i).unwrap_or(NOT_GIVEN);
        if out.last().is_none_or(|f| f.name != channel) {
            out.push(EscalationFact {
                name: channel.to_string(),
                digit_end: NamedFact::new(channel.to_string(), String::new()).digit_end,
                count: 0,
                branches: Vec::new(),
                cases: Vec::new(),
                more: 0,
            });
            branch_lists.push(Vec::new());
        }
        let f = out.last_mut().expect("pushed above");
        f.count += 1;
        branch_lists.last_mut().expect("pushed above").push(t.branch.get(i));
        if f.cases.len() >= QUOTED_CASES {
            f.more += 1;
            continue;
        }
        // The list puts its own punctuation between cases.
        let content = t.content.get(i).unwrap_or_default().trim().trim_end_matches(['。', '.', '；', ';', '，', ',']);
        let mut quote: String = content.chars().take(QUOTE_CHARS).collect();
        if content.chars().count() > QUOTE_CHARS {
            quote.push('…');
        }
        f.cases.push(CaseQuote {
            branch: t.branch.get(i).to_string(),
            category: t.category.get(i).unwrap_or(NOT_GIVEN).to_string(),
            content: quote,
        });
    }
    for (f, branches) in out.iter_mut().zip(&branch_lists) {
        let mut counts: Vec<(String, usize)> = Vec::new();
        for branch in branches {
            match counts.iter_mut().find(|(b, _)| b == branch) {
                Some(e) => e.1 += 1,
                None => counts.push((branch.to_string(), 1)),
            }
        }
        counts.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        f.branches = counts.into_iter().map(|(name, n)| NamedFact::new(name, n.to_string())).collect();
    }
    out.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.name.cmp(&y.name)));
    out
}

/// 本月典型案例: the `report.cases` most serious complaints — escalated before not, then the
/// escalation channel's severity (the last word of `escalation_channels` is the most severe),
/// then justified, then late, then order id — with content and result in full.
pub(super) fn cases_table(b: &Builder, data: &Dataset) -> Table {
    let t = &data.orders;
    let words = &b.config.complaints.escalation_channels;
    let end = b.period.end();
    let mut complaints: Vec<(usize, (bool, usize, bool, bool))> = (0..t.len())
        .filter(|&i| t.order_type[i] == OrderType::Complaint)
        .map(|i| {
            let sev = escalation_severity(t.channel.get(i), words);
            let late = timeliness(crate::metrics::orders::Due::at(t, i), b.config, end) == Timeliness::Late;
            (i, (sev.is_some(), sev.unwrap_or(0), t.justified[i] == Some(true), late))
        })
        .collect();
    // Only the first `cases` are told: they are selected (a pass over every complaint), then
    // sorted. The order is total (order ids are unique; the row last), so this is the order
    // a sort of every complaint would give.
    let serious = |x: &(usize, (bool, usize, bool, bool)), y: &(usize, (bool, usize, bool, bool))| {
        y.1.cmp(&x.1).then_with(|| t.order_id.get(x.0).cmp(t.order_id.get(y.0))).then(x.0.cmp(&y.0))
    };
    let cases = b.config.report.cases;
    if cases < complaints.len() {
        if cases > 0 {
            complaints.select_nth_unstable_by(cases - 1, serious);
        }
        complaints.truncate(cases);
    }
    complaints.sort_by(serious);
    let rows = complaints
        .into_iter()
        .map(|(i, _)| {
            vec![
                opt_text(t.channel.get(i)),
                V::Text(t.branch.get(i).to_string()),
                V::Text(t.order_id.get(i).to_string()),
                V::Text(t.category.get(i).unwrap_or(NOT_GIVEN).to_string()),
                opt_text(t.content.get(i)),
                opt_text(t.result.get(i)),
            ]
        })
        .collect();
    Table::with_columns(
        "complaint.cases",
        L::TypicalCases,
        b,
        &[
            (L::Channel, ColKind::Text),
            (L::Branch, ColKind::Text),
            (L::Order, ColKind::Text),
            (L::Category, ColKind::Text),
            (L::Content, ColKind::Text),
            (L::Result, ColKind::Text),
        ],
        rows,
        None,
    )
}

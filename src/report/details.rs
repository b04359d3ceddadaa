//! 明细: the detail sheets (repeat customers and their orders; late orders by department).

use super::prelude::*;
use crate::metrics::orders::{deadline, timeliness, Timeliness};
use rustc_hash::FxHashMap;

fn order_type_label(lang: Lang, ty: OrderType) -> &'static str {
    match ty {
        OrderType::Fault => L::TypeFault.text(lang),
        OrderType::Install => L::TypeInstall.text(lang),
        OrderType::Complaint => L::TypeComplaint.text(lang),
        OrderType::Other => L::TypeOther.text(lang),
    }
}

/// Sort keyed rows as the stable sort by their texts: on `key` first (numbers whose order
/// is the texts' — ranks, a text's first sixteen bytes), reading `text` only when two keys
/// are equal, the `row` last. The detail pages' lists are sorted so.
pub(super) fn sort_keyed<T, K: Ord, S: Ord>(
    keyed: &mut [T],
    key: impl Fn(&T) -> K,
    text: impl Fn(&T) -> S,
    row: impl Fn(&T) -> usize,
) {
    keyed.sort_unstable_by(|x, y| key(x).cmp(&key(y)).then_with(|| text(x).cmp(&text(y))).then(row(x).cmp(&row(y))));
}

/// An optional text as a cell.
pub(super) fn opt_text(v: Option<&str>) -> V {
    v.map_or(V::Empty, |t| V::Text(t.to_string()))
}

/// 明细-重复申告.
/// `all` are the month's fault customer units (found by the metrics stage).
pub(super) fn repeat_detail(
    b: &Builder,
    data: &Dataset,
    incidents: &[crate::metrics::incident::Incident],
    all: &crate::metrics::fault::Units,
) -> Section {
    let mut s = new_section("repeat_detail", L::SheetRepeatDetail, b);
    s.detail = true;
    let t = &data.orders;
    // A report that belongs to an incident is marked: a repeat caused by an outage is not a
    // repair that failed.
    let incident_of: FxHashMap<usize, String> = incidents
        .iter()
        .flat_map(|inc| {
            let name =
                format!("{} {}", inc.start.format("%m-%d %H:%M"), super::incident::place_text(&inc.place, b.lang));
            inc.reports.iter().map(move |&i| (i, name.clone()))
        })
        .collect();
    // The repeat customers in (customer, product) order, each one's reports in time order.
    let mut rows = Vec::new();
    for unit in all.units.iter().filter(|u| u.repeat) {
        let (customer, product) = unit.key;
        let orders = &all.rows[unit.reports.clone()];
        for &i in orders {
            rows.push(vec![
                V::Text(customer.to_string()),
                V::Text(product.to_string()),
                V::Count(orders.len() as f64),
                V::Text(t.branch.get(i).to_string()),
                V::Text(t.order_id.get(i).to_string()),
                V::Time(t.created_at.get(i)),
                t.completed_at.get(i).map_or(V::Empty, V::Time),
                opt_text(t.phenomenon.get(i)),
                opt_text(t.cause.get(i)),
                opt_text(incident_of.get(&i).map(String::as_str)),
            ]);
        }
    }
    s.tables.push(Table::with_columns(
        "repeat_detail",
        L::RepeatDetailTitle,
        b,
        &[
            (L::Customer, ColKind::Text),
            (L::Product, ColKind::Text),
            (L::ReportCount, ColKind::Number),
            (L::Branch, ColKind::Text),
            (L::Order, ColKind::Text),
            (L::Created, ColKind::Time),
            (L::Restored, ColKind::Time),
            (L::Phenomenon, ColKind::Text),
            (L::Cause, ColKind::Text),
            (L::IncidentColumn, ColKind::Text),
        ],
        rows,
        None,
    ));
    s
}

/// 明细-超时工单.
pub(super) fn late_detail(b: &Builder, data: &Dataset) -> Section {
    let lang = b.lang;
    let mut s = new_section("late_detail", L::SheetLateDetail, b);
    s.detail = true;
    let end = b.period.end();
    let t = &data.orders;
    // The late orders and their deadlines, read from the columns (no whole records).
    let late: Vec<(usize, NaiveDateTime)> = (0..t.len())
        .filter(|&i| t.order_type[i] != OrderType::Other)
        .filter_map(|i| {
            let due = crate::metrics::orders::Due::at(t, i);
            if timeliness(due, b.config, end) != Timeliness::Late {
                return None;
            }
            deadline(due, b.config).map(|d| (i, d))
        })
        .collect();
    // The department a late order is listed under (未填写 when the cell was empty).
    // Sorted by (department, type, order id) as numbers whose order is theirs — the
    // department's rank by name (a missing one ranks as 未填写), the type, the id's first
    // sixteen bytes — reading the ids only when those are equal (order ids are unique).
    let dept_rank = crate::metrics::dict_ranks(&t.department, crate::metrics::complaint::NOT_GIVEN);
    let mut keyed: Vec<(u32, OrderType, u128, usize, NaiveDateTime)> = late
        .into_iter()
        .map(|(i, due)| (dept_rank(i), t.order_type[i], crate::metrics::prefix16(t.order_id.get(i)), i, due))
        .collect();
    sort_keyed(&mut keyed, |k| (k.0, k.1, k.2), |k| t.order_id.get(k.3), |k| k.3);
    let late: Vec<(usize, NaiveDateTime)> = keyed.into_iter().map(|k| (k.3, k.4)).collect();
    let dept = |i: usize| t.department.get(i).unwrap_or(crate::metrics::complaint::NOT_GIVEN);
    let rows = late
        .into_iter()
        .map(|(i, due)| {
            let completed = t.completed_at.get(i);
            let done = completed.unwrap_or(end);
            vec![
                V::Text(dept(i).to_string()),
                V::Text(order_type_label(lang, t.order_type[i]).into()),
                V::Text(t.order_id.get(i).to_string()),
                V::Text(t.branch.get(i).to_string()),
                V::Text(t.product.get(i).to_string()),
                V::Time(t.created_at.get(i)),
                V::Time(due),
                completed.map_or(V::Text(b.text(L::Open)), V::Time),
                V::Num((done - due).num_seconds() as f64 / 3600.0, Unit::Hours),
            ]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "late_detail",
        L::LateDetailTitle,
        b,
        &[
            (L::Department, ColKind::Text),
            (L::Type, ColKind::Text),
            (L::Order, ColKind::Text),
            (L::Branch, ColKind::Text),
            (L::Product, ColKind::Text),
            (L::Created, ColKind::Time),
            (L::Deadline, ColKind::Time),
            (L::Completed, ColKind::Time),
            (L::HoursLate, ColKind::Number),
        ],
        rows,
        None,
    ));
    s
}

/// 明细-不满意客户: every dissatisfied callback, for the second follow-up (an empty 跟踪结果
/// column to fill in).
pub(super) fn dissatisfied_detail(b: &Builder, data: &Dataset) -> Section {
    let mut s = new_section("dissatisfied_detail", L::SheetDissatisfiedDetail, b);
    s.detail = true;
    let o = &data.orders;
    let t = &data.surveys;
    let dissatisfied: Vec<usize> = (0..t.len()).filter(|&i| crate::metrics::survey::dissatisfied(t, i)).collect();
    // The departments of the orders these surveys name (the last order of an id with one).
    let department = o.last_values(dissatisfied.iter().filter_map(|&i| t.order_id.get(i)), |i| o.department.get(i));
    let yes_no = |v: Option<bool>, yes: L, no: L| match v {
        Some(true) => V::Text(b.text(yes)),
        Some(false) => V::Text(b.text(no)),
        None => V::Empty,
    };
    // In (branch, time, survey id) order, as a stable sort: sorted as numbers whose order is
    // theirs — the branch's rank by name (a missing one as the empty name), the time, the
    // id's first sixteen bytes (a missing id first) — the ids read only when those are
    // equal, the row last.
    let branch_rank = crate::metrics::dict_ranks(&t.branch, "");
    let id_key = |i: usize| t.survey_id.get(i).map_or((false, 0), |id| (true, crate::metrics::prefix16(id)));
    let mut keyed: Vec<(u32, i64, (bool, u128), usize)> =
        dissatisfied.into_iter().map(|i| (branch_rank(i), t.surveyed_at.0[i], id_key(i), i)).collect();
    sort_keyed(&mut keyed, |k| (k.0, k.1, k.2), |k| t.survey_id.get(k.3), |k| k.3);
    let branch = |s: &crate::model::Survey| s.branch.as_deref().unwrap_or_default().to_string();
    let rows = keyed
        .into_iter()
        .map(|k| {
            let sv = t.row(k.3);
            let order = sv.order_id.as_deref();
            let satisfaction = match (sv.score, sv.satisfied) {
                (Some(score), _) => V::Text(crate::ingest::value::format_number(score)),
                (None, v) => yes_no(v, L::SatisfiedWord, L::NotSatisfiedWord),
            };
            vec![
                V::Text(branch(&sv)),
                opt_text(sv.survey_id.as_deref()),
                opt_text(sv.order_id.as_deref()),
                order.and_then(|o| department.get(o)).map_or(V::Empty, |d| V::Text(d.to_string())),
                V::Time(sv.surveyed_at),
                satisfaction,
                yes_no(sv.timely, L::YesWord, L::NoWord),
                yes_no(sv.attitude, L::SatisfiedWord, L::NotSatisfiedWord),
                opt_text(sv.reason.as_deref()),
                V::Text(b.config.surveys.reason_categories.of(sv.reason.as_deref())),
                V::Empty,
            ]
        })
        .collect();
    s.tables.push(Table::with_columns(
        "dissatisfied_detail",
        L::DissatisfiedDetailTitle,
        b,
        &[
            (L::Branch, ColKind::Text),
            (L::SurveyId, ColKind::Text),
            (L::Order, ColKind::Text),
            (L::Department, ColKind::Text),
            (L::SurveyedAt, ColKind::Time),
            (L::Satisfaction, ColKind::Text),
            (L::Timely, ColKind::Text),
            (L::Attitude, ColKind::Text),
            (L::ReasonText, ColKind::Text),
            (L::ReasonCategory, ColKind::Text),
            (L::FollowUp, ColKind::FillIn),
        ],
        rows,
        None,
    ));
    s
}

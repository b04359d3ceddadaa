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

fn opt_text(v: &Option<String>) -> V {
    v.clone().map_or(V::Empty, V::Text)
}

/// 明细-重复申告.
pub(super) fn repeat_detail(b: &Builder, data: &Dataset) -> Section {
    let mut s = new_section("repeat_detail", L::SheetRepeatDetail, b);
    s.detail = true;
    let mut by_customer: FxHashMap<(&str, &str), Vec<&WorkOrder>> = FxHashMap::default();
    for o in data.orders.iter().filter(|o| o.order_type == OrderType::Fault) {
        if let Some(c) = o.customer_id.as_deref() {
            by_customer.entry((c, o.product.as_str())).or_default().push(o);
        }
    }
    let repeat = crate::metrics::fault::repeat_keys(&data.orders, &data.earlier_orders, b.config);
    let mut groups: Vec<(&(&str, &str), &Vec<&WorkOrder>)> =
        by_customer.iter().filter(|(k, _)| repeat.contains(*k)).collect();
    groups.sort_by(|a, b| a.0.cmp(b.0));
    let mut rows = Vec::new();
    for ((customer, product), orders) in groups {
        let mut orders = orders.clone();
        orders.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.order_id.cmp(&b.order_id)));
        for o in orders {
            rows.push(vec![
                V::Text(customer.to_string()),
                V::Text(product.to_string()),
                V::Count(by_customer[&(*customer, *product)].len() as f64),
                V::Text(o.branch.clone()),
                V::Text(o.order_id.clone()),
                V::Time(o.created_at),
                o.completed_at.map_or(V::Empty, V::Time),
                opt_text(&o.phenomenon),
                opt_text(&o.cause),
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
    let mut late: Vec<(&WorkOrder, NaiveDateTime)> = data
        .orders
        .iter()
        .filter(|o| o.order_type != OrderType::Other && timeliness(o, b.config, end) == Timeliness::Late)
        .filter_map(|o| deadline(o, b.config).map(|d| (o, d)))
        .collect();
    let dept = |o: &WorkOrder| o.department.clone().unwrap_or_else(|| crate::metrics::complaint::NOT_GIVEN.to_string());
    late.sort_by(|a, b| {
        dept(a.0)
            .cmp(&dept(b.0))
            .then_with(|| a.0.order_type.cmp(&b.0.order_type))
            .then_with(|| a.0.order_id.cmp(&b.0.order_id))
    });
    let rows = late
        .into_iter()
        .map(|(o, due)| {
            let done = o.completed_at.unwrap_or(end);
            vec![
                V::Text(dept(o)),
                V::Text(order_type_label(lang, o.order_type).into()),
                V::Text(o.order_id.clone()),
                V::Text(o.branch.clone()),
                V::Text(o.product.clone()),
                V::Time(o.created_at),
                V::Time(due),
                o.completed_at.map_or(V::Text(b.text(L::Open)), V::Time),
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
    let department: FxHashMap<&str, &str> =
        data.orders.iter().filter_map(|o| Some((o.order_id.as_str(), o.department.as_deref()?))).collect();
    let yes_no = |v: Option<bool>, yes: L, no: L| match v {
        Some(true) => V::Text(b.text(yes)),
        Some(false) => V::Text(b.text(no)),
        None => V::Empty,
    };
    let mut list: Vec<&crate::model::Survey> =
        data.surveys.iter().filter(|s| crate::metrics::survey::dissatisfied(s)).collect();
    let branch = |s: &crate::model::Survey| s.branch.clone().unwrap_or_default();
    list.sort_by(|a, c| {
        branch(a).cmp(&branch(c)).then(a.surveyed_at.cmp(&c.surveyed_at)).then(a.survey_id.cmp(&c.survey_id))
    });
    let rows = list
        .into_iter()
        .map(|sv| {
            let order = sv.order_id.as_deref();
            let satisfaction = match (sv.score, sv.satisfied) {
                (Some(score), _) => V::Text(crate::ingest::value::format_number(score)),
                (None, v) => yes_no(v, L::SatisfiedWord, L::NotSatisfiedWord),
            };
            vec![
                V::Text(branch(sv)),
                opt_text(&sv.survey_id),
                opt_text(&sv.order_id),
                order.and_then(|o| department.get(o)).map_or(V::Empty, |d| V::Text(d.to_string())),
                V::Time(sv.surveyed_at),
                satisfaction,
                yes_no(sv.timely, L::YesWord, L::NoWord),
                yes_no(sv.attitude, L::SatisfiedWord, L::NotSatisfiedWord),
                opt_text(&sv.reason),
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

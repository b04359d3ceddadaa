//! Property tests of the metrics over random months of records.

use chrono::{Duration, NaiveDateTime};
use proptest::prelude::*;
use svcq::config::Config;
use svcq::metrics::{compute, Group, MetricRow};
use svcq::model::{Call, Dataset, OrderType, Source, Survey, WorkOrder};

fn start() -> NaiveDateTime {
    NaiveDateTime::parse_from_str("2026-10-01 00:00", "%Y-%m-%d %H:%M").unwrap()
}

const BRANCHES: [&str; 3] = ["东区", "西区", "北区"];
const PRODUCTS: [&str; 3] = ["E8", "E9", "ADSL"];

prop_compose! {
    fn order()(id in 0u32..400, ty in 0u8..4, b in 0usize..3, p in 0usize..3, cust in 0u32..30,
               created in 0i64..(31 * 24), hours in proptest::option::of(0i64..100),
               deadline in proptest::option::of(0i64..120), cause in 0u8..5) -> WorkOrder<'static> {
        let created_at = start() + Duration::hours(created);
        WorkOrder {
            src: Source { sheet: 0, row: id + 2 },
            order_id: format!("W{id}").into(),
            order_type: [OrderType::Fault, OrderType::Install, OrderType::Complaint, OrderType::Other][ty as usize],
            branch: BRANCHES[b].into(),
            product: PRODUCTS[p].into(),
            customer_id: Some(format!("c{cust}").into()),
            created_at,
            deadline: deadline.map(|h| created_at + Duration::hours(h)),
            completed_at: hours.map(|h| created_at + Duration::hours(h)),
            department: Some(format!("部门{}", cause % 3).into()),
            channel: Some(["10000号", "工信部", "营业厅"][cause as usize % 3].into()),
            category: Some(["费用争议", "网络质量"][cause as usize % 2].into()),
            phenomenon: Some(format!("现象{cause}").into()),
            cause: Some(["查中自复", "不明原因", "光猫故障", "线路故障", "用户原因"][cause as usize].into()),
            preprocessed: Some(cause % 2 == 0),
            justified: Some(cause % 3 == 0),
            first_close: Some(cause % 2 == 1),
            content: None,
            result: None,
            reply_ok: Some(id % 4 != 1),
            human_error: Some(id % 7 == 3),
            site: None,
        }
    }
}

prop_compose! {
    fn call()(id in 0u32..10_000, b in 0usize..4, caller in 0u32..50, t in 0i64..(31 * 24 * 60),
              answered in any::<bool>(), wait in 0u32..90, talk in 1u32..600) -> Call<'static> {
        Call {
            src: Source { sheet: 1, row: id + 2 },
            call_id: Some(format!("C{id}").into()),
            start_time: start() + Duration::minutes(t),
            branch: BRANCHES.get(b).map(|s| (*s).into()),
            queue: None,
            agent_id: None,
            caller: Some(format!("133{caller:08}").into()),
            answered,
            talk_seconds: Some(if answered { f64::from(talk) } else { 0.0 }),
            wait_seconds: f64::from(wait),
            resolved: answered.then_some(wait % 2 == 0),
        }
    }
}

prop_compose! {
    fn survey()(id in 0u32..1000, b in 0usize..3, contacted in any::<bool>(), s in proptest::option::of(any::<bool>())) -> Survey<'static> {
        Survey {
            src: Source { sheet: 2, row: id + 2 },
            survey_id: Some(format!("S{id}").into()),
            order_id: None,
            branch: Some(BRANCHES[b].into()),
            surveyed_at: start() + Duration::hours(i64::from(id % 700)),
            contacted,
            satisfied: if contacted { s } else { None },
            score: None,
            timely: if contacted { s } else { None },
            attitude: if contacted { Some(true) } else { None },
            reason: None,
        }
    }
}

type Rows = (Vec<WorkOrder<'static>>, Vec<Call<'static>>, Vec<Survey<'static>>);

fn tables((orders, calls, surveys): &Rows) -> Dataset {
    Dataset {
        calls: calls.iter().cloned().collect(),
        orders: orders.iter().cloned().collect(),
        earlier_orders: Default::default(),
        surveys: surveys.iter().cloned().collect(),
        ledger: Default::default(),
    }
}

fn dataset() -> impl Strategy<Value = Rows> {
    (
        prop::collection::vec(order(), 0..120),
        prop::collection::vec(call(), 0..150),
        prop::collection::vec(survey(), 0..60),
    )
        .prop_map(|(mut orders, calls, surveys)| {
            // Ids are unique after ingest's deduplication.
            let mut seen = std::collections::HashSet::new();
            orders.retain(|o| seen.insert(o.order_id.clone()));
            (orders, calls, surveys)
        })
}

fn is_count(r: &MetricRow) -> bool {
    r.denominator.is_none()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn rates_are_fractions_and_counts_add_up(rows in dataset()) {
        let data = tables(&rows);
        let config = Config::default();
        let rows = compute(&data, &config, "2026-10".parse().unwrap()).unwrap().rows;
        for r in &rows {
            let v = r.value.unwrap();
            prop_assert!(v.is_finite(), "{r:?}");
            if let (Some(n), Some(d)) = (r.numerator, r.denominator) {
                prop_assert!(d > 0.0, "no zero denominators: {r:?}");
                if r.metric.as_str().ends_with("_rate") || r.metric.as_str().starts_with("fault.top") || r.metric.as_str().ends_with("_share") || r.metric.as_str() == "calls.service_level" {
                    prop_assert!(n <= d, "numerator <= denominator: {r:?}");
                    prop_assert!((0.0..=1.0).contains(&v), "{r:?}");
                    let (lo, hi) = (r.ci_low.unwrap(), r.ci_high.unwrap());
                    prop_assert!(lo <= v + 1e-12 && v <= hi + 1e-12, "interval holds the value: {r:?}");
                }
            }
        }
        // Counts: the total equals the sum over branches (and over products).
        for total in rows.iter().filter(|r| is_count(r) && r.branch.is_empty() && r.product.is_empty() && r.group.is_none()) {
            // The assessment's total adds departments and branches: checked below.
            if total.metric.as_str().starts_with("fault.top") || total.metric.as_str() == "assess.amount" { continue; }
            let by_branch: f64 = rows.iter().filter(|r| r.metric == total.metric && !r.branch.is_empty() && r.product.is_empty() && r.group.is_none()).map(|r| r.value.unwrap()).sum();
            prop_assert_eq!(by_branch, total.value.unwrap(), "{} by branch", total.metric);
            let per_product: Vec<f64> = rows.iter().filter(|r| r.metric == total.metric && r.branch.is_empty() && !r.product.is_empty() && r.group.is_none()).map(|r| r.value.unwrap()).collect();
            if !per_product.is_empty() {
                prop_assert_eq!(per_product.iter().sum::<f64>(), total.value.unwrap(), "{} by product", total.metric);
            }
        }
    }

    #[test]
    fn assessment_amounts_add_up(rows in dataset()) {
        let config = Config::default();
        let out = compute(&tables(&rows), &config, "2026-10".parse().unwrap()).unwrap().rows;
        let amount = |pred: &dyn Fn(&MetricRow) -> bool| -> f64 {
            out.iter().filter(|r| r.metric.as_str() == "assess.amount" && pred(r)).map(|r| r.value.unwrap()).sum()
        };
        let a = &config.assessment;
        let per_case = |item: &str| match item {
            "overdue" => a.overdue.0,
            "irregular_reply" => a.irregular_reply.0,
            "human_error" => a.human_error.0,
            _ => a.justified.0,
        };
        // Each item: amount = cases x 元 per case (no overrides in the default config).
        for r in out.iter().filter(|r| r.metric.as_str() == "assess.cases") {
            let (item, key) = match &r.group {
                Group::DepartmentItem { item, .. } => (item.clone(), r.group.clone()),
                Group::Item(item) => (item.clone(), r.group.clone()),
                g => panic!("unexpected group {g}"),
            };
            let amt = out.iter().find(|x| x.metric.as_str() == "assess.amount" && x.group == key && x.branch == r.branch).unwrap();
            prop_assert_eq!(amt.value.unwrap(), r.value.unwrap() * per_case(&item), "{}", key);
        }
        // Department total = its items; grand total = departments + justified charges.
        let departments = amount(&|r| matches!(r.group, Group::Department(_)));
        let items = amount(&|r| matches!(r.group, Group::DepartmentItem { .. }));
        let justified = amount(&|r| matches!(r.group, Group::Item(_)));
        prop_assert!((departments - items).abs() < 1e-9);
        let total = amount(&|r| r.group == Group::None);
        prop_assert!((total - departments - justified).abs() < 1e-9, "{} vs {} + {}", total, departments, justified);
    }

    #[test]
    fn record_order_never_changes_a_figure(rows in dataset(), seed in any::<u64>()) {
        let config = Config::default();
        let month = "2026-10".parse().unwrap();
        let a = compute(&tables(&rows), &config, month).unwrap().rows;
        let (mut orders, mut calls, mut surveys) = rows.clone();
        let mut s = seed | 1;
        let mut next = |n: usize| { s ^= s << 13; s ^= s >> 7; s ^= s << 17; (s as usize) % n.max(1) };
        for i in (1..orders.len()).rev() { let j = next(i + 1); orders.swap(i, j); }
        for i in (1..calls.len()).rev() { let j = next(i + 1); calls.swap(i, j); }
        for i in (1..surveys.len()).rev() { let j = next(i + 1); surveys.swap(i, j); }
        let b = compute(&tables(&(orders, calls, surveys)), &config, month).unwrap().rows;
        prop_assert_eq!(a, b);
    }
}

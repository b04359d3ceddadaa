//! Deadlines and timeliness of work orders (SPEC §2.2), shared by installs, faults and complaints.

use chrono::{Duration, NaiveDateTime};

use crate::config::Config;
use crate::model::{OrderType, Orders, WorkOrder};

/// The fields of an order that its deadline and timeliness depend on (read straight from
/// the columns: no whole record is built per order).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Due<'a> {
    order_type: OrderType,
    product: &'a str,
    created_at: NaiveDateTime,
    deadline: Option<NaiveDateTime>,
    completed_at: Option<NaiveDateTime>,
}

impl<'a> Due<'a> {
    /// Row `i` of `t`.
    pub(crate) fn at(t: &'a Orders, i: usize) -> Due<'a> {
        Due {
            order_type: t.order_type[i],
            product: t.product.get(i),
            created_at: t.created_at.get(i),
            deadline: t.deadline.get(i),
            completed_at: t.completed_at.get(i),
        }
    }

    /// A whole record's.
    pub(crate) fn of(o: &'a WorkOrder<'_>) -> Due<'a> {
        Due {
            order_type: o.order_type,
            product: &o.product,
            created_at: o.created_at,
            deadline: o.deadline,
            completed_at: o.completed_at,
        }
    }
}

/// Where an order stands against its deadline at the period end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Timeliness {
    /// Completed by the deadline.
    OnTime,
    /// Completed after the deadline, or open with the deadline before the period end.
    Late,
    /// Open and not yet due at the period end.
    Pending,
    /// No deadline (an install without an appointment; a type without an SLA).
    NoDeadline,
}

/// The SLA hours for an order's type and product, if any.
pub(crate) fn sla_hours(order_type: OrderType, product: &str, config: &Config) -> Option<f64> {
    let sla = &config.sla_hours;
    let key = order_type.id();
    if let Some(h) = sla.by_product.get(key).and_then(|m| m.get(product)) {
        return Some(*h);
    }
    match order_type {
        OrderType::Fault => sla.fault,
        OrderType::Complaint => sla.complaint,
        OrderType::Install => sla.install,
        OrderType::Other => None,
    }
}

/// The deadline: the deadline cell, else created_at + SLA hours.
pub(crate) fn deadline(o: Due<'_>, config: &Config) -> Option<NaiveDateTime> {
    o.deadline.or_else(|| {
        sla_hours(o.order_type, o.product, config)
            .map(|h| o.created_at + Duration::seconds((h * 3600.0).round() as i64))
    })
}

/// Classify an order at `period_end` (00:00 of the first day of the next month).
pub(crate) fn timeliness(o: Due<'_>, config: &Config, period_end: NaiveDateTime) -> Timeliness {
    let Some(due) = deadline(o, config) else { return Timeliness::NoDeadline };
    match o.completed_at {
        Some(done) if done <= due => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if due < period_end => Timeliness::Late,
        None => Timeliness::Pending,
    }
}

/// Hours from creation to completion, for completed orders.
pub(crate) fn hours_to_complete(o: Due<'_>) -> Option<f64> {
    o.completed_at.map(|d| (d - o.created_at).num_seconds() as f64 / 3600.0)
}

/// The hour-valued timeliness columns every order frame carries.
pub(crate) struct OrderFlags {
    /// On time.
    pub ontime: bool,
    /// In the on-time denominator: has a deadline and is not pending.
    pub ontime_den: bool,
    /// Pending.
    pub pending: bool,
    /// Late.
    pub late: bool,
}

impl OrderFlags {
    /// Flags of one order.
    pub(crate) fn of(o: Due<'_>, config: &Config, period_end: NaiveDateTime) -> OrderFlags {
        let t = timeliness(o, config, period_end);
        OrderFlags {
            ontime: t == Timeliness::OnTime,
            ontime_den: matches!(t, Timeliness::OnTime | Timeliness::Late),
            pending: t == Timeliness::Pending,
            late: t == Timeliness::Late,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(ty: OrderType, created: &str, deadline: Option<&str>, done: Option<&str>) -> WorkOrder<'static> {
        let p = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        WorkOrder {
            created_at: p(created),
            deadline: deadline.map(p),
            completed_at: done.map(p),
            ..WorkOrder::blank(ty)
        }
    }

    #[test]
    fn spec_rules() {
        let c = Config::default();
        let end = NaiveDateTime::parse_from_str("2026-11-01 00:00", "%Y-%m-%d %H:%M").unwrap();
        use OrderType::*;
        use Timeliness::*;
        // Faults: created + 24 h.
        assert_eq!(
            timeliness(Due::of(&order(Fault, "2026-10-05 08:00", None, Some("2026-10-06 08:00"))), &c, end),
            OnTime
        );
        assert_eq!(
            timeliness(Due::of(&order(Fault, "2026-10-05 08:00", None, Some("2026-10-06 08:01"))), &c, end),
            Late
        );
        assert_eq!(timeliness(Due::of(&order(Fault, "2026-10-05 08:00", None, None)), &c, end), Late);
        assert_eq!(timeliness(Due::of(&order(Fault, "2026-10-31 08:00", None, None)), &c, end), Pending);
        // Complaints: 48 h.
        assert_eq!(timeliness(Due::of(&order(Complaint, "2026-10-30 08:00", None, None)), &c, end), Pending);
        assert_eq!(timeliness(Due::of(&order(Complaint, "2026-10-29 23:00", None, None)), &c, end), Late);
        // Installs: no default SLA.
        assert_eq!(
            timeliness(Due::of(&order(Install, "2026-10-05 08:00", None, Some("2026-10-06 08:00"))), &c, end),
            NoDeadline
        );
        assert_eq!(
            timeliness(
                Due::of(&order(Install, "2026-10-05 08:00", Some("2026-10-07 18:00"), Some("2026-10-07 18:00"))),
                &c,
                end
            ),
            OnTime
        );
        assert_eq!(
            timeliness(Due::of(&order(Install, "2026-10-30 08:00", Some("2026-11-02 18:00"), None)), &c, end),
            Pending
        );
        // Deadline exactly at the period end is not before it: pending.
        assert_eq!(
            timeliness(Due::of(&order(Install, "2026-10-30 08:00", Some("2026-11-01 00:00"), None)), &c, end),
            Pending
        );
        // Per-product SLA.
        let c2 = Config::parse("[sla_hours]\nby_product = { fault = { \"E8\" = 4.0 } }\n", std::path::Path::new("x"))
            .unwrap();
        assert_eq!(
            timeliness(Due::of(&order(Fault, "2026-10-05 08:00", None, Some("2026-10-05 13:00"))), &c2, end),
            Late
        );
    }
}

//! The `group` of a metric row, typed: what a grouped value is of (a channel, a rank, an
//! input sheet, ...). Rendered as text in the metrics CSV (`channel=工信部`,
//! `rank=2;value=查中自复`, `file=a.xlsx;sheet=Sheet1`) and parsed back here, nowhere else.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};

/// A row's group. The derived order sorts ranks numerically (rank 2 before rank 10).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Group {
    /// No group: the total or branch/product row.
    #[default]
    None,
    /// `channel=<C>`: a complaint channel.
    Channel(String),
    /// `category=<C>`: a complaint category.
    Category(String),
    /// `department=<D>`: a responsible department.
    Department(String),
    /// `day=YYYY-MM-DD`: a day of the period.
    Day(NaiveDate),
    /// `reason=<R>`: a category of dissatisfaction reasons.
    Reason(String),
    /// `rank=<N>;value=<V>`: the N-th most frequent value.
    Rank {
        /// 1 = the most frequent.
        rank: u32,
        /// The value (a phenomenon, a cause).
        value: String,
    },
    /// `interval=HH:MM`: an interval of the day (staffing).
    Interval(String),
    /// `item=<I>`: an assessment item (`justified`, charged to a branch).
    Item(String),
    /// `department=<D>;item=<I>`: an assessment item of a department.
    DepartmentItem {
        /// The department.
        department: String,
        /// The item: `overdue`, `irregular_reply` or `human_error`.
        item: String,
    },
    /// `incident=<YYYY-MM-DD HH:MM>@<place>`: a mass-fault incident, by its start (to the
    /// minute) and its place (a site, or a number prefix).
    Incident {
        /// The first report's creation, seconds dropped.
        start: NaiveDateTime,
        /// The site or the number prefix.
        place: String,
    },
    /// `sha256=<hex>`: the definitions fingerprint (`meta.definitions`).
    Fingerprint(String),
    /// `file=<F>;sheet=<S>`: an input sheet (data-quality rows).
    Sheet {
        /// File name as listed in the ledger.
        file: String,
        /// Sheet name.
        sheet: String,
    },
    /// `queue=<Q>`: a hotline queue (segments of a change's decomposition).
    Queue(String),
    /// `cause=<C>`: a fault cause (every cause, not only the top N).
    Cause(String),
    /// `phenomenon=<P>`: a fault phenomenon (every one, not only the top N).
    Phenomenon(String),
    /// `of=<metric id>;by=<dimension>;segment=<S>`: one segment's part of a metric's change
    /// from the period before (`change.*` rows, SPEC §8.2).
    Change {
        /// The metric id whose change is decomposed.
        of: String,
        /// The dimension: branch, product, channel, category.
        by: String,
        /// The segment (`(空)`: rows with no value).
        segment: String,
    },
}

/// Which kind of group a row has (for filtering rows of one kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// [`Group::None`].
    None,
    /// [`Group::Change`].
    Change,
    /// [`Group::Queue`].
    Queue,
    /// [`Group::Cause`].
    Cause,
    /// [`Group::Phenomenon`].
    Phenomenon,
    /// [`Group::Channel`].
    Channel,
    /// [`Group::Category`].
    Category,
    /// [`Group::Department`].
    Department,
    /// [`Group::Day`].
    Day,
    /// [`Group::Reason`].
    Reason,
    /// [`Group::Rank`].
    Rank,
    /// [`Group::Interval`].
    Interval,
    /// [`Group::Item`].
    Item,
    /// [`Group::DepartmentItem`].
    DepartmentItem,
    /// [`Group::Incident`].
    Incident,
    /// [`Group::Fingerprint`].
    Fingerprint,
    /// [`Group::Sheet`].
    Sheet,
}

impl Group {
    /// The kind of group.
    pub fn kind(&self) -> GroupKind {
        match self {
            Group::None => GroupKind::None,
            Group::Channel(_) => GroupKind::Channel,
            Group::Category(_) => GroupKind::Category,
            Group::Department(_) => GroupKind::Department,
            Group::Day(_) => GroupKind::Day,
            Group::Reason(_) => GroupKind::Reason,
            Group::Rank { .. } => GroupKind::Rank,
            Group::Interval(_) => GroupKind::Interval,
            Group::Item(_) => GroupKind::Item,
            Group::DepartmentItem { .. } => GroupKind::DepartmentItem,
            Group::Incident { .. } => GroupKind::Incident,
            Group::Fingerprint(_) => GroupKind::Fingerprint,
            Group::Sheet { .. } => GroupKind::Sheet,
            Group::Change { .. } => GroupKind::Change,
            Group::Queue(_) => GroupKind::Queue,
            Group::Cause(_) => GroupKind::Cause,
            Group::Phenomenon(_) => GroupKind::Phenomenon,
        }
    }

    /// Whether this is the empty group.
    pub fn is_none(&self) -> bool {
        *self == Group::None
    }

    /// The name a table shows for the group: the channel, category, department, day,
    /// ranked value or sheet.
    pub fn name(&self) -> String {
        match self {
            Group::None => String::new(),
            Group::Channel(s)
            | Group::Category(s)
            | Group::Department(s)
            | Group::Reason(s)
            | Group::Item(s)
            | Group::Interval(s)
            | Group::Fingerprint(s)
            | Group::Queue(s)
            | Group::Cause(s)
            | Group::Phenomenon(s) => s.clone(),
            Group::DepartmentItem { department, item } => format!("{department} / {item}"),
            Group::Day(d) => d.to_string(),
            Group::Rank { value, .. } => value.clone(),
            Group::Incident { start, place } => format!("{}@{place}", start.format(INCIDENT_TIME)),
            Group::Sheet { file, sheet } => format!("{file} / {sheet}"),
            Group::Change { segment, .. } => segment.clone(),
        }
    }

    /// A group keyed by a frame column name (`channel`, `category`, `department`, `day`), as
    /// the aggregation produces them.
    pub(crate) fn of_column(column: &str, value: String) -> Option<Group> {
        Some(match column {
            "channel" => Group::Channel(value),
            "category" => Group::Category(value),
            "department" => Group::Department(value),
            "reason" => Group::Reason(value),
            "queue" => Group::Queue(value),
            "day" => Group::Day(NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok()?),
            _ => return None,
        })
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Group::None => Ok(()),
            Group::Channel(s) => write!(f, "channel={s}"),
            Group::Category(s) => write!(f, "category={s}"),
            Group::Department(s) => write!(f, "department={s}"),
            Group::Day(d) => write!(f, "day={d}"),
            Group::Reason(s) => write!(f, "reason={s}"),
            Group::Rank { rank, value } => write!(f, "rank={rank};value={value}"),
            Group::Item(s) => write!(f, "item={s}"),
            Group::Interval(s) => write!(f, "interval={s}"),
            Group::DepartmentItem { department, item } => write!(f, "department={department};item={item}"),
            Group::Incident { start, place } => write!(f, "incident={}@{place}", start.format(INCIDENT_TIME)),
            Group::Fingerprint(s) => write!(f, "sha256={s}"),
            Group::Sheet { file, sheet } => write!(f, "file={file};sheet={sheet}"),
            Group::Change { of, by, segment } => write!(f, "of={of};by={by};segment={segment}"),
            Group::Queue(s) => write!(f, "queue={s}"),
            Group::Cause(s) => write!(f, "cause={s}"),
            Group::Phenomenon(s) => write!(f, "phenomenon={s}"),
        }
    }
}

/// The items of a department's assessment (SPEC §7.2).
pub const ASSESSMENT_ITEMS: &[&str] = &["overdue", "irregular_reply", "human_error"];

/// How an incident's start is written in its group.
const INCIDENT_TIME: &str = "%Y-%m-%d %H:%M";

/// A group text that is not one of the forms above.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown group `{0}`")]
pub struct BadGroup(pub String);

impl FromStr for Group {
    type Err = BadGroup;

    /// Parse the CSV form. Values may hold any text: `rank=` is followed by digits and
    /// `;value=`; a sheet's file name ends at the last `;sheet=`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadGroup(s.to_string());
        if s.is_empty() {
            return Ok(Group::None);
        }
        let (key, rest) = s.split_once('=').ok_or_else(bad)?;
        Ok(match key {
            "channel" => Group::Channel(rest.to_string()),
            "category" => Group::Category(rest.to_string()),
            "department" => match rest.rsplit_once(";item=") {
                // An item is one of the assessment's words; any other text is the name's.
                Some((department, item)) if ASSESSMENT_ITEMS.contains(&item) => {
                    Group::DepartmentItem { department: department.to_string(), item: item.to_string() }
                }
                _ => Group::Department(rest.to_string()),
            },
            "item" => Group::Item(rest.to_string()),
            "queue" => Group::Queue(rest.to_string()),
            "cause" => Group::Cause(rest.to_string()),
            "phenomenon" => Group::Phenomenon(rest.to_string()),
            "interval" => Group::Interval(rest.to_string()),
            "sha256" => Group::Fingerprint(rest.to_string()),
            "reason" => Group::Reason(rest.to_string()),
            "day" => Group::Day(NaiveDate::parse_from_str(rest, "%Y-%m-%d").map_err(|_| bad())?),
            "rank" => {
                let (n, value) = rest.split_once(";value=").ok_or_else(bad)?;
                Group::Rank { rank: n.parse().map_err(|_| bad())?, value: value.to_string() }
            }
            "incident" => {
                // The time has no `@`: the place is everything after the first one.
                let (start, place) = rest.split_once('@').ok_or_else(bad)?;
                let start = NaiveDateTime::parse_from_str(start, INCIDENT_TIME).map_err(|_| bad())?;
                Group::Incident { start, place: place.to_string() }
            }
            "file" => {
                let (file, sheet) = rest.rsplit_once(";sheet=").ok_or_else(bad)?;
                Group::Sheet { file: file.to_string(), sheet: sheet.to_string() }
            }
            "of" => {
                // The metric id and the dimension hold no `;`: the segment is the rest.
                let (of, rest) = rest.split_once(";by=").ok_or_else(bad)?;
                let (by, segment) = rest.split_once(";segment=").ok_or_else(bad)?;
                Group::Change { of: of.to_string(), by: by.to_string(), segment: segment.to_string() }
            }
            _ => return Err(bad()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_round_trips() {
        let day = NaiveDate::from_ymd_opt(2026, 10, 31).unwrap();
        let odd = "a=b;c=d;value=x;sheet=y 工信部 ＝";
        let groups = [
            Group::None,
            Group::Channel("工信部".into()),
            Group::Channel(odd.into()),
            Group::Category("12315".into()),
            Group::Department(odd.into()),
            Group::Day(day),
            Group::Reason("处理不及时".into()),
            Group::Rank { rank: 10, value: "查中自复".into() },
            Group::Rank { rank: 1, value: odd.into() },
            Group::Sheet { file: "a;b=c.xlsx".into(), sheet: "Sheet 1".into() },
            Group::Incident { start: day.and_hms_opt(8, 5, 0).unwrap(), place: "孙家坝5300".into() },
            Group::Item("justified".into()),
            Group::Interval("09:30".into()),
            Group::Fingerprint("ab12".into()),
            Group::DepartmentItem { department: "城区;item=x".into(), item: "overdue".into() },
            Group::DepartmentItem { department: odd.into(), item: "human_error".into() },
            Group::Department("a;item=b".into()),
            Group::Incident { start: day.and_hms_opt(23, 59, 0).unwrap(), place: odd.into() },
            Group::Incident { start: day.and_hms_opt(0, 0, 0).unwrap(), place: "a@b".into() },
            Group::Sheet { file: "x.csv".into(), sheet: String::new() },
        ];
        for g in groups {
            let text = g.to_string();
            assert_eq!(text.parse::<Group>(), Ok(g.clone()), "{text}");
        }
        assert_eq!(Group::Rank { rank: 2, value: "x".into() }.to_string(), "rank=2;value=x");
        assert_eq!(Group::Day(day).to_string(), "day=2026-10-31");
        let incident = Group::Incident { start: day.and_hms_opt(8, 5, 0).unwrap(), place: "5300".into() };
        assert_eq!(incident.to_string(), "incident=2026-10-31 08:05@5300");
    }

    #[test]
    fn ranks_sort_as_numbers() {
        let mut v: Vec<Group> = [10, 2, 1].iter().map(|r| Group::Rank { rank: *r, value: "v".into() }).collect();
        v.sort();
        let ranks: Vec<String> = v.iter().map(Group::to_string).collect();
        assert_eq!(ranks, ["rank=1;value=v", "rank=2;value=v", "rank=10;value=v"]);
    }

    #[test]
    fn malformed_groups_are_errors() {
        for s in [
            "channel",
            "incident=2026-10-31@x",
            "incident=2026-10-31 08:05",
            "rank=x;value=y",
            "rank=1",
            "day=2026-13-01",
            "file=a.xlsx",
            "colour=red",
        ] {
            assert!(s.parse::<Group>().is_err(), "{s}");
        }
    }
}

//! The reporting period: a calendar month (`--month 2026-10`, the default), an ISO week
//! (`--week 2026-W43`, Monday 00:00 to Monday 00:00) or any run of days (`--period
//! 2026-10-05..2026-10-11`, inclusive dates). Everything that depends on "the month" —
//! out of period, the period end for deadlines and pending orders, the rolling repeat
//! window, history, trends, early warnings, file names and the CSV's `month` column — takes
//! a [`Period`].

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use crate::month::Month;

/// What kind of period a report covers. History compares only periods of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    /// A calendar month.
    Month,
    /// An ISO week.
    Week,
    /// Any run of days.
    Range,
}

/// A reporting period: whole days from `first` to `last` inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    first: NaiveDate,
    last: NaiveDate,
    kind: PeriodKind,
}

impl Period {
    /// A calendar month.
    pub fn month(m: Month) -> Period {
        let first = m.first_day();
        Period { first, last: m.next().first_day() - Duration::days(1), kind: PeriodKind::Month }
    }

    /// ISO week `week` of ISO year `year` (Monday to Sunday).
    pub fn week(year: i32, week: u32) -> Option<Period> {
        let first = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)?;
        Some(Period { first, last: first + Duration::days(6), kind: PeriodKind::Week })
    }

    /// The days `first` to `last`, inclusive.
    pub fn range(first: NaiveDate, last: NaiveDate) -> Result<Period, String> {
        if last < first {
            return Err(format!("invalid period {first}..{last}: the last day is before the first"));
        }
        if (last - first).num_days() > 366 * 5 {
            return Err(format!("invalid period {first}..{last}: longer than five years"));
        }
        Ok(Period { first, last, kind: PeriodKind::Range })
    }

    /// The ISO week before the one containing `today` (the default `--week`).
    pub fn previous_week_of(today: NaiveDate) -> Period {
        let w = (today - Duration::days(7)).iso_week();
        Period::week(w.year(), w.week()).expect("a real week")
    }

    /// The kind.
    pub fn kind(&self) -> PeriodKind {
        self.kind
    }

    /// The calendar month, when the period is one.
    pub fn as_month(&self) -> Option<Month> {
        (self.kind == PeriodKind::Month).then(|| Month { year: self.first.year(), month: self.first.month() })
    }

    /// First day.
    pub fn first_day(&self) -> NaiveDate {
        self.first
    }

    /// Last day.
    pub fn last_day(&self) -> NaiveDate {
        self.last
    }

    /// Number of days.
    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The period before, of the same kind (for a run of days: the same number of days
    /// ending the day before).
    pub fn prev(&self) -> Period {
        match self.kind {
            PeriodKind::Month => Period::month(self.as_month().expect("a month").prev()),
            PeriodKind::Week => {
                let first = self.first - Duration::days(7);
                Period { first, last: first + Duration::days(6), kind: PeriodKind::Week }
            }
            PeriodKind::Range => {
                let n = self.days();
                Period { first: self.first - Duration::days(n), last: self.first - Duration::days(1), kind: self.kind }
            }
        }
    }

    /// 00:00 of the first day.
    pub fn start(&self) -> NaiveDateTime {
        self.first.and_time(NaiveTime::MIN)
    }

    /// 00:00 of the day after the last (the period end, exclusive).
    pub fn end(&self) -> NaiveDateTime {
        (self.last + Duration::days(1)).and_time(NaiveTime::MIN)
    }

    /// The period's times: [start, end).
    pub fn times(&self) -> std::ops::Range<NaiveDateTime> {
        self.start()..self.end()
    }

    /// Whether `t` falls in the period.
    pub fn contains(&self, t: NaiveDateTime) -> bool {
        self.times().contains(&t)
    }

    /// The `days` days before the period: [start − days, start).
    pub fn days_before(&self, days: i64) -> std::ops::Range<NaiveDateTime> {
        self.start() - Duration::days(days)..self.start()
    }

    /// The period in the analysts' words: 2026年10月, 2026年第43周（10月19日—10月25日）,
    /// 2026年10月5日—10月11日.
    pub fn zh(&self) -> String {
        let day = |d: NaiveDate| format!("{}月{}日", d.month(), d.day());
        match self.kind {
            PeriodKind::Month => format!("{}年{}月", self.first.year(), self.first.month()),
            PeriodKind::Week => {
                let w = self.first.iso_week();
                format!("{}年第{}周（{}—{}）", w.year(), w.week(), day(self.first), day(self.last))
            }
            PeriodKind::Range => format!("{}年{}—{}", self.first.year(), day(self.first), day(self.last)),
        }
    }
}

impl fmt::Display for Period {
    /// The label: `2026-10`, `2026-W43`, `2026-10-05..2026-10-11`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.first.year(), self.first.month()),
            PeriodKind::Week => {
                let w = self.first.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Range => write!(f, "{}..{}", self.first, self.last),
        }
    }
}

impl FromStr for Period {
    type Err = String;

    /// Parse a label (`2026-10`, `2026-W43`, `2026-10-05..2026-10-11`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if let Some((a, b)) = s.split_once("..") {
            let day = |t: &str| {
                NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("invalid period {s:?}: expected YYYY-MM-DD..YYYY-MM-DD"))
            };
            return Period::range(day(a)?, day(b)?);
        }
        if let Some((y, w)) = s.split_once("-W").or_else(|| s.split_once("-w")) {
            let bad = || format!("invalid week {s:?}: expected YYYY-Www, e.g. 2026-W43");
            let (year, week): (i32, u32) = (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
            if y.len() != 4 || w.len() != 2 || year < 1900 {
                return Err(bad());
            }
            return Period::week(year, week).ok_or_else(|| format!("invalid week {s:?}: {year} has no week {week}"));
        }
        Ok(Period::month(s.parse()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_across_year_ends() {
        let w53: Period = "2009-W53".parse().unwrap();
        assert_eq!((w53.first_day(), w53.last_day()), (d("2009-12-28"), d("2010-01-03")));
        let w1: Period = "2010-W01".parse().unwrap();
        assert_eq!(w1.first_day(), d("2010-01-04"));
        assert_eq!(w1.prev(), w53);
        assert_eq!(w53.to_string(), "2009-W53");
        assert!("2009-W54".parse::<Period>().unwrap_err().contains("has no week 54"));
        assert!("2010-W53".parse::<Period>().is_err(), "2010 has 52 weeks");
        assert!("2009-W5".parse::<Period>().is_err());
        // Sunday 23:59:59 is in the week, Monday 00:00 is the next.
        let sunday = d("2010-01-03").and_hms_opt(23, 59, 59).unwrap();
        assert!(w53.contains(sunday) && !w1.contains(sunday));
        assert!(w1.contains(d("2010-01-04").and_hms_opt(0, 0, 0).unwrap()));
        assert_eq!(w53.zh(), "2009年第53周（12月28日—1月3日）");
    }

    #[test]
    fn months_ranges_and_labels() {
        let m: Period = "2026-10".parse().unwrap();
        assert_eq!((m.days(), m.to_string(), m.prev().to_string()), (31, "2026-10".into(), "2026-09".into()));
        assert_eq!(m.end(), d("2026-11-01").and_hms_opt(0, 0, 0).unwrap());
        let r: Period = "2026-10-05..2026-10-11".parse().unwrap();
        assert_eq!((r.days(), r.kind()), (7, PeriodKind::Range));
        assert_eq!(r.prev().to_string(), "2026-09-28..2026-10-04");
        assert_eq!(r.to_string().parse::<Period>().unwrap(), r);
        assert!("2026-10-11..2026-10-05".parse::<Period>().unwrap_err().contains("before the first"));
        assert_eq!(Period::previous_week_of(d("2026-11-23")).to_string(), "2026-W47");
        assert_eq!(Period::previous_week_of(d("2026-11-29")).to_string(), "2026-W47", "a Sunday");
    }
}

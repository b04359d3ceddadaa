//! The reporting month (`--month YYYY-MM`).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Year.
    pub year: i32,
    /// Month 1–12.
    pub month: u32,
}

impl Month {
    /// The month before the one containing `today` (the default `--month`).
    pub fn previous_of(today: NaiveDate) -> Month {
        Month { year: today.year(), month: today.month() }.prev()
    }

    /// The month before.
    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { year: self.year, month: self.month - 1 }
        }
    }

    /// The month after.
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    /// First day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    /// Number of days.
    pub fn days(self) -> i64 {
        (self.next().first_day() - self.first_day()).num_days()
    }

    /// 00:00 on the first day.
    pub fn start(self) -> NaiveDateTime {
        self.first_day().and_time(NaiveTime::MIN)
    }

    /// 00:00 on the first day of the next month (the period end, exclusive).
    pub fn end(self) -> NaiveDateTime {
        self.next().start()
    }

    /// Whether `t` falls in the month.
    pub fn contains(self, t: NaiveDateTime) -> bool {
        t >= self.start() && t < self.end()
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Month {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("invalid month {s:?}: expected YYYY-MM, e.g. 2026-10");
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.is_empty() || m.len() > 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || year < 1900 {
            return Err(bad());
        }
        Ok(Month { year, month })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_arithmetic() {
        let m: Month = "2026-10".parse().unwrap();
        assert_eq!(m.to_string(), "2026-10");
        assert_eq!(m.next().to_string(), "2026-11");
        assert_eq!("2026-01".parse::<Month>().unwrap().prev().to_string(), "2025-12");
        assert_eq!("2024-02".parse::<Month>().unwrap().days(), 29);
        for bad in ["2026-13", "2026-00", "26-10", "2026/10", "2026-1x", ""] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
        assert_eq!(Month::previous_of(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).to_string(), "2025-12");
    }
}

//! Cell values and the parsers that turn them into typed fields.
//!
//! Every parser takes a [`Cell`] as read from a spreadsheet or CSV and returns
//! `Ok(None)` for a missing value, `Ok(Some(v))` for a parsed value, and
//! `Err(reason)` for a value that is present but cannot be understood. The
//! reason is a short Chinese/English phrase that ends up in the rejected-rows
//! list next to the raw value.

use std::borrow::Cow;

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

/// One cell as read from an input file, before interpretation. Text borrows from the
/// reader where it can (CSV records, shared strings) so reading allocates little.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell<'a> {
    /// No value.
    Empty,
    /// Text (CSV fields are always text).
    Text(Cow<'a, str>),
    /// A number cell (integers included).
    Number(f64),
    /// A boolean cell.
    Bool(bool),
    /// A date or date-time cell; already converted with the workbook's date system.
    DateTime(NaiveDateTime),
    /// A time-of-day or duration cell, as seconds.
    Duration(f64),
    /// An error cell such as `#N/A`.
    Error(String),
}

impl Cell<'_> {
    /// The value as the user would see it in the cell, for error messages.
    pub(crate) fn raw(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.to_string(),
            Cell::Number(n) => format_number(*n),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::DateTime(dt) => dt.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Duration(s) => format!("{s}s"),
            Cell::Error(e) => e.clone(),
        }
    }

    /// True when the cell holds nothing worth reading (empty, blank text).
    pub(crate) fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => trim(s).is_empty(),
            _ => false,
        }
    }
}

/// Format a number the way a spreadsheet shows an id: integers without `.0`
/// or exponent, other numbers in the shortest exact form.
pub(crate) fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e17 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Tokens that mean "no value" (compared after trimming, case-insensitively).
pub(crate) const DEFAULT_MISSING: &[&str] = &["-", "--", "NULL", "#N/A", "N/A"];

/// Interprets cells; holds the options that change interpretation.
#[derive(Debug, Clone)]
pub(crate) struct ValueParser {
    missing: Vec<String>,
    /// The longest missing token's length (longer text is never one).
    longest_missing: usize,
    /// The first bytes of the missing tokens, either ASCII case (a text starting otherwise is
    /// never one: most cells are told apart by their first byte, not the whole list).
    missing_starts: [bool; 256],
    /// Plain numbers in date columns are serials of the 1904 system.
    pub date1904: bool,
}

impl Default for ValueParser {
    fn default() -> Self {
        Self::new(DEFAULT_MISSING.iter().map(|s| s.to_string()).collect(), false)
    }
}

impl ValueParser {
    /// A parser with the given missing-value tokens.
    pub(crate) fn new(missing: Vec<String>, date1904: bool) -> Self {
        let missing: Vec<String> = missing.into_iter().map(|s| s.trim().to_uppercase()).collect();
        let longest_missing = missing.iter().map(String::len).max().unwrap_or(0);
        let mut missing_starts = [false; 256];
        for b in missing.iter().filter_map(|m| m.bytes().next()) {
            missing_starts[usize::from(b.to_ascii_lowercase())] = true;
            missing_starts[usize::from(b.to_ascii_uppercase())] = true;
        }
        ValueParser { missing, longest_missing, missing_starts, date1904 }
    }

    /// The cell's text, trimmed, or `None` when the cell is a missing value.
    /// Numbers become exact text (ids and phone numbers).
    pub(crate) fn text<'c>(&self, cell: &'c Cell<'_>) -> Option<Cow<'c, str>> {
        match cell {
            Cell::Empty | Cell::Error(_) => None,
            Cell::Text(s) => {
                let t = trim(s);
                if t.is_empty() || self.is_missing_token(t) {
                    None
                } else {
                    Some(Cow::Borrowed(t))
                }
            }
            other => Some(Cow::Owned(other.raw())),
        }
    }

    fn is_missing_token(&self, t: &str) -> bool {
        if t.len() > self.longest_missing || !t.bytes().next().is_some_and(|b| self.missing_starts[usize::from(b)]) {
            return false;
        }
        self.missing.iter().any(|m| m.eq_ignore_ascii_case(t))
    }

    /// A date-time. Date-only values are returned at 00:00 with `date_only = true`.
    /// Years outside 1970–2200 are rejected: no export holds them, and date arithmetic on
    /// them (deadline = created + SLA) must never overflow.
    pub(crate) fn datetime(&self, cell: &Cell) -> Result<Option<(NaiveDateTime, bool)>, String> {
        match self.datetime_any(cell)? {
            Some((dt, _)) if !(1970..=2200).contains(&chrono::Datelike::year(&dt)) => {
                Err("日期超出合理范围 (year outside 1970-2200)".to_string())
            }
            other => Ok(other),
        }
    }

    fn datetime_any(&self, cell: &Cell) -> Result<Option<(NaiveDateTime, bool)>, String> {
        match cell {
            Cell::DateTime(dt) => Ok(Some((*dt, dt.time() == NaiveTime::MIN))),
            Cell::Number(n) => {
                let n = *n;
                if n.fract() == 0.0 && n >= 1e7 {
                    // Compact digits typed as a number: 20090701 or 20090701080500.
                    parse_compact(&format_number(n))
                        .map(Some)
                        .ok_or_else(|| "不是日期时间 (not a date-time)".to_string())
                } else {
                    serial_to_datetime(n, self.date1904)
                        .map(|dt| Some((dt, n.fract() == 0.0)))
                        .ok_or_else(|| "Excel日期序号超出范围 (date serial out of range)".to_string())
                }
            }
            Cell::Bool(_) | Cell::Duration(_) => Err("不是日期时间 (not a date-time)".into()),
            _ => match self.text(cell) {
                None => Ok(None),
                Some(t) => parse_datetime_text(&t)
                    .map(Some)
                    .ok_or_else(|| "无法识别的日期时间 (unrecognised date-time)".to_string()),
            },
        }
    }

    /// A yes/no value.
    pub(crate) fn boolean(&self, cell: &Cell) -> Result<Option<bool>, String> {
        match cell {
            Cell::Bool(b) => Ok(Some(*b)),
            Cell::Number(n) if *n == 1.0 => Ok(Some(true)),
            Cell::Number(n) if *n == 0.0 => Ok(Some(false)),
            Cell::Number(_) => Err("不是是/否值 (not a yes/no value)".into()),
            _ => match self.text(cell) {
                None => Ok(None),
                Some(t) => parse_bool_text(&t).map(Some).ok_or_else(|| "不是是/否值 (not a yes/no value)".to_string()),
            },
        }
    }

    /// A duration in seconds.
    pub(crate) fn seconds(&self, cell: &Cell) -> Result<Option<f64>, String> {
        let bad = || "不是时长 (not a duration)".to_string();
        match cell {
            Cell::Number(n) if *n >= 0.0 && n.is_finite() => Ok(Some(*n)),
            Cell::Number(_) => Err("时长为负数 (negative duration)".into()),
            Cell::Duration(s) if *s >= 0.0 => Ok(Some(*s)),
            Cell::DateTime(_) | Cell::Bool(_) => Err(bad()),
            _ => match self.text(cell) {
                None => Ok(None),
                Some(t) => parse_duration_text(&t).map(Some).ok_or_else(bad),
            },
        }
    }
}

/// `s` without leading and trailing white space, as [`str::trim`]; text that starts and ends
/// with a printable ASCII character or a CJK ideograph (most cells) is returned without
/// decoding a character.
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let ideograph = |lead: u8| (0xE4..=0xE9).contains(&lead);
    let plain_start = b.first().is_some_and(|f| f.is_ascii_graphic() || ideograph(*f));
    let plain_end = b.last().is_some_and(u8::is_ascii_graphic) || (b.len() >= 3 && ideograph(b[b.len() - 3]));
    if plain_start && plain_end {
        s
    } else {
        s.trim()
    }
}

/// Convert an Excel serial number to a date-time. 1900 system: day 1 is
/// 1900-01-01 (with Excel's phantom 1900-02-29, so serials from 61 on count
/// from 1899-12-30); 1904 system: day 0 is 1904-01-01.
pub(crate) fn serial_to_datetime(serial: f64, date1904: bool) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let epoch = if date1904 {
        NaiveDate::from_ymd_opt(1904, 1, 1)?
    } else if serial < 61.0 {
        NaiveDate::from_ymd_opt(1899, 12, 31)?
    } else {
        NaiveDate::from_ymd_opt(1899, 12, 30)?
    };
    let ms = (serial * 86_400_000.0).round() as i64;
    let dt = NaiveDateTime::new(epoch, NaiveTime::MIN) + Duration::milliseconds(ms);
    // Round to whole seconds: serials carry float noise below a millisecond.
    let secs = (dt.and_utc().timestamp_millis() as f64 / 1000.0).round() as i64;
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
}

fn parse_compact(digits: &str) -> Option<(NaiveDateTime, bool)> {
    let num = |a: usize, b: usize| digits.get(a..b)?.parse::<u32>().ok();
    let date = NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(4, 6)?, num(6, 8)?)?;
    match digits.len() {
        8 => Some((date.and_time(NaiveTime::MIN), true)),
        12 => Some((date.and_hms_opt(num(8, 10)?, num(10, 12)?, 0)?, false)),
        14 => Some((date.and_hms_opt(num(8, 10)?, num(10, 12)?, num(12, 14)?)?, false)),
        _ => None,
    }
}

/// Parse a date-time written as text. Returns the value and whether it was date-only.
///
/// Accepted: `2009-07-01 08:05:00`, `2009-07-01 08:05`, `2009/7/1 8:05`, `2009.07.01`,
/// `2009年7月1日 8时5分`, `2009年7月1日 08:05`, `20090701080500`, ISO `2009-07-01T08:05:00`,
/// fractional seconds, and the date-only variants of each.
pub(crate) fn parse_datetime_text(s: &str) -> Option<(NaiveDateTime, bool)> {
    let s = trim(s);
    match parse_fixed_width(s.as_bytes()) {
        Some(dt) => Some((dt, false)),
        None => parse_datetime_general(s),
    }
}

/// Every accepted form of [`parse_datetime_text`] (trimmed input).
fn parse_datetime_general(s: &str) -> Option<(NaiveDateTime, bool)> {
    // Chinese forms written with spaces around the units (`2009 年 7 月 3 日 15 时 27 分`):
    // read without the spaces (between the date and a `08:05` time none is needed).
    if s.contains('年') && s.contains([' ', '\u{3000}']) {
        let joined: String = s.chars().filter(|c| !matches!(c, ' ' | '\u{3000}')).collect();
        return parse_datetime_general(&joined);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return parse_compact(s);
    }
    // Year: exactly four digits.
    let year_end = s.find(|c: char| !c.is_ascii_digit())?;
    if year_end != 4 {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    let rest = &s[4..];
    let sep = rest.chars().next()?;
    let rest = &rest[sep.len_utf8()..];
    let (month, rest) = take_digits(rest, 1, 2)?;
    let (day, rest) = match sep {
        '-' | '/' | '.' => {
            let rest = rest.strip_prefix(sep)?;
            take_digits(rest, 1, 2)?
        }
        '年' => {
            let rest = rest.strip_prefix('月')?;
            let (d, rest) = take_digits(rest, 1, 2)?;
            (d, rest.strip_prefix('日').or(rest.strip_prefix('号')).unwrap_or(rest))
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let rest = rest.trim_start_matches([' ', 'T', '\u{3000}']);
    if rest.is_empty() {
        return Some((date.and_time(NaiveTime::MIN), true));
    }
    if rest.len() == s.len() - s.trim_end().len() {
        return None;
    }
    let time = parse_time_text(rest)?;
    Some((date.and_time(time), false))
}

/// The form almost every export writes, `2009-07-01 08:05:00` (or `/`, or without seconds),
/// read straight from its bytes; `None` sends anything else (and anything invalid) to the
/// general parser, which gives the same value for these forms.
fn parse_fixed_width(b: &[u8]) -> Option<NaiveDateTime> {
    if !(b.len() == 19 || b.len() == 16) || !(b[4] == b'-' || b[4] == b'/') || b[7] != b[4] {
        return None;
    }
    if !(b[10] == b' ' || b[10] == b'T') || b[13] != b':' || (b.len() == 19 && b[16] != b':') {
        return None;
    }
    let two = |i: usize| -> Option<u32> {
        let (h, l) = (b[i].wrapping_sub(b'0'), b[i + 1].wrapping_sub(b'0'));
        (h < 10 && l < 10).then_some(h as u32 * 10 + l as u32)
    };
    let year = two(0)? * 100 + two(2)?;
    let secs = if b.len() == 19 { two(17)? } else { 0 };
    NaiveDate::from_ymd_opt(year as i32, two(5)?, two(8)?)?.and_hms_opt(two(11)?, two(14)?, secs)
}

fn parse_time_text(s: &str) -> Option<NaiveTime> {
    let (h, rest) = take_digits(s, 1, 2)?;
    let chinese = rest.starts_with('时') || rest.starts_with('点');
    let (m, sec, rest) = if chinese {
        let rest = &rest[3..];
        if rest.is_empty() {
            (0, 0.0, rest)
        } else {
            let (m, rest) = take_digits(rest, 1, 2)?;
            let rest = rest.strip_prefix('分')?;
            if rest.is_empty() {
                (m, 0.0, rest)
            } else {
                let (sec, rest) = take_digits(rest, 1, 2)?;
                (m, sec as f64, rest.strip_prefix('秒')?)
            }
        }
    } else {
        let rest = rest.strip_prefix(':')?;
        let (m, rest) = take_digits(rest, 2, 2)?;
        match rest.strip_prefix(':') {
            None => (m, 0.0, rest),
            Some(r) => {
                let (sec, r) = take_digits(r, 2, 2)?;
                // Fractional seconds as written by database exports: .000 / .5
                match r.strip_prefix('.') {
                    Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|b| b.is_ascii_digit()) => {
                        (m, sec as f64 + format!("0.{f}").parse::<f64>().ok()?, "")
                    }
                    Some(_) => return None,
                    None => (m, sec as f64, r),
                }
            }
        }
    };
    if !rest.is_empty() {
        return None;
    }
    let whole = sec.floor() as u32;
    let t = NaiveTime::from_hms_opt(h, m, whole)?;
    // Round fractional seconds to the nearest second.
    Some(if sec - whole as f64 >= 0.5 { t + Duration::seconds(1) } else { t })
}

/// Take between `min` and `max` ASCII digits from the front of `s`.
fn take_digits(s: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let n = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    if n < min || n > max {
        return None;
    }
    Some((s[..n].parse().ok()?, &s[n..]))
}

/// Parse a yes/no word.
pub(crate) fn parse_bool_text(s: &str) -> Option<bool> {
    let t = trim(s);
    // The usual answers first, without the lists.
    match t {
        "是" | "1" => return Some(true),
        "否" | "0" => return Some(false),
        _ => {}
    }
    const YES: &[&str] = &[
        "是",
        "y",
        "yes",
        "true",
        "t",
        "1",
        "√",
        "✓",
        "✔",
        "接通",
        "已接通",
        "成功",
        "回访成功",
        "满意",
        "有",
        "有理由",
        "有责",
        "及时",
    ];
    const NO: &[&str] = &[
        "否",
        "n",
        "no",
        "false",
        "f",
        "0",
        "×",
        "✗",
        "✘",
        "x",
        "未接通",
        "失败",
        "回访失败",
        "不满意",
        "无",
        "无理由",
        "无责",
        "不及时",
    ];
    if YES.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(true)
    } else if NO.iter().any(|w| w.eq_ignore_ascii_case(t)) {
        Some(false)
    } else {
        None
    }
}

/// Parse a duration in seconds: `125`, `125.5`, `125秒`, `02:05`, `1:02:05`, and with Chinese
/// units `1分23秒`, `83秒`, `1时2分3秒`, `1小时2分`, `5分钟`.
pub(crate) fn parse_duration_text(s: &str) -> Option<f64> {
    let t = trim(s);
    if !t.is_empty() && t.len() <= 9 && t.bytes().all(|b| b.is_ascii_digit()) {
        // Whole seconds (most exports): exact, without the float parser.
        return t.parse::<u32>().ok().map(f64::from);
    }
    if t.contains(['时', '分']) {
        return parse_unit_duration(t);
    }
    let t = t.strip_suffix('秒').or_else(|| t.strip_suffix('s')).unwrap_or(t).trim();
    if t.contains(':') {
        let parts: Vec<&str> = t.split(':').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
            return None;
        }
        let nums: Vec<f64> = parts.iter().map(|p| p.parse::<f64>().unwrap_or(0.0)).collect();
        // Minutes and seconds after the first field must be below 60.
        if nums[1..].iter().any(|n| *n >= 60.0) {
            return None;
        }
        return Some(nums.iter().fold(0.0, |acc, n| acc * 60.0 + n));
    }
    let v: f64 = t.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v)
}

/// `1时2分3秒`, `1小时2分`, `1分23秒`, `5分钟`: hours, minutes and seconds, each at most once
/// and in that order; a minute or second after a larger unit below 60; the last number may
/// have decimals.
fn parse_unit_duration(t: &str) -> Option<f64> {
    const UNITS: [(&[&str], f64); 3] = [(&["小时", "时"], 3600.0), (&["分钟", "分"], 60.0), (&["秒"], 1.0)];
    let mut rest = t.trim();
    let (mut total, mut next_unit, mut parts) = (0.0, 0usize, 0);
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..n].parse().ok()?;
        let after = rest[n..].trim_start();
        let (k, len) = UNITS
            .iter()
            .enumerate()
            .skip(next_unit)
            .find_map(|(k, (names, _))| names.iter().find(|u| after.starts_with(**u)).map(|u| (k, u.len())))?;
        if parts > 0 && number >= 60.0 {
            return None;
        }
        total += number * UNITS[k].1;
        next_unit = k + 1;
        parts += 1;
        rest = after[len..].trim_start();
        if rest.is_empty() {
            break;
        }
        // Decimals only in the last number.
        if number.fract() != 0.0 {
            return None;
        }
    }
    (parts > 0 && total.is_finite()).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn datetime_text_forms() {
        let cases: &[(&str, &str, bool)] = &[
            ("2009-07-01 08:05:00", "2009-07-01 08:05:00", false),
            ("2009-07-01 08:05", "2009-07-01 08:05:00", false),
            ("2009/7/1 8:05", "2009-07-01 08:05:00", false),
            ("2009/07/01 18:05:09", "2009-07-01 18:05:09", false),
            ("2009.07.01", "2009-07-01 00:00:00", true),
            ("2009.7.1 08:05", "2009-07-01 08:05:00", false),
            ("2009年7月1日 8时5分", "2009-07-01 08:05:00", false),
            ("2009年7月1日 8时5分7秒", "2009-07-01 08:05:07", false),
            ("2009年7月1日8时", "2009-07-01 08:00:00", false),
            ("2009年7月1日 08:05", "2009-07-01 08:05:00", false),
            ("2009年07月01日", "2009-07-01 00:00:00", true),
            ("2009年7月1号 08:05", "2009-07-01 08:05:00", false),
            ("20090701080500", "2009-07-01 08:05:00", false),
            ("200907010805", "2009-07-01 08:05:00", false),
            ("20090701", "2009-07-01 00:00:00", true),
            ("2009-07-01", "2009-07-01 00:00:00", true),
            ("2009/7/1", "2009-07-01 00:00:00", true),
            ("2009-07-01T08:05:00", "2009-07-01 08:05:00", false),
            ("2009-07-01 08:05:00.000", "2009-07-01 08:05:00", false),
            ("2009-07-01 08:05:00.6", "2009-07-01 08:05:01", false),
            ("  2009-07-01 08:05  ", "2009-07-01 08:05:00", false),
            ("2008-02-29 23:59:59", "2008-02-29 23:59:59", false),
            ("2009 年 7 月 3 日 15 时 27 分", "2009-07-03 15:27:00", false),
            ("2009 年 7 月 3 日", "2009-07-03 00:00:00", true),
            ("2009年 7月 3日 08:05", "2009-07-03 08:05:00", false),
        ];
        for (input, want, date_only) in cases {
            assert_eq!(parse_datetime_text(input), Some((dt(want), *date_only)), "input {input:?}");
        }
    }

    #[test]
    fn datetime_text_near_misses_are_rejected() {
        for bad in [
            "2009-13-01",
            "2009-02-30",
            "2009-02-29",
            "2009-07-32 08:00",
            "2009-07-01 24:00",
            "2009-07-01 08:60",
            "2009-07-01 08:5",
            "2009-07-01 08",
            "07/01/2009",
            "01.07.2009",
            "09-07-01",
            "2009-07",
            "2009-07/01",
            "2009-07-01 08:05:00 extra",
            "2009-07-01 08:05:00.",
            "200907011",
            "2009070108050",
            "20091301",
            "2009年13月1日",
            "2009年7月1日 8时65分",
            "abc",
            "",
            "2009--07-01",
        ] {
            assert_eq!(parse_datetime_text(bad), None, "input {bad:?} should be rejected");
        }
    }

    #[test]
    fn datetime_cells_serials_and_missing() {
        let p = ValueParser::default();
        // 39995 = 2009-07-01 in the 1900 system; .25 = 06:00.
        assert_eq!(p.datetime(&Cell::Number(39995.25)), Ok(Some((dt("2009-07-01 06:00:00"), false))));
        assert_eq!(p.datetime(&Cell::Number(39995.0)), Ok(Some((dt("2009-07-01 00:00:00"), true))));
        // 1904 system: the same day is 1462 days earlier.
        let p1904 = ValueParser::new(vec![], true);
        assert_eq!(p1904.datetime(&Cell::Number(38533.0)), Ok(Some((dt("2009-07-01 00:00:00"), true))));
        // Early 1900 serials (before Excel's phantom 29 Feb) convert, but no export holds them.
        assert_eq!(serial_to_datetime(1.0, false), Some(dt("1900-01-01 00:00:00")));
        assert_eq!(serial_to_datetime(61.0, false), Some(dt("1900-03-01 00:00:00")));
        assert!(p.datetime(&Cell::Number(61.0)).is_err());
        assert!(p.datetime(&Cell::Text("9999-12-31 23:00".into())).is_err(), "no overflow later");
        assert!(p.datetime(&Cell::Text("1969-12-31".into())).is_err());
        assert!(p.datetime(&Cell::Text("2200-12-31".into())).is_ok());
        // Float noise rounds to the second: 08:05:00 is 0.336805555...
        assert_eq!(
            p.datetime(&Cell::Number(39995.0 + 8.0 / 24.0 + 5.0 / 1440.0 - 1e-9)),
            Ok(Some((dt("2009-07-01 08:05:00"), false)))
        );
        // Compact digits typed as numbers.
        assert_eq!(p.datetime(&Cell::Number(20090701080500.0)), Ok(Some((dt("2009-07-01 08:05:00"), false))));
        assert_eq!(p.datetime(&Cell::Number(20090701.0)), Ok(Some((dt("2009-07-01 00:00:00"), true))));
        assert!(p.datetime(&Cell::Number(20091341.0)).is_err());
        assert!(p.datetime(&Cell::Number(-3.0)).is_err());
        assert!(p.datetime(&Cell::Number(0.0)).is_err());
        assert!(p.datetime(&Cell::Bool(true)).is_err());
        let cell = Cell::DateTime(dt("2009-07-01 08:05:00"));
        assert_eq!(p.datetime(&cell), Ok(Some((dt("2009-07-01 08:05:00"), false))));
        for missing in [
            Cell::Empty,
            Cell::Text("  ".into()),
            Cell::Text("NULL".into()),
            Cell::Text("null".into()),
            Cell::Text("-".into()),
            Cell::Text("#N/A".into()),
            Cell::Error("#N/A".into()),
        ] {
            assert_eq!(p.datetime(&missing), Ok(None), "{missing:?}");
        }
        assert!(p.datetime(&Cell::Text("2009-07-01 8点".into())).is_ok());
        assert!(p.datetime(&Cell::Text("明天".into())).is_err());
    }

    #[test]
    fn missing_tokens_in_either_ascii_case() {
        let p = ValueParser::new(vec!["无数据".into(), "n/a".into(), " #空 ".into()], false);
        for missing in ["无数据", "N/A", "n/a", "N/a", " n/A ", "#空"] {
            assert_eq!(p.text(&Cell::Text(missing.into())), None, "{missing}");
        }
        for kept in ["无", "n/ab", "na", "数据", "#", "-"] {
            assert_eq!(p.text(&Cell::Text(kept.into())).as_deref(), Some(kept), "{kept}");
        }
    }

    #[test]
    fn booleans() {
        let p = ValueParser::default();
        for yes in ["是", "Y", "y", "yes", "YES", "true", "TRUE", "1", "√", "接通", "成功", "满意", " 是 "] {
            assert_eq!(p.boolean(&Cell::Text(yes.into())), Ok(Some(true)), "{yes}");
        }
        for no in ["否", "N", "no", "False", "0", "×", "未接通", "失败", "不满意"] {
            assert_eq!(p.boolean(&Cell::Text(no.into())), Ok(Some(false)), "{no}");
        }
        assert_eq!(p.boolean(&Cell::Number(1.0)), Ok(Some(true)));
        assert_eq!(p.boolean(&Cell::Number(0.0)), Ok(Some(false)));
        assert_eq!(p.boolean(&Cell::Bool(false)), Ok(Some(false)));
        assert_eq!(p.boolean(&Cell::Empty), Ok(None));
        assert_eq!(p.boolean(&Cell::Text("NULL".into())), Ok(None));
        for bad in ["是的吧", "2", "yess", "ok"] {
            assert!(p.boolean(&Cell::Text(bad.into())).is_err(), "{bad}");
        }
        assert!(p.boolean(&Cell::Number(2.0)).is_err());
    }

    #[test]
    fn durations() {
        let p = ValueParser::default();
        let ok: &[(Cell, f64)] = &[
            (Cell::Number(125.0), 125.0),
            (Cell::Text("125".into()), 125.0),
            (Cell::Text("12.5".into()), 12.5),
            (Cell::Text("125秒".into()), 125.0),
            (Cell::Text("02:05".into()), 125.0),
            (Cell::Text("2:05".into()), 125.0),
            (Cell::Text("01:02:05".into()), 3725.0),
            (Cell::Text("0".into()), 0.0),
            (Cell::Duration(65.0), 65.0),
            (Cell::Text("1分23秒".into()), 83.0),
            (Cell::Text("83秒".into()), 83.0),
            (Cell::Text("1时2分3秒".into()), 3723.0),
            (Cell::Text("1小时2分".into()), 3720.0),
            (Cell::Text("5分钟".into()), 300.0),
            (Cell::Text("2 分 05 秒".into()), 125.0),
            (Cell::Text("1时".into()), 3600.0),
        ];
        for (cell, want) in ok {
            assert_eq!(p.seconds(cell), Ok(Some(*want)), "{cell:?}");
        }
        for bad in ["-5", "1:60", "1:2:3:4", "abc", "1::2", "1分60秒", "2秒1分", "1分1分", "分", "1.5分3秒", "1时x"]
        {
            assert!(p.seconds(&Cell::Text(bad.into())).is_err(), "{bad}");
        }
        assert!(p.seconds(&Cell::Number(-1.0)).is_err());
        assert_eq!(p.seconds(&Cell::Text("NULL".into())), Ok(None));
    }

    proptest::proptest! {
        #[test]
        fn whole_seconds_read_as_the_float_parser_reads_them(n in 0u32..1_000_000_000, zeros in 0usize..3) {
            let text = format!("{}{n}", "0".repeat(zeros));
            proptest::prop_assert_eq!(parse_duration_text(&text), text.parse::<f64>().ok());
        }

        #[test]
        fn trim_is_str_trim(s in "[ a\u{3000}\u{a0}北\t\u{2003}é\u{1F600}]{0,8}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn fixed_width_dates_read_as_the_general_parser_reads_them(
            y in 1960u32..2300, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, se in 0u32..62,
            sep in proptest::sample::select(vec!['-', '/']), t in proptest::sample::select(vec![' ', 'T']),
            seconds in proptest::bool::ANY,
        ) {
            let text = if seconds {
                format!("{y:04}{sep}{mo:02}{sep}{d:02}{t}{h:02}:{mi:02}:{se:02}")
            } else {
                format!("{y:04}{sep}{mo:02}{sep}{d:02}{t}{h:02}:{mi:02}")
            };
            let general = parse_datetime_general(&text);
            proptest::prop_assert_eq!(parse_fixed_width(text.as_bytes()).map(|v| (v, false)), general, "{}", text);
        }

        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}", n in proptest::num::f64::ANY) {
            let _ = parse_datetime_text(&s);
            let _ = parse_duration_text(&s);
            let _ = parse_bool_text(&s);
            let _ = crate::ingest::header::normalize(&s);
            let p = ValueParser::default();
            let _ = p.datetime(&Cell::Text(s.as_str().into()));
            let _ = p.datetime(&Cell::Number(n));
            let _ = p.seconds(&Cell::Number(n));
            let _ = p.text(&Cell::Number(n));
        }

        #[test]
        fn datetimes_round_trip_through_every_text_form(secs in 0i64..(200 * 365 * 86_400)) {
            let t = dt("1975-01-01 00:00:00") + Duration::seconds(secs);
            for form in ["%Y-%m-%d %H:%M:%S", "%Y/%-m/%-d %-H:%M:%S", "%Y%m%d%H%M%S", "%Y年%-m月%-d日 %-H时%-M分%-S秒"] {
                let text = t.format(form).to_string();
                proptest::prop_assert_eq!(parse_datetime_text(&text), Some((t, false)), "{}", text);
            }
        }
    }

    #[test]
    fn ids_stay_exact_text() {
        let p = ValueParser::default();
        assert_eq!(p.text(&Cell::Number(13350690999.0)).as_deref(), Some("13350690999"));
        assert_eq!(p.text(&Cell::Number(2009070100012345.0)).as_deref(), Some("2009070100012345"));
        assert_eq!(p.text(&Cell::Number(12.5)).as_deref(), Some("12.5"));
        assert_eq!(p.text(&Cell::Text(" 0283123456 ".into())).as_deref(), Some("0283123456"));
        assert_eq!(p.text(&Cell::Text("1.335069E+10".into())).as_deref(), Some("1.335069E+10"));
        assert_eq!(p.text(&Cell::Text("#N/A".into())), None);
        assert_eq!(p.text(&Cell::Error("#REF!".into())), None);
    }
}

//! Onboarding: what a column's content looks like (a profile of its first rows) and, for a
//! field no header matched, the column to propose with its evidence. `svcq check` prints
//! these; `svcq init-config --input` turns them into `[aliases.<kind>]` lines; `svcq report`
//! names them when a sheet that looks like an export cannot be read.

use super::header::{normalize, Kind};
use super::value::{parse_bool_text, parse_datetime_text, parse_duration_text, Cell, ValueParser};
use crate::model::Proposal;
use crate::period::Period;

/// Rows of a sheet kept to profile its columns.
pub(crate) const PROFILE_ROWS: usize = 200;

/// A sheet's fields without a column, with what is needed to propose one when every input has
/// been read.
pub(crate) struct Pending {
    /// The sheet's index in the ledger.
    pub sheet: u32,
    pub kind: Kind,
    pub missing: Vec<&'static str>,
    pub names: Vec<String>,
    /// Columns already read for a field.
    pub taken: Vec<usize>,
    /// The first rows below the header.
    pub rows: Vec<Vec<Cell<'static>>>,
    pub parser: ValueParser,
    /// A sheet that reads: only a column that fits well (content and header) is proposed.
    pub strict: bool,
}

impl Pending {
    /// The proposals, worded in `lang`.
    pub(crate) fn propose(&self, branches: &[String], period: Period, lang: crate::config::Lang) -> Vec<Proposal> {
        propose_with(
            self.kind,
            &self.missing,
            &self.names,
            &self.taken,
            &self.rows,
            &self.parser,
            branches,
            period,
            lang,
            self.strict,
        )
    }
}

/// What a field's values look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    DateTime,
    Duration,
    Boolean,
    Phone,
    Id,
    Branch,
    Satisfaction,
    OrderType,
    Text,
}

fn shape_of(kind: Kind, field: &str) -> Shape {
    match field {
        "start_time" | "created_at" | "deadline" | "completed_at" | "surveyed_at" => Shape::DateTime,
        "wait_seconds" | "talk_seconds" => Shape::Duration,
        "answered" | "resolved" | "contacted" | "preprocessed" | "justified" | "first_close" | "reply_ok"
        | "human_error" | "timely" => Shape::Boolean,
        "caller" | "customer_id" => Shape::Phone,
        "call_id" | "survey_id" => Shape::Id,
        "order_id" if kind == Kind::WorkOrders || kind == Kind::Surveys => Shape::Id,
        "branch" => Shape::Branch,
        "satisfaction" | "attitude" => Shape::Satisfaction,
        "order_type" => Shape::OrderType,
        _ => Shape::Text,
    }
}

/// A column's first rows: how many values there are and the share of each reading.
#[derive(Debug, Clone, Default)]
pub(crate) struct Profile {
    values: usize,
    datetime: usize,
    duration: usize,
    boolean: usize,
    phone: usize,
    id: usize,
    branch: usize,
    satisfaction: usize,
    order_type: usize,
    distinct: usize,
    first: Option<chrono::NaiveDateTime>,
    last: Option<chrono::NaiveDateTime>,
}

const SATISFACTION_WORDS: &[&str] =
    &["满意", "不满意", "非常满意", "一般", "很满意", "比较满意", "基本满意", "很不满意"];
const TYPE_WORDS: &[&str] = &["故障", "障碍", "申告", "报障", "修障", "装机", "新装", "装移机", "移机", "开通", "投诉"];

impl Profile {
    /// Profile column `col` of `rows`; `branches` are the branch names known from the config
    /// and the other inputs.
    pub(crate) fn of(rows: &[Vec<Cell<'static>>], col: usize, p: &ValueParser, branches: &[String]) -> Profile {
        let mut pr = Profile::default();
        let mut seen = std::collections::HashSet::new();
        for row in rows {
            let Some(cell) = row.get(col) else { continue };
            let Some(text) = p.text(cell) else { continue };
            let text = text.trim().to_string();
            pr.values += 1;
            let dt = match cell {
                Cell::DateTime(d) => Some(*d),
                Cell::Number(n) if *n > 20_000.0 && *n < 80_000.0 => super::value::serial_to_datetime(*n, false),
                _ => parse_datetime_text(&text).map(|d| d.0),
            };
            if let Some(d) = dt {
                pr.datetime += 1;
                pr.first = Some(pr.first.map_or(d, |f| f.min(d)));
                pr.last = Some(pr.last.map_or(d, |l| l.max(d)));
            }
            let number = matches!(cell, Cell::Number(_) | Cell::Duration(_));
            if dt.is_none() && (number || parse_duration_text(&text).is_some()) {
                pr.duration += 1;
            }
            if matches!(cell, Cell::Bool(_)) || parse_bool_text(&text).is_some() {
                pr.boolean += 1;
            }
            let digits = text.chars().filter(|c| c.is_ascii_digit()).count();
            if (7..=13).contains(&digits) && text.chars().all(|c| c.is_ascii_digit() || c == '-') {
                pr.phone += 1;
            }
            if !text.is_empty() && text.len() <= 40 && !text.contains(' ') && text.chars().any(|c| c.is_ascii_digit()) {
                pr.id += 1;
            }
            if branches.contains(&text) {
                pr.branch += 1;
            }
            if SATISFACTION_WORDS.contains(&text.as_str()) {
                pr.satisfaction += 1;
            }
            if TYPE_WORDS.iter().any(|w| text.contains(w)) {
                pr.order_type += 1;
            }
            seen.insert(text);
        }
        pr.distinct = seen.len();
        pr
    }

    fn share(&self, n: usize) -> f64 {
        if self.values == 0 {
            0.0
        } else {
            n as f64 / self.values as f64
        }
    }

    /// How well the column's content fits a field of this shape (0–1), and the words saying
    /// why (Chinese when `zh`).
    fn fit(&self, shape: Shape, period: Period, zh: bool) -> (f64, String) {
        let pct = |n: usize| format!("{:.0}%", self.share(n) * 100.0);
        let say = |n: usize, zh_words: &str, en_words: &str| {
            if zh {
                format!("{}为{zh_words}", pct(n))
            } else {
                format!("{} {en_words}", pct(n))
            }
        };
        match shape {
            Shape::DateTime => {
                let range = match (self.first, self.last) {
                    (Some(f), Some(l)) => {
                        let within = f.date() <= period.last_day() && l.date() >= period.first_day();
                        let (f, l) = (f.format("%Y-%m-%d"), l.format("%Y-%m-%d"));
                        match (zh, within) {
                            (true, true) => format!("，{f}至{l}（含本期）"),
                            (true, false) => format!("，{f}至{l}（不在本期）"),
                            (false, true) => format!(", {f} to {l} (the period is inside)"),
                            (false, false) => format!(", {f} to {l} (outside the period)"),
                        }
                    }
                    _ => String::new(),
                };
                (self.share(self.datetime), format!("{}{range}", say(self.datetime, "日期时间", "date-times")))
            }
            Shape::Duration => (self.share(self.duration), say(self.duration, "时长或秒数", "durations or seconds")),
            Shape::Boolean => (self.share(self.boolean), say(self.boolean, "是/否", "yes/no values")),
            Shape::Phone => (self.share(self.phone), say(self.phone, "电话号码", "phone numbers")),
            Shape::Id => {
                let unique = self.share(self.distinct);
                let distinct = if zh {
                    format!("，{:.0}%不重复", unique * 100.0)
                } else {
                    format!(", {:.0}% distinct", unique * 100.0)
                };
                (self.share(self.id) * unique, format!("{}{distinct}", say(self.id, "编号", "ids")))
            }
            Shape::Branch => (self.share(self.branch), say(self.branch, "已知分公司名", "known branch names")),
            Shape::Satisfaction => {
                (self.share(self.satisfaction), say(self.satisfaction, "满意度用语", "satisfaction words"))
            }
            Shape::OrderType => (self.share(self.order_type), say(self.order_type, "工单类型用语", "order-type words")),
            Shape::Text => (0.0, String::new()),
        }
    }
}

/// Characters a header shares with the field's aliases (the best alias), as a share of the
/// alias (0–1), and those characters.
fn likeness(kind: Kind, field: &str, header: &str, extra: &[String]) -> (f64, String) {
    let h = normalize(header);
    let aliases = kind.fields().iter().find(|(f, _)| *f == field).map(|(_, a)| *a).unwrap_or(&[]);
    let mut best = (0.0, String::new());
    for a in aliases.iter().map(|a| a.to_string()).chain(extra.iter().cloned()) {
        let a = normalize(&a);
        let shared: String = a.chars().filter(|c| h.contains(*c)).collect();
        let share = shared.chars().count() as f64 / a.chars().count().max(1) as f64;
        if share > best.0 {
            best = (share, shared);
        }
    }
    best
}

/// For each field in `missing`, the unmatched column whose content and header fit it best
/// (content counts most: a header can say anything), if any fits well enough.
/// `strict`: for a sheet that reads, the content must fit (90 %) and the header look like an
/// alias (half its characters).
#[allow(clippy::too_many_arguments)]
fn propose_with(
    kind: Kind,
    missing: &[&'static str],
    names: &[String],
    taken: &[usize],
    rows: &[Vec<Cell<'static>>],
    p: &ValueParser,
    branches: &[String],
    period: Period,
    lang: crate::config::Lang,
    strict: bool,
) -> Vec<Proposal> {
    let zh = lang == crate::config::Lang::Zh;
    let mut used: Vec<usize> = taken.to_vec();
    let mut out = Vec::new();
    for &wanted in missing {
        // `answered|talk_seconds`: either will do; the better fit is proposed.
        let mut best: Option<(f64, usize, String, &'static str)> = None;
        for field in kind.fields().iter().map(|(f, _)| *f).filter(|f| wanted.split('|').any(|w| w == *f)) {
            let shape = shape_of(kind, field);
            for (col, name) in names.iter().enumerate() {
                if used.contains(&col) || name.trim().is_empty() {
                    continue;
                }
                let pr = Profile::of(rows, col, p, branches);
                let (fit, words) = pr.fit(shape, period, zh);
                let (like, shared) = likeness(kind, field, name, &[]);
                // Content decides; a header sharing characters with an alias breaks ties and
                // can carry a text field on its own.
                let score = if shape == Shape::Text { like * 0.8 } else { fit * 0.75 + like * 0.25 };
                let enough = match (shape, strict) {
                    (Shape::Text, false) => like >= 0.5,
                    (Shape::Text, true) => like >= 0.75,
                    (_, false) => fit >= 0.6 && pr.values > 0,
                    (_, true) => fit >= 0.9 && like >= 0.5 && pr.values > 0,
                };
                if !enough || best.as_ref().is_some_and(|b| b.0 >= score) {
                    continue;
                }
                let mut evidence = words;
                if !shared.is_empty() {
                    if !evidence.is_empty() {
                        evidence.push_str(if zh { "；" } else { "; " });
                    }
                    evidence.push_str(&if zh {
                        format!("表头与别名共有「{shared}」")
                    } else {
                        format!("header shares 「{shared}」")
                    });
                }
                best = Some((score, col, evidence, field));
            }
        }
        if let Some((_, col, evidence, field)) = best {
            used.push(col);
            out.push(Proposal {
                field,
                column: format!("{}「{}」", super::header::column_letter(col), names[col]),
                header: names[col].clone(),
                evidence,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(v: &[&'static str]) -> Vec<Vec<Cell<'static>>> {
        v.iter().map(|s| vec![Cell::Text((*s).into())]).collect()
    }

    #[test]
    fn profiles_tell_the_shapes_apart() {
        let p = ValueParser::default();
        let period: Period = "2026-10".parse().unwrap();
        let waits = Profile::of(&col(&["12", "1分3秒", "40", "NULL"]), 0, &p, &[]);
        assert_eq!(waits.fit(Shape::Duration, period, false).0, 1.0);
        let flags = Profile::of(&col(&["是", "否", "是"]), 0, &p, &[]);
        assert_eq!(flags.fit(Shape::Boolean, period, false).0, 1.0);
        let times = Profile::of(&col(&["2026-10-01 08:00", "2026-10-31 23:00"]), 0, &p, &[]);
        let (fit, words) = times.fit(Shape::DateTime, period, false);
        assert_eq!(fit, 1.0);
        assert!(words.contains("2026-10-01 to 2026-10-31 (the period is inside)"), "{words}");
        let branches = vec!["安岳".to_string()];
        assert_eq!(
            Profile::of(&col(&["安岳", "安岳", "x"]), 0, &p, &branches).fit(Shape::Branch, period, false).0,
            2.0 / 3.0
        );
    }

    #[test]
    fn the_column_whose_content_fits_is_proposed() {
        let p = ValueParser::default();
        let period: Period = "2026-10".parse().unwrap();
        let names: Vec<String> =
            ["呼入开始时间", "排队等待(秒)", "应答标识", "备注"].iter().map(|s| s.to_string()).collect();
        let rows: Vec<Vec<Cell<'static>>> = (0..10)
            .map(|k| {
                vec![
                    Cell::Text(format!("2026-10-0{} 08:00", 1 + k % 9).into()),
                    Cell::Text(format!("{}", 5 + k).into()),
                    Cell::Text(if k % 3 == 0 { "否" } else { "是" }.into()),
                    Cell::Text("无".into()),
                ]
            })
            .collect();
        let got = propose_with(
            Kind::Calls,
            &["wait_seconds", "answered"],
            &names,
            &[0],
            &rows,
            &p,
            &[],
            period,
            crate::config::Lang::En,
            false,
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].field, got[0].header.as_str()), ("wait_seconds", "排队等待(秒)"));
        assert!(got[0].evidence.contains("100% durations") && got[0].evidence.contains("等"), "{}", got[0].evidence);
        assert_eq!((got[1].field, got[1].header.as_str()), ("answered", "应答标识"));
    }
}

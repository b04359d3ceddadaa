//! Record: one row's cells, by the header's columns, into a typed record (a call, a work
//! order, a survey) or the reason it is rejected.

use std::borrow::Cow;

use chrono::{Duration, NaiveDateTime, NaiveTime};

use super::header::{normalize, Header};
use super::value::{Cell, ValueParser};
use crate::config::Config;
use crate::model::{Call, OrderType, Source, Survey, WorkOrder};

/// Why a row was rejected.
pub(super) struct Reject {
    /// The field (column) at fault.
    pub(super) field: &'static str,
    /// The cell's text.
    pub(super) raw: String,
    /// Why.
    pub(super) reason: String,
}

/// One row's cells with the header that names them and the sheet's value parser.
pub(super) struct RowCtx<'r> {
    pub(super) cells: &'r [Cell<'r>],
    pub(super) header: &'r Header,
    pub(super) p: &'r ValueParser,
}

const EMPTY: Cell<'static> = Cell::Empty;

impl<'r> RowCtx<'r> {
    fn cell(&self, field: &str) -> &'r Cell<'r> {
        self.header.columns.get(field).and_then(|&c| self.cells.get(c)).unwrap_or(&EMPTY)
    }

    fn reject(&self, field: &'static str, reason: impl Into<String>) -> Reject {
        Reject { field, raw: self.cell(field).raw(), reason: reason.into() }
    }

    fn missing(&self, field: &'static str) -> Reject {
        self.reject(field, "必填项为空 (required value missing)")
    }

    fn text(&self, field: &str) -> Option<Cow<'r, str>> {
        self.p.text(self.cell(field))
    }

    fn req_text(&self, field: &'static str) -> Result<Cow<'r, str>, Reject> {
        self.text(field).ok_or_else(|| self.missing(field))
    }

    fn dt(&self, field: &'static str) -> Result<Option<(NaiveDateTime, bool)>, Reject> {
        self.p.datetime(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn req_dt(&self, field: &'static str) -> Result<NaiveDateTime, Reject> {
        self.dt(field)?.map(|(d, _)| d).ok_or_else(|| self.missing(field))
    }

    fn boolean(&self, field: &'static str) -> Result<Option<bool>, Reject> {
        self.p.boolean(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn seconds(&self, field: &'static str) -> Result<Option<f64>, Reject> {
        self.p.seconds(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn branch(&self, config: &Config) -> Option<Cow<'r, str>> {
        self.text("branch").map(|b| match config.branches.aliases.get(b.as_ref()) {
            Some(a) => Cow::Owned(a.clone()),
            None => b,
        })
    }

    pub(super) fn call(&self, src: Source) -> Result<Call<'r>, Reject> {
        let start_time = self.req_dt("start_time")?;
        let wait_seconds = self.seconds("wait_seconds")?.ok_or_else(|| self.missing("wait_seconds"))?;
        let talk_seconds = self.seconds("talk_seconds")?;
        let answered = match (self.boolean("answered")?, talk_seconds) {
            (Some(a), _) => a,
            (None, Some(t)) => t > 0.0,
            (None, None) => {
                let field = if self.header.columns.contains_key("answered") { "answered" } else { "talk_seconds" };
                return Err(self.reject(field, "是否接通和通话时长都为空 (neither answered nor talk time given)"));
            }
        };
        Ok(Call {
            src,
            call_id: self.text("call_id"),
            start_time,
            branch: self.text("branch"),
            queue: self.text("queue"),
            agent_id: self.text("agent_id"),
            caller: self.text("caller"),
            answered,
            talk_seconds,
            wait_seconds,
            resolved: self.boolean("resolved")?,
        })
    }

    pub(super) fn order(
        &self,
        src: Source,
        config: &Config,
        forced_type: Option<&str>,
        types: &mut TypeCache,
    ) -> Result<WorkOrder<'r>, Reject> {
        let order_id = self.req_text("order_id")?;
        let order_type = match (self.text("order_type"), forced_type) {
            (Some(t), _) => types.map(t.as_ref(), config),
            (None, Some(t)) => types.map(t, config),
            (None, None) => return Err(self.missing("order_type")),
        };
        let branch = self.branch(config).ok_or_else(|| self.missing("branch"))?;
        let created_at = self.req_dt("created_at")?;
        let customer_id = self.text("customer_id");
        if order_type == OrderType::Fault && customer_id.is_none() {
            return Err(self.reject("customer_id", "故障工单缺少用户号码 (fault order without customer id)"));
        }
        let deadline = self.dt("deadline")?.map(|(d, date_only)| {
            if date_only {
                d.date().and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
            } else {
                d
            }
        });
        let completed_at = self.dt("completed_at")?.map(|(d, _)| d);
        if let Some(done) = completed_at {
            if done < created_at - Duration::minutes(1) {
                return Err(self.reject("completed_at", "完成时间早于受理时间 (completed before created)"));
            }
        }
        Ok(WorkOrder {
            src,
            order_id,
            order_type,
            branch,
            product: self.text("product").unwrap_or(Cow::Borrowed("未分类")),
            customer_id,
            created_at,
            deadline,
            completed_at,
            department: self.text("department"),
            channel: self.text("channel"),
            category: self.text("category"),
            phenomenon: self.text("phenomenon"),
            cause: self.text("cause"),
            preprocessed: self.boolean("preprocessed")?,
            justified: self.boolean("justified")?,
            first_close: self.boolean("first_close")?,
            content: self.text("content"),
            result: self.text("result"),
            reply_ok: self.boolean("reply_ok")?,
            human_error: self.boolean("human_error")?,
            site: self.text("site"),
        })
    }

    pub(super) fn survey(&self, src: Source, config: &Config) -> Result<Survey<'r>, Reject> {
        let surveyed_at = self.req_dt("surveyed_at")?;
        let contacted = match self.text("contacted") {
            None => return Err(self.missing("contacted")),
            Some(t) => parse_contact(&t)
                .ok_or_else(|| self.reject("contacted", "无法识别的回访结果 (unrecognised contact result)"))?,
        };
        let (satisfied, score) = self.satisfaction(config)?;
        Ok(Survey {
            src,
            survey_id: self.text("survey_id"),
            order_id: self.text("order_id"),
            branch: self.branch(config),
            surveyed_at,
            contacted,
            satisfied,
            score,
            timely: self.opinion("timely", config)?,
            attitude: self.opinion("attitude", config)?,
            reason: self.text("reason"),
        })
    }

    fn satisfaction(&self, config: &Config) -> Result<(Option<bool>, Option<f64>), Reject> {
        let cell = self.cell("satisfaction");
        if let Cell::Number(n) = cell {
            return score(*n)
                .map(|s| (None, Some(s)))
                .ok_or_else(|| self.reject("satisfaction", "满意度分数超出1-10 (score out of 1-10)"));
        }
        let Some(t) = self.text("satisfaction") else { return Ok((None, None)) };
        if let Some(v) = satisfaction_word(&t, config) {
            return Ok((Some(v), None));
        }
        if NO_ANSWER.contains(&t.as_ref()) {
            return Ok((None, None));
        }
        let digits = t.trim_end_matches('分');
        match digits.parse::<f64>().ok().and_then(score) {
            Some(s) => Ok((None, Some(s))),
            None => Err(self.reject("satisfaction", "无法识别的满意度 (unrecognised satisfaction answer)")),
        }
    }

    /// Timely / attitude: a yes/no word, or a satisfaction word.
    fn opinion(&self, field: &'static str, config: &Config) -> Result<Option<bool>, Reject> {
        let Some(t) = self.text(field) else { return Ok(None) };
        if let Some(v) = satisfaction_word(&t, config) {
            return Ok(Some(v));
        }
        if NO_ANSWER.contains(&t.as_ref()) {
            return Ok(None);
        }
        self.boolean(field)
    }
}

const NO_ANSWER: &[&str] = &["未评价", "未回答", "拒绝回答", "不清楚", "未评", "无评价"];

fn score(n: f64) -> Option<f64> {
    (1.0..=10.0).contains(&n).then_some(n)
}

fn satisfaction_word(t: &str, config: &Config) -> Option<bool> {
    if config.surveys.satisfied.iter().any(|w| w == t) {
        Some(true)
    } else if config.surveys.unsatisfied.iter().any(|w| w == t) {
        Some(false)
    } else {
        None
    }
}

/// A callback's contact result: yes/no words plus the failure reasons callback systems write.
fn parse_contact(t: &str) -> Option<bool> {
    const FAILED: &[&str] = &["无人接听", "关机", "停机", "空号", "拒访", "忙音", "占线", "未回访", "号码错误"];
    if FAILED.contains(&t) {
        return Some(false);
    }
    super::value::parse_bool_text(t)
}

/// Order types already mapped in this file: the values are few, the rows many.
#[derive(Default)]
pub(super) struct TypeCache(rustc_hash::FxHashMap<String, OrderType>);

impl TypeCache {
    fn map(&mut self, text: &str, config: &Config) -> OrderType {
        if let Some(t) = self.0.get(text) {
            return *t;
        }
        let t = map_order_type(text, config);
        self.0.insert(text.to_string(), t);
        t
    }
}

/// Map an order-type value: exact match on the configured words first, then containment
/// (complaint before fault before install, so 故障投诉 is a complaint).
pub fn map_order_type(text: &str, config: &Config) -> OrderType {
    let t = normalize(text);
    let lists = [
        (OrderType::Complaint, &config.order_types.complaint),
        (OrderType::Fault, &config.order_types.fault),
        (OrderType::Install, &config.order_types.install),
    ];
    for (ty, words) in lists {
        if words.iter().any(|w| normalize(w) == t) {
            return ty;
        }
    }
    for (ty, words) in lists {
        if words.iter().any(|w| t.contains(&normalize(w))) {
            return ty;
        }
    }
    OrderType::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_type_mapping() {
        let c = Config::default();
        assert_eq!(map_order_type("故障", &c), OrderType::Fault);
        assert_eq!(map_order_type("宽带故障", &c), OrderType::Fault);
        assert_eq!(map_order_type("装移机", &c), OrderType::Install);
        assert_eq!(map_order_type("故障投诉", &c), OrderType::Complaint);
        assert_eq!(map_order_type("咨询", &c), OrderType::Other);
    }
}

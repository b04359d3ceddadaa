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

/// A field of one kind: its name and its place in [`Kind::fields`](super::header::Kind::fields)
/// (the index into [`Header::slots`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Field {
    name: &'static str,
    slot: usize,
}

/// `NAME = "name"` pairs as [`Field`] constants, numbered in the order given (which must be
/// [`Kind::fields`](super::header::Kind::fields)' order; a test checks it).
macro_rules! field_consts {
    ($($name:ident = $text:literal),* $(,)?) => {
        field_consts!(@ 0usize; $($name = $text),*);
    };
    (@ $n:expr; $name:ident = $text:literal $(, $rest:ident = $rest_text:literal)*) => {
        pub(super) const $name: Field = Field { name: $text, slot: $n };
        field_consts!(@ $n + 1; $($rest = $rest_text),*);
    };
    (@ $n:expr;) => {};
}

/// The fields of calls (`Kind::Calls`).
mod call {
    use super::Field;
    field_consts! {
        CALL_ID = "call_id",
        START_TIME = "start_time",
        BRANCH = "branch",
        QUEUE = "queue",
        AGENT_ID = "agent_id",
        CALLER = "caller",
        ANSWERED = "answered",
        TALK_SECONDS = "talk_seconds",
        WAIT_SECONDS = "wait_seconds",
        RESOLVED = "resolved",
    }
}

/// The fields of workorders (`Kind::WorkOrders`).
mod order {
    use super::Field;
    field_consts! {
        ORDER_ID = "order_id",
        ORDER_TYPE = "order_type",
        BRANCH = "branch",
        PRODUCT = "product",
        CUSTOMER_ID = "customer_id",
        CREATED_AT = "created_at",
        DEADLINE = "deadline",
        COMPLETED_AT = "completed_at",
        DEPARTMENT = "department",
        CHANNEL = "channel",
        CATEGORY = "category",
        PHENOMENON = "phenomenon",
        CAUSE = "cause",
        PREPROCESSED = "preprocessed",
        JUSTIFIED = "justified",
        FIRST_CLOSE = "first_close",
        CONTENT = "content",
        RESULT = "result",
        REPLY_OK = "reply_ok",
        HUMAN_ERROR = "human_error",
        SITE = "site",
    }
}

/// The fields of surveys (`Kind::Surveys`).
mod survey {
    use super::Field;
    field_consts! {
        SURVEY_ID = "survey_id",
        ORDER_ID = "order_id",
        BRANCH = "branch",
        SURVEYED_AT = "surveyed_at",
        CONTACTED = "contacted",
        SATISFACTION = "satisfaction",
        TIMELY = "timely",
        ATTITUDE = "attitude",
        REASON = "reason",
    }
}

const EMPTY: Cell<'static> = Cell::Empty;

impl<'r> RowCtx<'r> {
    fn cell(&self, field: Field) -> &'r Cell<'r> {
        debug_assert_eq!(self.header.kind.fields()[field.slot].0, field.name, "a field of another kind");
        match self.header.slots.get(field.slot) {
            Some(Some(c)) => self.cells.get(*c).unwrap_or(&EMPTY),
            _ => self.header.constants.get(field.slot).and_then(Option::as_ref).unwrap_or(&EMPTY),
        }
    }

    fn has(&self, field: Field) -> bool {
        matches!(self.header.slots.get(field.slot), Some(Some(_)))
            || matches!(self.header.constants.get(field.slot), Some(Some(_)))
    }

    fn reject(&self, field: Field, reason: impl Into<String>) -> Reject {
        Reject { field: field.name, raw: self.cell(field).raw(), reason: reason.into() }
    }

    fn missing(&self, field: Field) -> Reject {
        self.reject(field, "必填项为空 (required value missing)")
    }

    fn text(&self, field: Field) -> Option<Cow<'r, str>> {
        self.p.text(self.cell(field))
    }

    fn req_text(&self, field: Field) -> Result<Cow<'r, str>, Reject> {
        self.text(field).ok_or_else(|| self.missing(field))
    }

    fn dt(&self, field: Field) -> Result<Option<(NaiveDateTime, bool)>, Reject> {
        self.p.datetime(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn req_dt(&self, field: Field) -> Result<NaiveDateTime, Reject> {
        self.dt(field)?.map(|(d, _)| d).ok_or_else(|| self.missing(field))
    }

    fn boolean(&self, field: Field) -> Result<Option<bool>, Reject> {
        self.p.boolean(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn seconds(&self, field: Field) -> Result<Option<f64>, Reject> {
        self.p.seconds(self.cell(field)).map_err(|r| self.reject(field, r))
    }

    fn branch(&self, field: Field, config: &Config) -> Option<Cow<'r, str>> {
        self.text(field).map(|b| match config.branches.aliases.get(b.as_ref()) {
            Some(a) => Cow::Owned(a.clone()),
            None => b,
        })
    }

    pub(super) fn call(&self, src: Source) -> Result<Call<'r>, Reject> {
        let start_time = self.req_dt(call::START_TIME)?;
        let wait_seconds = self.seconds(call::WAIT_SECONDS)?.ok_or_else(|| self.missing(call::WAIT_SECONDS))?;
        let talk_seconds = self.seconds(call::TALK_SECONDS)?;
        let answered = match (self.boolean(call::ANSWERED)?, talk_seconds) {
            (Some(a), _) => a,
            (None, Some(t)) => t > 0.0,
            (None, None) => {
                let field = if self.has(call::ANSWERED) { call::ANSWERED } else { call::TALK_SECONDS };
                return Err(self.reject(field, "是否接通和通话时长都为空 (neither answered nor talk time given)"));
            }
        };
        Ok(Call {
            src,
            call_id: self.text(call::CALL_ID),
            start_time,
            branch: self.text(call::BRANCH),
            queue: self.text(call::QUEUE),
            agent_id: self.text(call::AGENT_ID),
            caller: self.text(call::CALLER),
            answered,
            talk_seconds,
            wait_seconds,
            resolved: self.boolean(call::RESOLVED)?,
        })
    }

    pub(super) fn order(
        &self,
        src: Source,
        config: &Config,
        forced_type: Option<&str>,
        types: &mut TypeCache,
    ) -> Result<WorkOrder<'r>, Reject> {
        let order_id = self.req_text(order::ORDER_ID)?;
        let order_type = match (self.text(order::ORDER_TYPE), forced_type) {
            (Some(t), _) => types.map(t.as_ref(), config),
            (None, Some(t)) => types.map(t, config),
            (None, None) => return Err(self.missing(order::ORDER_TYPE)),
        };
        let branch = self.branch(order::BRANCH, config).ok_or_else(|| self.missing(order::BRANCH))?;
        let created_at = self.req_dt(order::CREATED_AT)?;
        let customer_id = self.text(order::CUSTOMER_ID);
        if order_type == OrderType::Fault && customer_id.is_none() {
            return Err(self.reject(order::CUSTOMER_ID, "故障工单缺少用户号码 (fault order without customer id)"));
        }
        let deadline = self.dt(order::DEADLINE)?.map(|(d, date_only)| {
            if date_only {
                d.date().and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time"))
            } else {
                d
            }
        });
        let completed_at = self.dt(order::COMPLETED_AT)?.map(|(d, _)| d);
        if let Some(done) = completed_at {
            if done < created_at - Duration::minutes(1) {
                return Err(self.reject(order::COMPLETED_AT, "完成时间早于受理时间 (completed before created)"));
            }
        }
        Ok(WorkOrder {
            src,
            order_id,
            order_type,
            branch,
            product: self.text(order::PRODUCT).unwrap_or(Cow::Borrowed("未分类")),
            customer_id,
            created_at,
            deadline,
            completed_at,
            department: self.text(order::DEPARTMENT),
            channel: self.text(order::CHANNEL),
            category: self.text(order::CATEGORY),
            phenomenon: self.text(order::PHENOMENON),
            cause: self.text(order::CAUSE),
            preprocessed: self.boolean(order::PREPROCESSED)?,
            justified: self.boolean(order::JUSTIFIED)?,
            first_close: self.boolean(order::FIRST_CLOSE)?,
            content: self.text(order::CONTENT),
            result: self.text(order::RESULT),
            reply_ok: self.boolean(order::REPLY_OK)?,
            human_error: self.boolean(order::HUMAN_ERROR)?,
            site: self.text(order::SITE),
        })
    }

    pub(super) fn survey(&self, src: Source, config: &Config) -> Result<Survey<'r>, Reject> {
        let surveyed_at = self.req_dt(survey::SURVEYED_AT)?;
        let contacted = match self.text(survey::CONTACTED) {
            None => return Err(self.missing(survey::CONTACTED)),
            Some(t) => parse_contact(&t)
                .ok_or_else(|| self.reject(survey::CONTACTED, "无法识别的回访结果 (unrecognised contact result)"))?,
        };
        let (satisfied, score) = self.satisfaction(config)?;
        Ok(Survey {
            src,
            survey_id: self.text(survey::SURVEY_ID),
            order_id: self.text(survey::ORDER_ID),
            branch: self.branch(survey::BRANCH, config),
            surveyed_at,
            contacted,
            satisfied,
            score,
            timely: self.opinion(survey::TIMELY, config)?,
            attitude: self.opinion(survey::ATTITUDE, config)?,
            reason: self.text(survey::REASON),
        })
    }

    fn satisfaction(&self, config: &Config) -> Result<(Option<bool>, Option<f64>), Reject> {
        let cell = self.cell(survey::SATISFACTION);
        if let Cell::Number(n) = cell {
            return score(*n)
                .map(|s| (None, Some(s)))
                .ok_or_else(|| self.reject(survey::SATISFACTION, "满意度分数超出1-10 (score out of 1-10)"));
        }
        let Some(t) = self.text(survey::SATISFACTION) else { return Ok((None, None)) };
        if let Some(v) = satisfaction_word(&t, config) {
            return Ok((Some(v), None));
        }
        if NO_ANSWER.contains(&t.as_ref()) {
            return Ok((None, None));
        }
        let digits = t.trim_end_matches('分');
        match digits.parse::<f64>().ok().and_then(score) {
            Some(s) => Ok((None, Some(s))),
            None => Err(self.reject(survey::SATISFACTION, "无法识别的满意度 (unrecognised satisfaction answer)")),
        }
    }

    /// Timely / attitude: a yes/no word, or a satisfaction word.
    fn opinion(&self, field: Field, config: &Config) -> Result<Option<bool>, Reject> {
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
    fn field_slots_name_the_kinds_fields() {
        use crate::model::Kind;
        let kinds: [(Kind, &[Field]); 3] = [
            (
                Kind::Calls,
                &[
                    call::CALL_ID,
                    call::START_TIME,
                    call::BRANCH,
                    call::QUEUE,
                    call::AGENT_ID,
                    call::CALLER,
                    call::ANSWERED,
                    call::TALK_SECONDS,
                    call::WAIT_SECONDS,
                    call::RESOLVED,
                ],
            ),
            (
                Kind::WorkOrders,
                &[
                    order::ORDER_ID,
                    order::ORDER_TYPE,
                    order::BRANCH,
                    order::PRODUCT,
                    order::CUSTOMER_ID,
                    order::CREATED_AT,
                    order::DEADLINE,
                    order::COMPLETED_AT,
                    order::DEPARTMENT,
                    order::CHANNEL,
                    order::CATEGORY,
                    order::PHENOMENON,
                    order::CAUSE,
                    order::PREPROCESSED,
                    order::JUSTIFIED,
                    order::FIRST_CLOSE,
                    order::CONTENT,
                    order::RESULT,
                    order::REPLY_OK,
                    order::HUMAN_ERROR,
                    order::SITE,
                ],
            ),
            (
                Kind::Surveys,
                &[
                    survey::SURVEY_ID,
                    survey::ORDER_ID,
                    survey::BRANCH,
                    survey::SURVEYED_AT,
                    survey::CONTACTED,
                    survey::SATISFACTION,
                    survey::TIMELY,
                    survey::ATTITUDE,
                    survey::REASON,
                ],
            ),
        ];
        for (kind, fields) in kinds {
            let names: Vec<&str> = kind.fields().iter().map(|(f, _)| *f).collect();
            let ours: Vec<&str> = fields.iter().map(|f| f.name).collect();
            assert_eq!(ours, names, "{kind:?}");
            assert!(fields.iter().enumerate().all(|(i, f)| f.slot == i), "{kind:?}");
        }
    }

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

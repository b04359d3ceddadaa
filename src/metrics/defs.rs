//! Metric definitions: the one place that says what each id means. The report's 指标口径
//! section and sheet are rendered from [`definitions`].

use crate::config::{Config, RepeatWindow, SlDenominator};

/// How a value is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A fraction shown as a percentage.
    Rate,
    /// A count.
    Count,
    /// Seconds.
    Seconds,
    /// Hours.
    Hours,
}

/// One metric's definition.
#[derive(Debug, Clone)]
pub struct MetricDef {
    /// Stable id.
    pub id: &'static str,
    /// Chinese label.
    pub zh: String,
    /// English label.
    pub en: String,
    /// Unit.
    pub unit: Unit,
    /// Computed per product too.
    pub per_product: bool,
    /// The formula in words, with the options in force (Chinese).
    pub formula_zh: String,
    /// The formula in words (English).
    pub formula_en: String,
}

struct Static {
    id: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: Unit,
    per_product: bool,
    formula_zh: &'static str,
    formula_en: &'static str,
}

const fn d(
    id: &'static str,
    zh: &'static str,
    en: &'static str,
    unit: Unit,
    per_product: bool,
    formula_zh: &'static str,
    formula_en: &'static str,
) -> Static {
    Static { id, zh, en, unit, per_product, formula_zh, formula_en }
}

use Unit::*;

const DEFS: &[Static] = &[
    d(
        "calls.offered",
        "人工呼入量",
        "Calls offered",
        Count,
        false,
        "进入人工队列的呼叫数{short}",
        "calls offered to the manual queue{short}",
    ),
    d("calls.answer_rate", "人工接通率", "Answer rate", Rate, false, "人工接通量 ÷ 人工呼入量", "answered ÷ offered"),
    d(
        "calls.service_level",
        "{sl}秒应答率",
        "Service level ({sl} s)",
        Rate,
        false,
        "{sl}秒内接通量 ÷ {sl_den}",
        "answered within {sl} s ÷ {sl_den_en}",
    ),
    d(
        "calls.asa_seconds",
        "平均应答时长(秒)",
        "Average speed of answer (s)",
        Seconds,
        false,
        "接通呼叫的等待时长平均值",
        "mean wait of answered calls",
    ),
    d(
        "calls.aht_seconds",
        "平均通话时长(秒)",
        "Average talk time (s)",
        Seconds,
        false,
        "接通呼叫的通话时长平均值",
        "mean talk time of answered calls",
    ),
    d(
        "calls.fcr_rate",
        "一次解决率",
        "First-contact resolution",
        Rate,
        false,
        "一次解决量 ÷ 有解决标志的接通量",
        "resolved ÷ answered calls with a resolution flag",
    ),
    d(
        "calls.repeat_caller_rate",
        "重复来电率",
        "Repeat-caller rate",
        Rate,
        false,
        "{rc}小时内再次来电的号码数 ÷ 来电号码数（号码归属首次来电的分公司）",
        "callers who called again within {rc} h ÷ distinct callers (a caller belongs to the branch of the first call)",
    ),
    d("install.orders", "装移机工单总数", "Install orders", Count, true, "装移机工单数", "installation orders"),
    d(
        "install.appointment_rate",
        "预约率",
        "Appointment rate",
        Rate,
        true,
        "有预约时间的工单 ÷ 装移机工单总数",
        "orders with an appointment ÷ orders",
    ),
    d(
        "install.ontime_rate",
        "履约准时率",
        "On-time rate",
        Rate,
        true,
        "按预约完成 ÷ (已预约 − 未到期在途)",
        "completed by the appointment ÷ (appointed − pending)",
    ),
    d(
        "install.pending",
        "未到期在途工单",
        "Pending (not yet due)",
        Count,
        true,
        "月末未完成且未到预约时间",
        "open and not yet due at the period end",
    ),
    d(
        "install.late",
        "超时工单",
        "Late orders",
        Count,
        true,
        "预约后完成，或月末未完成且已过预约时间",
        "completed after the appointment, or open and overdue at the period end",
    ),
    d("fault.reports", "故障总数", "Fault reports", Count, true, "故障工单数", "fault orders"),
    d(
        "fault.customers",
        "申告用户总数",
        "Customers reporting",
        Count,
        true,
        "申告用户数（用户×产品，归属首次申告的分公司）",
        "distinct customers per product (a customer belongs to the branch of the first report)",
    ),
    d("fault.repeat_customers", "重复申告用户数", "Repeat customers", Count, true, "{repeat}", "{repeat_en}"),
    d(
        "fault.repeat_rate",
        "重复申告率",
        "Repeat-fault rate",
        Rate,
        true,
        "重复申告用户数 ÷ 申告用户总数",
        "repeat customers ÷ customers",
    ),
    d(
        "fault.restore_ontime_rate",
        "保障及时率",
        "Restoration on time",
        Rate,
        true,
        "时限内修复 ÷ (故障总数 − 未到期在途)；时限 = 承诺时间，缺省为受理时间 + {fault_sla}小时",
        "restored by the deadline ÷ (reports − pending); deadline = the promised time, else created + {fault_sla} h",
    ),
    d(
        "fault.pending",
        "未到期在途故障",
        "Pending faults",
        Count,
        true,
        "月末未修复且未到时限",
        "open and not yet due at the period end",
    ),
    d(
        "fault.mean_restore_hours",
        "平均修复时长(小时)",
        "Mean restoration (h)",
        Hours,
        true,
        "已修复故障的(修复时间 − 受理时间)平均值",
        "mean of completed − created over restored reports",
    ),
    d(
        "fault.restore_hours_p50",
        "修复时长中位数(小时)",
        "Restoration median (h)",
        Hours,
        true,
        "已修复故障修复时长的中位数",
        "median restoration time",
    ),
    d(
        "fault.restore_hours_p90",
        "修复时长90分位(小时)",
        "Restoration 90th percentile (h)",
        Hours,
        true,
        "已修复故障修复时长的90分位（线性插值）",
        "90th percentile of restoration time (linear interpolation)",
    ),
    d(
        "fault.preprocess_rate",
        "预处理率",
        "Pre-processing rate",
        Rate,
        true,
        "预处理工单 ÷ 有预处理标志的故障",
        "pre-processed ÷ reports with the flag",
    ),
    d(
        "fault.unknown_cause_rate",
        "不明原因故障率",
        "Unknown-cause rate",
        Rate,
        true,
        "原因为{unknown}的故障 ÷ 故障总数（查中自复不算不明原因）",
        "reports with cause in {unknown} ÷ reports (查中自复 is not unknown)",
    ),
    d(
        "fault.top_phenomena",
        "故障现象TOP{top}",
        "Top {top} phenomena",
        Rate,
        true,
        "各故障现象的工单数 ÷ 故障总数，取前{top}",
        "reports per phenomenon ÷ reports, top {top}",
    ),
    d(
        "fault.top_causes",
        "故障原因TOP{top}",
        "Top {top} causes",
        Rate,
        true,
        "各故障原因的工单数 ÷ 故障总数，取前{top}",
        "reports per cause ÷ reports, top {top}",
    ),
    d(
        "complaint.count",
        "投诉量",
        "Complaints",
        Count,
        false,
        "投诉工单数；并按受理渠道、投诉类别分组",
        "complaint orders; also per channel and category",
    ),
    d(
        "complaint.escalated",
        "越级投诉",
        "Escalated complaints",
        Count,
        false,
        "受理渠道含{esc}的投诉",
        "complaints whose channel contains {esc}",
    ),
    d(
        "complaint.ontime_rate",
        "投诉处理及时率",
        "Complaints handled on time",
        Rate,
        false,
        "时限内处理 ÷ (投诉量 − 未到期在途)；时限缺省为受理时间 + {complaint_sla}小时",
        "handled by the deadline ÷ (complaints − pending); deadline defaults to created + {complaint_sla} h",
    ),
    d(
        "complaint.pending",
        "未到期在途投诉",
        "Pending complaints",
        Count,
        false,
        "月末未办结且未到时限",
        "open and not yet due at the period end",
    ),
    d(
        "complaint.overdue",
        "未及时处理数",
        "Overdue complaints",
        Count,
        false,
        "超时办结或月末超时未办结的投诉；并按责任部门分组",
        "late complaints; also per department",
    ),
    d(
        "complaint.justified_share",
        "有理由投诉提及率",
        "Share of justified complaints",
        Rate,
        false,
        "部门有理由投诉 ÷ 全部有理由投诉",
        "a department's justified complaints ÷ all justified complaints",
    ),
    d(
        "complaint.first_close_rate",
        "一次关单率",
        "First-close rate",
        Rate,
        false,
        "一次关单 ÷ 已办结且有关单标志的投诉",
        "first-close ÷ closed complaints with the flag",
    ),
    d(
        "complaint.mean_handle_hours",
        "平均处理时长(小时)",
        "Mean handling time (h)",
        Hours,
        false,
        "已办结投诉的(办结时间 − 受理时间)平均值",
        "mean of completed − created over closed complaints",
    ),
    d("survey.attempted", "回访总数", "Callbacks attempted", Count, false, "回访记录数", "callback records"),
    d("survey.contact_rate", "成功回访率", "Contact rate", Rate, false, "回访成功 ÷ 回访总数", "contacted ÷ attempted"),
    d(
        "survey.satisfaction_rate",
        "客户满意率",
        "Satisfaction rate",
        Rate,
        false,
        "满意（{satisfied}，或5分制≥{s5}、10分制≥{s10}）÷ 成功回访且有评价",
        "satisfied ({satisfied}, or ≥ {s5} of 5, ≥ {s10} of 10) ÷ contacted with an answer",
    ),
    d(
        "survey.timely_rate",
        "处理及时率",
        "Timeliness rate",
        Rate,
        false,
        "认为处理及时 ÷ 成功回访且有评价",
        "timely ÷ contacted with an answer",
    ),
    d(
        "survey.attitude_rate",
        "人员态度满意率",
        "Staff attitude rate",
        Rate,
        false,
        "态度满意 ÷ 成功回访且有评价",
        "attitude satisfied ÷ contacted with an answer",
    ),
    d(
        "other.orders",
        "其他工单",
        "Other orders",
        Count,
        false,
        "类型不属于故障、装移机、投诉的工单（只计数）",
        "orders of other types (counted, not measured)",
    ),
    d("dq.rows_read", "读取行数", "Rows read", Count, false, "表头以下的非空行", "non-blank rows below the header"),
    d("dq.rows_used", "使用行数", "Rows used", Count, false, "本月使用的行", "rows used for the month"),
    d("dq.out_of_period", "非本月行数", "Out of period", Count, false, "时间不在本月的行", "rows of other months"),
    d("dq.duplicates", "重复行数", "Duplicates", Count, false, "同一编号的重复行", "repeated ids"),
    d(
        "dq.rejected",
        "拒收行数",
        "Rejected",
        Count,
        false,
        "缺少必填值或无法解析的行",
        "rows with a missing required value or an unparseable value",
    ),
    d(
        "dq.conflicts",
        "冲突行数",
        "Conflicts",
        Count,
        false,
        "同一编号内容不同的行（保留完成时间最晚者）",
        "same id, different content (the latest completion is kept)",
    ),
];

/// All definitions with the options in force filled in.
pub fn definitions(config: &Config) -> Vec<MetricDef> {
    let c = &config.calls;
    let short = if c.short_abandon_seconds > 0.0 {
        format!("（{}秒内放弃的呼叫不计）", c.short_abandon_seconds)
    } else {
        String::new()
    };
    let short_en = if c.short_abandon_seconds > 0.0 {
        format!(" (calls abandoned within {} s excluded)", c.short_abandon_seconds)
    } else {
        String::new()
    };
    let (sl_den, sl_den_en) = match c.service_level_denominator {
        SlDenominator::Offered => ("人工呼入量", "offered"),
        SlDenominator::Answered => ("人工接通量", "answered"),
    };
    let f = &config.faults;
    let (repeat, repeat_en) = match f.repeat_window {
        RepeatWindow::CalendarMonth => (
            "本月申告2次及以上的用户（按产品）".to_string(),
            "customers with 2 or more reports of a product in the month".to_string(),
        ),
        RepeatWindow::Rolling => (
            format!("本月申告且{}天内曾申告的用户（按产品，含上月数据）", f.rolling_days),
            format!("customers who reported in the month and also within {} days before (per product)", f.rolling_days),
        ),
    };
    let num = |v: Option<f64>| v.map_or("—".to_string(), |h| format!("{h}"));
    let fill = |s: &str, en: bool| {
        s.replace("{short}", if en { &short_en } else { &short })
            .replace("{sl}", &format!("{}", c.service_level_seconds))
            .replace("{sl_den}", sl_den)
            .replace("{sl_den_en}", sl_den_en)
            .replace("{rc}", &format!("{}", c.repeat_call_hours))
            .replace("{repeat}", &repeat)
            .replace("{repeat_en}", &repeat_en)
            .replace("{fault_sla}", &num(config.sla_hours.fault))
            .replace("{complaint_sla}", &num(config.sla_hours.complaint))
            .replace("{unknown}", &f.unknown_causes.join("/"))
            .replace("{top}", &f.top_n.to_string())
            .replace("{esc}", &config.complaints.escalation_channels.join("/"))
            .replace("{satisfied}", &config.surveys.satisfied.join("/"))
            .replace("{s5}", &format!("{}", config.surveys.min_score_5))
            .replace("{s10}", &format!("{}", config.surveys.min_score_10))
    };
    DEFS.iter()
        .map(|s| MetricDef {
            id: s.id,
            zh: fill(s.zh, false),
            en: fill(s.en, true),
            unit: s.unit,
            per_product: s.per_product,
            formula_zh: fill(s.formula_zh, false),
            formula_en: fill(s.formula_en, true),
        })
        .collect()
}

/// The definition of one id (with the config's options).
pub fn find<'a>(defs: &'a [MetricDef], id: &str) -> Option<&'a MetricDef> {
    defs.iter().find(|d| d.id == id)
}

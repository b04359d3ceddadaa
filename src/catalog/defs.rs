//! The metric registry: the one place that says which metrics exist and what each means.
//! [`MetricId`] is generated from the table below (id, unit, shape, labels, formulas); the
//! report's 指标口径 section, the config's target validation and every label read it. The
//! labels and formulas with the options in force are filled in by
//! [`crate::metrics::definitions`] (which reads the config; this table does not).

use std::fmt;
use std::str::FromStr;

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
    /// An amount in 元 (two decimals).
    Yuan,
    /// A plain number with one decimal (agents).
    Number,
}

/// Whether a metric has ungrouped rows (a total and per-branch values) or only grouped ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A total row (empty group), per branch, perhaps per product; targets may apply.
    Totals,
    /// Only rows with a group (ranks, shares of a whole): no target can apply.
    GroupOnly,
}

struct Static {
    id: MetricId,
    name: &'static str,
    unit: Unit,
    shape: Shape,
    per_product: bool,
    zh: &'static str,
    en: &'static str,
    formula_zh: &'static str,
    formula_en: &'static str,
}

macro_rules! registry {
    ($($var:ident = $id:literal, $unit:ident, $shape:ident, per_product: $pp:literal,
        $zh:literal, $en:literal, $fzh:literal, $fen:literal;)*) => {
        /// A metric id: every metric svcq computes, in report order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum MetricId {
            $(#[doc = concat!("`", $id, "`: ", $zh)] $var,)*
        }

        const DEFS: &[Static] = &[$(Static {
            id: MetricId::$var,
            name: $id,
            unit: Unit::$unit,
            shape: Shape::$shape,
            per_product: $pp,
            zh: $zh,
            en: $en,
            formula_zh: $fzh,
            formula_en: $fen,
        },)*];
    };
}

registry! {
    CallsOffered = "calls.offered", Count, Totals, per_product: false,
        "人工呼入量", "Calls offered",
        "进入人工队列的呼叫数{short}",
        "calls offered to the manual queue{short}";
    CallsAnswerRate = "calls.answer_rate", Rate, Totals, per_product: false,
        "人工接通率", "Answer rate",
        "人工接通量 ÷ 人工呼入量",
        "answered ÷ offered";
    CallsServiceLevel = "calls.service_level", Rate, Totals, per_product: false,
        "{sl}秒应答率", "Service level ({sl} s)",
        "{sl}秒内接通量 ÷ {sl_den}",
        "answered within {sl} s ÷ {sl_den_en}";
    CallsAsaSeconds = "calls.asa_seconds", Seconds, Totals, per_product: false,
        "平均应答时长(秒)", "Average speed of answer (s)",
        "接通呼叫的等待时长平均值",
        "mean wait of answered calls";
    CallsAhtSeconds = "calls.aht_seconds", Seconds, Totals, per_product: false,
        "平均通话时长(秒)", "Average talk time (s)",
        "接通呼叫的通话时长平均值",
        "mean talk time of answered calls";
    CallsFcrRate = "calls.fcr_rate", Rate, Totals, per_product: false,
        "一次解决率", "First-contact resolution",
        "一次解决量 ÷ 有解决标志的接通量",
        "resolved ÷ answered calls with a resolution flag";
    CallsRepeatCallerRate = "calls.repeat_caller_rate", Rate, Totals, per_product: false,
        "重复来电率", "Repeat-caller rate",
        "{rc}小时内再次来电的号码数 ÷ 来电号码数（号码归属首次来电的分公司）",
        "callers who called again within {rc} h ÷ distinct callers (a caller belongs to the branch of the first call)";
    StaffingAgentsNeeded = "staffing.agents_needed", Number, GroupOnly, per_product: false,
        "需要坐席数", "Agents needed",
        "每{interval}分钟时段：话务量 A = 人工呼入量 × 平均通话时长 ÷ 时段秒数，Erlang C 下{sl}秒应答率达到目标所需的最少坐席数 N（N > A）；按时段取本月有来电日的平均",
        "per {interval}-minute interval: traffic A = offered × mean talk ÷ interval seconds; the fewest agents N > A whose Erlang C service level ({sl} s) reaches the target; mean over the days with calls";
    StaffingAgentsPresent = "staffing.agents_present", Number, GroupOnly, per_product: false,
        "在岗坐席数", "Agents present",
        "时段内接通过来电的不同坐席工号数；按时段取本月有来电日的平均",
        "distinct agent ids answering in the interval; mean over the days with calls";
    StaffingUnderstaffed = "staffing.understaffed", Rate, Totals, per_product: false,
        "缺员时段占比", "Understaffed intervals",
        "在岗坐席数 < 需要坐席数的时段 ÷ 有来电的时段（按日×时段）",
        "intervals (day × interval) with present < needed ÷ intervals with calls";
    ForecastOffered = "forecast.offered", Count, Totals, per_product: false,
        "下月预测呼入量", "Forecast calls offered, next month",
        "下月每日呼入量 = 近8周同星期日呼入量的均值（历史与本月的按日呼入量）；合计为各日之和",
        "each day of next month = the mean of the same weekday over the last 8 weeks (daily volumes in history and this month); the total sums the days";
    ForecastMape = "forecast.mape", Rate, Totals, per_product: false,
        "预测回测误差(MAPE)", "Forecast backtest error (MAPE)",
        "以同一方法预测最近月份（本月及历史中可回测的月份，最多3个）的每日呼入量，平均绝对百分比误差",
        "the same method forecasting the last months (this month and those in history that can be backtested, at most 3): mean absolute percentage error of the daily volumes";
    ForecastAgentsNeeded = "forecast.agents_needed", Number, GroupOnly, per_product: false,
        "下月需要坐席数", "Agents needed next month",
        "下月日均预测呼入量 × 本月该时段呼入占比，按本月该时段平均通话时长的 Erlang C 需要坐席数",
        "next month's mean forecast day × this month's share of the interval, with this month's talk time in it, by Erlang C";
    InstallOrders = "install.orders", Count, Totals, per_product: true,
        "装移机工单总数", "Install orders",
        "装移机工单数",
        "installation orders";
    InstallAppointmentRate = "install.appointment_rate", Rate, Totals, per_product: true,
        "预约率", "Appointment rate",
        "有预约时间的工单 ÷ 装移机工单总数",
        "orders with an appointment ÷ orders";
    InstallOntimeRate = "install.ontime_rate", Rate, Totals, per_product: true,
        "履约准时率", "On-time rate",
        "按预约完成 ÷ (已预约 − 未到期在途)",
        "completed by the appointment ÷ (appointed − pending)";
    InstallPending = "install.pending", Count, Totals, per_product: true,
        "未到期在途工单", "Pending (not yet due)",
        "月末未完成且未到预约时间",
        "open and not yet due at the period end";
    InstallLate = "install.late", Count, Totals, per_product: true,
        "超时工单", "Late orders",
        "预约后完成，或月末未完成且已过预约时间",
        "completed after the appointment, or open and overdue at the period end";
    FaultReports = "fault.reports", Count, Totals, per_product: true,
        "故障总数", "Fault reports",
        "故障工单数",
        "fault orders";
    FaultCustomers = "fault.customers", Count, Totals, per_product: true,
        "申告用户总数", "Customers reporting",
        "申告用户数（用户×产品，归属首次申告的分公司）",
        "distinct customers per product (a customer belongs to the branch of the first report)";
    FaultRepeatCustomers = "fault.repeat_customers", Count, Totals, per_product: true,
        "重复申告用户数", "Repeat customers",
        "{repeat}",
        "{repeat_en}";
    FaultRepeatRate = "fault.repeat_rate", Rate, Totals, per_product: true,
        "重复申告率", "Repeat-fault rate",
        "重复申告用户数 ÷ 申告用户总数",
        "repeat customers ÷ customers";
    FaultRestoreOntimeRate = "fault.restore_ontime_rate", Rate, Totals, per_product: true,
        "保障及时率", "Restoration on time",
        "时限内修复 ÷ (故障总数 − 未到期在途)；时限 = 承诺时间，缺省为受理时间 + {fault_sla}小时",
        "restored by the deadline ÷ (reports − pending); deadline = the promised time, else created + {fault_sla} h";
    FaultPending = "fault.pending", Count, Totals, per_product: true,
        "未到期在途故障", "Pending faults",
        "月末未修复且未到时限",
        "open and not yet due at the period end";
    FaultMeanRestoreHours = "fault.mean_restore_hours", Hours, Totals, per_product: true,
        "平均修复时长(小时)", "Mean restoration (h)",
        "已修复故障的(修复时间 − 受理时间)平均值",
        "mean of completed − created over restored reports";
    FaultRestoreHoursP50 = "fault.restore_hours_p50", Hours, Totals, per_product: true,
        "修复时长中位数(小时)", "Restoration median (h)",
        "已修复故障修复时长的中位数",
        "median restoration time";
    FaultRestoreHoursP90 = "fault.restore_hours_p90", Hours, Totals, per_product: true,
        "修复时长90分位(小时)", "Restoration 90th percentile (h)",
        "已修复故障修复时长的90分位（线性插值）",
        "90th percentile of restoration time (linear interpolation)";
    FaultPreprocessRate = "fault.preprocess_rate", Rate, Totals, per_product: true,
        "预处理率", "Pre-processing rate",
        "预处理工单 ÷ 有预处理标志的故障",
        "pre-processed ÷ reports with the flag";
    FaultUnknownCauseRate = "fault.unknown_cause_rate", Rate, Totals, per_product: true,
        "不明原因故障率", "Unknown-cause rate",
        "原因为{unknown}的故障 ÷ 故障总数（查中自复不算不明原因）",
        "reports with cause in {unknown} ÷ reports (查中自复 is not unknown)";
    FaultTopPhenomena = "fault.top_phenomena", Rate, GroupOnly, per_product: true,
        "故障现象TOP{top}", "Top {top} phenomena",
        "各故障现象的工单数 ÷ 故障总数，取前{top}",
        "reports per phenomenon ÷ reports, top {top}";
    FaultTopCauses = "fault.top_causes", Rate, GroupOnly, per_product: true,
        "故障原因TOP{top}", "Top {top} causes",
        "各故障原因的工单数 ÷ 故障总数，取前{top}",
        "reports per cause ÷ reports, top {top}";
    IncidentCount = "incident.count", Count, Totals, per_product: false,
        "服务支撑事件数", "Mass-fault incidents",
        "同一分公司同一局站（无局站时为本地号码前{prefix}位）连续申告、相邻两张故障单受理间隔不超过{gap}分钟、涉及至少{min_cust}个不同用户的故障群",
        "bursts of fault reports at one place (branch and site; without a site the first {prefix} digits of the local number), each within {gap} min of the previous, from at least {min_cust} distinct customers";
    IncidentCustomers = "incident.customers", Count, Totals, per_product: false,
        "服务支撑影响用户数", "Customers in incidents",
        "各事件中申告的不同用户数之和；按事件分组时为该事件的用户数",
        "distinct customers reporting in each incident, summed; per incident when grouped by incident";
    IncidentReports = "incident.reports", Count, GroupOnly, per_product: false,
        "事件申告工单数", "Reports in the incident",
        "该事件包含的故障申告工单数",
        "fault reports in the incident";
    IncidentHours = "incident.hours", Hours, GroupOnly, per_product: false,
        "事件历时(小时)", "Incident duration (h)",
        "最晚修复时间 − 首张工单受理时间；仍有未修复工单时为空（未恢复）",
        "latest completion − first report's creation; empty while any report is open";
    ComplaintCount = "complaint.count", Count, Totals, per_product: false,
        "投诉量", "Complaints",
        "投诉工单数；并按受理渠道、投诉类别分组",
        "complaint orders; also per channel and category";
    ComplaintEscalated = "complaint.escalated", Count, Totals, per_product: false,
        "越级投诉", "Escalated complaints",
        "受理渠道含{esc}的投诉",
        "complaints whose channel contains {esc}";
    ComplaintOntimeRate = "complaint.ontime_rate", Rate, Totals, per_product: false,
        "投诉处理及时率", "Complaints handled on time",
        "时限内处理 ÷ (投诉量 − 未到期在途)；时限缺省为受理时间 + {complaint_sla}小时",
        "handled by the deadline ÷ (complaints − pending); deadline defaults to created + {complaint_sla} h";
    ComplaintPending = "complaint.pending", Count, Totals, per_product: false,
        "未到期在途投诉", "Pending complaints",
        "月末未办结且未到时限",
        "open and not yet due at the period end";
    ComplaintOverdue = "complaint.overdue", Count, Totals, per_product: false,
        "未及时处理数", "Overdue complaints",
        "超时办结或月末超时未办结的投诉；并按责任部门分组",
        "late complaints; also per department";
    ComplaintJustifiedShare = "complaint.justified_share", Rate, GroupOnly, per_product: false,
        "有理由投诉提及率", "Share of justified complaints",
        "部门有理由投诉 ÷ 全部有理由投诉",
        "a department's justified complaints ÷ all justified complaints";
    ComplaintFirstCloseRate = "complaint.first_close_rate", Rate, Totals, per_product: false,
        "一次关单率", "First-close rate",
        "一次关单 ÷ 已办结且有关单标志的投诉",
        "first-close ÷ closed complaints with the flag";
    ComplaintMeanHandleHours = "complaint.mean_handle_hours", Hours, Totals, per_product: false,
        "平均处理时长(小时)", "Mean handling time (h)",
        "已办结投诉的(办结时间 − 受理时间)平均值",
        "mean of completed − created over closed complaints";
    AssessCases = "assess.cases", Count, GroupOnly, per_product: false,
        "考核件数", "Assessed cases",
        "按责任部门与考核项（超时、回单不规范、人为差错）计的投诉件数；有理由投诉按分公司计",
        "complaints charged, per department and item (late, irregular reply, human error); justified complaints per branch";
    AssessAmount = "assess.amount", Yuan, Totals, per_product: false,
        "考核金额(元)", "Assessed amount (元)",
        "件数 × 每件金额（超时{a_overdue}元、回单不规范{a_reply}元、人为差错{a_human}元、有理由投诉{a_justified}元{a_overrides}）；合计含有理由投诉",
        "cases × 元 per case (late {a_overdue}, irregular reply {a_reply}, human error {a_human}, justified {a_justified}{a_overrides_en}); the total includes justified complaints";
    SurveyAttempted = "survey.attempted", Count, Totals, per_product: false,
        "回访总数", "Callbacks attempted",
        "回访记录数",
        "callback records";
    SurveyContactRate = "survey.contact_rate", Rate, Totals, per_product: false,
        "成功回访率", "Contact rate",
        "回访成功 ÷ 回访总数",
        "contacted ÷ attempted";
    SurveySatisfactionRate = "survey.satisfaction_rate", Rate, Totals, per_product: false,
        "客户满意率", "Satisfaction rate",
        "满意（{satisfied}，或5分制≥{s5}、10分制≥{s10}）÷ 成功回访且有评价",
        "satisfied ({satisfied}, or ≥ {s5} of 5, ≥ {s10} of 10) ÷ contacted with an answer";
    SurveyTimelyRate = "survey.timely_rate", Rate, Totals, per_product: false,
        "处理及时率", "Timeliness rate",
        "认为处理及时 ÷ 成功回访且有评价",
        "timely ÷ contacted with an answer";
    SurveyAttitudeRate = "survey.attitude_rate", Rate, Totals, per_product: false,
        "人员态度满意率", "Staff attitude rate",
        "态度满意 ÷ 成功回访且有评价",
        "attitude satisfied ÷ contacted with an answer";
    SurveyDissatisfied = "survey.dissatisfied", Count, Totals, per_product: false,
        "不满意客户数", "Dissatisfied customers",
        "成功回访中满意度为不满意，或处理及时、人员态度答否的回访",
        "contacted callbacks not satisfied, or answering no on timeliness or attitude";
    SurveyDissatisfiedReason = "survey.dissatisfied_reason", Rate, GroupOnly, per_product: false,
        "不满意原因占比", "Dissatisfaction reasons",
        "各原因类别的不满意客户数 ÷ 不满意客户数（按{reasons}的顺序取第一个原因中出现关键词的类别，否则为其他；无原因为未说明）",
        "dissatisfied callbacks per reason category ÷ dissatisfied callbacks (the first of {reasons} with a word in the reason, else 其他; no reason: 未说明)";
    OtherOrders = "other.orders", Count, Totals, per_product: false,
        "其他工单", "Other orders",
        "类型不属于故障、装移机、投诉的工单（只计数）",
        "orders of other types (counted, not measured)";
    DqRowsRead = "dq.rows_read", Count, Totals, per_product: false,
        "读取行数", "Rows read",
        "表头以下的非空行",
        "non-blank rows below the header";
    DqRowsUsed = "dq.rows_used", Count, Totals, per_product: false,
        "使用行数", "Rows used",
        "本月使用的行",
        "rows used for the month";
    DqOutOfPeriod = "dq.out_of_period", Count, Totals, per_product: false,
        "非本月行数", "Out of period",
        "时间不在本月的行",
        "rows of other months";
    DqDuplicates = "dq.duplicates", Count, Totals, per_product: false,
        "重复行数", "Duplicates",
        "同一编号的重复行",
        "repeated ids";
    DqRejected = "dq.rejected", Count, Totals, per_product: false,
        "拒收行数", "Rejected",
        "缺少必填值或无法解析的行",
        "rows with a missing required value or an unparseable value";
    DqConflicts = "dq.conflicts", Count, Totals, per_product: false,
        "冲突行数", "Conflicts",
        "同一编号内容不同的行（保留完成时间最晚者）",
        "same id, different content (the latest completion is kept)";
    DqFooter = "dq.footer", Count, Totals, per_product: false,
        "表尾行数", "Footer rows",
        "数据之后的合计、总计、小计行和说明行（数据来源：…、导出时间：…），不是数据也不拒收；只在有时列出",
        "rows of totals (合计, 总计, 小计) and notes after the data (数据来源：…, 导出时间：…): not data, not rejected; listed only when there are some";
    ChangeEffect = "change.effect", Number, GroupOnly, per_product: false,
        "变化归因：效应", "Change: effect",
        "较上期的变化按维度（分公司、产品、技能组、渠道、类别、责任部门、故障原因、故障现象）拆到各段：计数为各段之差；比率为率效应与结构效应之和，各段之和等于总变化（group列：of=指标;by=维度;segment=段）。叙述只对值得说的变化归因（比率：两比例检验p<0.05；计数：变化不小于上期值平方根的2倍），点名与变化同向、以最少的段（每段至少占变化的10%，最多2段）达到变化一半的维度；所需段数相同时取解释比例较大者；点名各段的结构效应大于率效应时说“主要因结构变化”",
        "the change from the period before split over a dimension's segments (branch, product, queue, channel, category, department, cause, phenomenon): a count's segment differences; a rate's rate effect + mix effect; the segments add up to the change (group: of=metric;by=dimension;segment=segment). The narrative attributes a change worth saying only (rates: two-proportion test p < 0.05; counts: a change of at least twice the square root of the previous count), naming the dimension whose fewest segments in the direction of the change (each at least 10 % of it, at most 2) reach half of it; between dimensions needing as few, the one explaining the larger share; when the named segments' mix effects outweigh their rate effects it says the change is one of mix";
    ChangeRateEffect = "change.rate_effect", Number, GroupOnly, per_product: false,
        "变化归因：率效应", "Change: rate effect",
        "本期权重 ×（本期段内比率 − 上期段内比率）；新出现的段以上期整体比率为上期比率",
        "this period's weight × (this period's segment rate − the period before's); a new segment takes the whole's previous rate";
    ChangeMixEffect = "change.mix_effect", Number, GroupOnly, per_product: false,
        "变化归因：结构效应", "Change: mix effect",
        "（本期权重 − 上期权重）× 上期段内比率；消失的段只有结构效应",
        "(this period's weight − the period before's) × the period before's segment rate; a vanished segment has only this";
    MetaDefinitions = "meta.definitions", Count, GroupOnly, per_product: false,
        "口径指纹", "Definitions fingerprint",
        "各指标口径与当前选项（时限、窗口、阈值、工单类型、满意度词、考核金额、目标值）的SHA-256（group列）；汇总时各部分须一致",
        "SHA-256 (in the group column) of every definition with the options in force (deadlines, windows, thresholds, order types, survey words, assessment amounts, targets); the parts of a roll-up must agree";
}

/// How a metric's rows combine when `svcq rollup` builds a larger unit from its parts'
/// metrics CSVs (SPEC §7.8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rollup {
    /// Counts and amounts: the parts' values add.
    Sum,
    /// Rates and means: the summed numerator ÷ the summed denominator.
    Ratio,
    /// A group's share of a whole: the group's summed numerator ÷ the parts' summed wholes
    /// (a part without the group still adds its whole).
    Share,
    /// Does not add (percentiles, top-N, incidents' own figures, staffing by Erlang, the
    /// forecast): each part's value is kept on its row of the branch level; no total.
    No,
}

impl MetricId {
    /// How the metric rolls up. Customer-level counts (`fault.customers`, repeat customers,
    /// repeat callers) add exactly when the parts' customers are apart, as cities' are.
    pub fn rollup(self) -> Rollup {
        use MetricId::*;
        match self {
            CallsOffered | InstallOrders | InstallPending | InstallLate | FaultReports | FaultCustomers
            | FaultRepeatCustomers | FaultPending | IncidentCount | IncidentCustomers | ComplaintCount
            | ComplaintEscalated | ComplaintPending | ComplaintOverdue | AssessCases | AssessAmount
            | SurveyAttempted | SurveyDissatisfied | OtherOrders | DqRowsRead | DqRowsUsed | DqOutOfPeriod
            | DqDuplicates | DqRejected | DqConflicts | DqFooter => Rollup::Sum,
            CallsAnswerRate
            | CallsServiceLevel
            | CallsAsaSeconds
            | CallsAhtSeconds
            | CallsFcrRate
            | CallsRepeatCallerRate
            | StaffingUnderstaffed
            | InstallAppointmentRate
            | InstallOntimeRate
            | FaultRepeatRate
            | FaultRestoreOntimeRate
            | FaultMeanRestoreHours
            | FaultPreprocessRate
            | FaultUnknownCauseRate
            | ComplaintOntimeRate
            | ComplaintFirstCloseRate
            | ComplaintMeanHandleHours
            | SurveyContactRate
            | SurveySatisfactionRate
            | SurveyTimelyRate
            | SurveyAttitudeRate => Rollup::Ratio,
            ComplaintJustifiedShare | SurveyDissatisfiedReason => Rollup::Share,
            StaffingAgentsNeeded
            | StaffingAgentsPresent
            | ForecastOffered
            | ForecastMape
            | ForecastAgentsNeeded
            | FaultRestoreHoursP50
            | FaultRestoreHoursP90
            | FaultTopPhenomena
            | FaultTopCauses
            | IncidentReports
            | IncidentHours
            | ChangeEffect
            | ChangeRateEffect
            | ChangeMixEffect
            | MetaDefinitions => Rollup::No,
        }
    }
}

impl MetricId {
    /// The label and formula templates (zh, en, formula zh, formula en) with the options'
    /// placeholders (`{sl}`, `{repeat}`…) that [`crate::metrics::definitions`] fills in.
    pub(crate) fn templates(self) -> [&'static str; 4] {
        let s = self.def();
        [s.zh, s.en, s.formula_zh, s.formula_en]
    }

    /// Every metric, in report order.
    pub fn all() -> impl Iterator<Item = MetricId> {
        DEFS.iter().map(|s| s.id)
    }

    fn def(self) -> &'static Static {
        &DEFS[self as usize]
    }

    /// The stable id, e.g. `install.ontime_rate`.
    pub fn as_str(self) -> &'static str {
        self.def().name
    }

    /// How values are shown.
    pub fn unit(self) -> Unit {
        self.def().unit
    }

    /// Ungrouped rows, or grouped only.
    pub fn shape(self) -> Shape {
        self.def().shape
    }

    /// Computed per product too.
    pub fn per_product(self) -> bool {
        self.def().per_product
    }
}

impl fmt::Display for MetricId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An id that names no metric; carries the closest known id as a hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown metric id `{id}`{}", .closest.map(|c| format!(" (did you mean `{c}`?)")).unwrap_or_default())]
pub struct UnknownMetric {
    /// The text given.
    pub id: String,
    /// The closest known id, when one is close.
    pub closest: Option<MetricId>,
}

impl FromStr for MetricId {
    type Err = UnknownMetric;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(d) = DEFS.iter().find(|d| d.name == s) {
            return Ok(d.id);
        }
        let closest = DEFS
            .iter()
            .map(|d| (edit_distance(d.name, s), d.id))
            .filter(|(n, _)| *n <= 3)
            .min_by_key(|(n, _)| *n)
            .map(|(_, id)| id);
        Err(UnknownMetric { id: s.to_string(), closest })
    }
}

/// Levenshtein distance (for the "did you mean" hint).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_index_their_definition() {
        for (i, id) in MetricId::all().enumerate() {
            assert_eq!(id as usize, i);
            assert_eq!(id.as_str().parse::<MetricId>(), Ok(id));
        }
    }

    #[test]
    fn unknown_id_suggests_the_closest() {
        let e = "install.ontime_rat".parse::<MetricId>().unwrap_err();
        assert_eq!(e.closest, Some(MetricId::InstallOntimeRate));
        assert!(e.to_string().contains("did you mean `install.ontime_rate`"), "{e}");
        assert_eq!("nothing.like.it".parse::<MetricId>().unwrap_err().closest, None);
    }
}

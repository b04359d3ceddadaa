//! Every caption, column header and fixed word of the report, in Chinese and English, in
//! one table. Metric labels are not here: they come from the registry ([`crate::metrics::defs`]).

use std::borrow::Cow;

use crate::config::Lang;
use crate::period::PeriodKind;

/// A text in the words of the period's kind: months keep their words; a week's report says
/// 本周 / 上周 / this week, any other run of days 本期 / 上期 / this period.
pub(crate) fn periodize(text: &str, kind: PeriodKind) -> Cow<'_, str> {
    const WEEK: &[(&str, &str)] = &[
        ("近12个月", "近12周"),
        ("12个月", "12周"),
        ("本月", "本周"),
        ("上月", "上周"),
        ("月末", "期末"),
        ("月份", "周次"),
        ("last 12 months", "last 12 weeks"),
        ("12-month", "12-week"),
        ("This month", "This week"),
        ("Last month", "Last week"),
        ("Month", "Week"),
        ("month", "week"),
    ];
    const RANGE: &[(&str, &str)] = &[
        ("近12个月", "近12期"),
        ("12个月", "12期"),
        ("本月", "本期"),
        ("上月", "上期"),
        ("月末", "期末"),
        ("月份", "期间"),
        ("last 12 months", "last 12 periods"),
        ("12-month", "12-period"),
        ("This month", "This period"),
        ("Last month", "Last period"),
        ("Month", "Period"),
        ("month", "period"),
    ];
    let table = match kind {
        PeriodKind::Month => return Cow::Borrowed(text),
        PeriodKind::Week => WEEK,
        PeriodKind::Range => RANGE,
    };
    let mut out = text.to_string();
    for (from, to) in table {
        if out.contains(from) {
            out = out.replace(from, to);
        }
    }
    Cow::Owned(out)
}

macro_rules! labels {
    ($($name:ident = $zh:literal, $en:literal;)*) => {
        /// A fixed text of the report.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Label {
            $(#[doc = $zh] $name,)*
        }

        impl Label {
            /// The text in a language.
            pub(crate) fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Label::$name, Lang::Zh) => $zh, (Label::$name, Lang::En) => $en,)*
                }
            }
        }
    };
}

labels! {
    Branch = "分公司", "Branch";
    Total = "合计", "Total";
    LastMonthOf = "上月", "Last month: ";
    Change = "变化", "Change";
    Count = "数量", "Count";
    Share = "占比", "Share";
    SheetOverview = "概览", "Overview";
    Metric = "指标", "Metric";
    ThisMonth = "本月", "This month";
    Target = "目标", "Target";
    Met = "是否达标", "Met";
    LastMonth = "上月", "Last month";
    HeadlineMetrics = "主要指标", "Headline metrics";
    SheetCalls = "话务", "Hotline";
    HotlineByBranch = "各分公司话务指标", "Hotline by branch";
    DailyVolumeAndServiceLevel = "每日呼入量与应答率", "Daily volume and service level";
    Date = "日期", "Date";
    AnswerRateByBranch = "各分公司人工接通率", "Answer rate by branch";
    DailyCallsAndServiceLevel = "每日呼入量与20秒应答率", "Daily calls and service level";
    SheetInstall = "装机履约", "Installations";
    InstallationsByBranch = "各分公司装机履约", "Installations by branch";
    InstallationsByProduct = "各产品装机履约", "Installations by product";
    OnTimeRateByBranch = "各分公司履约准时率", "On-time rate by branch";
    Product = "产品", "Product";
    SheetFaults = "故障", "Faults";
    FaultsByProduct = "各产品故障指标", "Faults by product";
    AllOf = "全部", "All ";
    RepeatTableTitle = "重复申告率（分公司×产品）", "Repeat-fault rate by branch and product";
    RestorationByBranch = "各分公司故障修复", "Restoration by branch";
    Phenomenon = "故障现象", "Phenomenon";
    Cause = "故障原因", "Cause";
    All = "全部", "All";
    Rank = "排名", "Rank";
    Reports = "工单数", "Reports";
    RepeatChartTitle = "各分公司分产品重复申告率", "Repeat-fault rate by branch and product";
    RestorationOnTimeByProduct = "各产品保障及时率", "Restoration on time by product";
    SheetComplaints = "投诉", "Complaints";
    ComplaintsByBranch = "各分公司投诉指标", "Complaints by branch";
    ComplaintsByChannel = "各渠道投诉量", "Complaints by channel";
    ComplaintCategoriesPareto = "投诉类别帕累托图", "Complaint categories (Pareto)";
    OverdueComplaintsByDepartment = "各部门未及时处理投诉", "Overdue complaints by department";
    SheetSurvey = "回访满意度", "Callback satisfaction";
    SatisfactionByBranch = "各分公司回访满意度", "Satisfaction by branch";
    Interval95 = "95%置信区间", "95% interval";
    SatisfactionChartTitle = "各分公司客户满意率（含95%置信区间）", "Satisfaction by branch (95% interval)";
    SheetTrend = "趋势", "Trends";
    Month = "月份", "Month";
    TrendTableTitle = "近12个月主要指标", "Headline metrics, last 12 months";
    SheetChange = "变化归因", "Why it changed";
    WaterfallBefore = "上期", "Before";
    WaterfallAfter = "本期", "Now";
    WaterfallOthers = "其他", "Others";
    WaterfallTitle = "较上期变化", ": change from the period before";
    ChangeTableTitle = "较上期变化按维度拆分（各段效应之和等于总变化；比率：效应 = 率效应 + 结构效应）", "Change from the period before, split by dimension (the segments' effects add up to the change; rates: effect = rate effect + mix effect)";
    Dimension = "维度", "Dimension";
    Queue = "技能组", "Queue";
    Segment = "段", "Segment";
    PrevValue = "上期值", "Before";
    ThisValue = "本期值", "This period";
    PrevWeight = "上期权重", "Weight before";
    ThisWeight = "本期权重", "Weight now";
    RateEffect = "率效应", "Rate effect";
    MixEffect = "结构效应", "Mix effect";
    Effect = "效应", "Effect";
    ShareOfChange = "占变化比例", "Share of the change";
    TrendChartTitle = "近12个月主要指标趋势", "12-month trends";
    TypeFault = "故障", "fault";
    TypeInstall = "装移机", "install";
    TypeComplaint = "投诉", "complaint";
    TypeOther = "其他", "other";
    SheetRepeatDetail = "明细-重复申告", "Detail - repeat faults";
    RepeatDetailTitle = "重复申告用户及其工单", "Repeat customers and their orders";
    SheetLateDetail = "明细-超时工单", "Detail - late orders";
    SheetIncidents = "明细-服务支撑", "Detail - incidents";
    Interval = "时段", "Interval";
    SheetStaffing = "话务人力", "Staffing";
    ForecastDays = "下月每日预测呼入量（近8周同星期均值）", "Next month's calls offered per day (same weekday, last 8 weeks)";
    StaffingHeading = "话务与人力", "Staffing and forecast";
    StaffingByInterval = "各时段需要与在岗坐席（本月日均）", "Agents needed and present by interval (mean day)";
    StaffingNoAgents = "各时段需要坐席（话务明细无坐席工号，在岗坐席无法统计）", "Agents needed by interval (no agent ids in the call records: agents present cannot be counted)";
    NeededVsPresent = "各时段需要与在岗坐席", "Agents needed vs present by interval";
    ShortfallHeatMap = "每日各时段缺员人数（红色为缺员）", "Agents short per day and interval (red: understaffed)";
    NeededHeatMap = "每日各时段需要坐席数", "Agents needed per day and interval";
    SheetAssessment = "考核", "Assessment";
    SheetAssessDetail = "明细-考核", "Detail - assessment";
    SheetEscalationDetail = "明细-越级投诉", "Detail - escalations";
    AssessByDepartment = "投诉考核（按责任部门）", "Complaint assessment by department";
    AssessJustifiedByBranch = "有理由投诉考核（按分公司）", "Justified complaints charged to branches";
    AssessAmountChart = "考核金额（按责任部门）", "Assessed amount by department";
    AssessDetailTitle = "考核明细（每件被考核投诉及适用标准）", "Every charged complaint and the rule applied";
    EscalationDetailTitle = "越级投诉明细", "Escalated complaints";
    TypicalCases = "本月典型案例", "Typical cases this month";
    ItemOverdue = "超时", "Late";
    ItemIrregularReply = "回单不规范", "Irregular reply";
    ItemHumanError = "人为差错", "Human error";
    ItemJustified = "有理由投诉", "Justified";
    ColumnReplyOk = "回单规范", "reply_ok (回单规范)";
    ColumnHumanError = "人为差错", "human_error (人为差错)";
    MissingColumns = "未提供以下列，相应考核项未计算：", "columns missing, their items not assessed: ";
    CasesSuffix = "(件)", " (cases)";
    AmountSuffix = "(元)", " (元)";
    TotalAmount = "合计(元)", "Total (元)";
    Amount = "金额(元)", "Amount (元)";
    AssessItem = "考核项", "Item";
    ChargedTo = "被考核单位", "Charged to";
    Rule = "考核标准", "Rule";
    DefaultRule = "默认", "default";
    YuanPerCase = "元/件", " 元 per case";
    Content = "投诉内容", "Content";
    Result = "处理结果", "Result";
    Handling = "处理时效", "Handling";
    OnTimeWord = "及时", "on time";
    LateWord = "超时", "late";
    LateOpenWord = "超时未完成", "late, open";
    PartAssessment = "投诉考核", "Complaint assessment";
    IncidentHeading = "服务支撑", "Mass-fault incidents";
    IncidentListTitle = "服务支撑事件（集中障碍申告）", "Mass-fault incidents (bursts of fault reports at one place)";
    IncidentTimelineTitle = "事件当日每小时故障申告量", "Fault reports per hour on the incident days";
    IncidentColumn = "服务支撑事件", "Incident";
    NotRestored = "未恢复", "not restored";
    Place = "地点（局站/号段）", "Place (site / numbers)";
    IncidentStart = "开始时间", "Start";
    DurationHours = "历时(小时)", "Hours";
    AffectedCustomers = "影响用户数", "Customers";
    HourOfDay = "时段", "Hour";
    Open = "未完成", "open";
    LateDetailTitle = "超时及超时未完成工单（按责任部门）", "Late and overdue open orders, by department";
    SheetQuality = "数据质量", "Data quality";
    ProvenanceTitle = "数据来源（文件指纹，输出文件的指纹见 manifest-*.json）", "Provenance (file fingerprints; the outputs' are in manifest-*.json)";
    ProvenanceItem = "项目", "Item";
    BranchSourcesTitle = "本分公司使用的记录（读取、拒收、重复与冲突的核算，输入文件的指纹：见全市报告的数据质量页与 manifest-*.json）", "This branch's records used (rows read, rejected, duplicates, conflicts and the inputs' fingerprints: see the whole report's data-quality page and manifest-*.json)";
    Whole = "全市", "Whole";
    RollupPartsTitle = "汇总的各部分（各自的指标CSV；读取、拒收等核算见各部分的报告）", "The parts rolled up (their metrics CSVs; each part's own report has its data quality)";
    Part = "部分", "Part";
    Sha256 = "SHA-256", "SHA-256";
    Fingerprint = "口径指纹", "Definitions fingerprint";
    NoFingerprint = "（无：旧版本写出）", "(none: written by an older svcq)";
    NotRolledUpTitle = "未汇总的指标（不可相加：各部分的值列在其所在行，无合计）", "Not rolled up (they do not add: each part's value is on its row, no total)";
    MixedConfigTitle = "各部分口径不一致，按 --allow-mixed-config 汇总：同一指标在各部分的含义可能不同", "The parts' definitions differ, rolled up with --allow-mixed-config: a metric may not mean the same in every part";
    Bytes = "字节数", "Bytes";
    ConfigBuiltIn = "配置：内置默认值", "config: built-in defaults";
    ConfigFile = "配置：", "config: ";
    NotClassified = "未识别", "not classified";
    Skipped = "已跳过", "skipped";
    LedgerTitle = "读取行数 = 使用 + 非本月 + 重复 + 拒收", "Rows read = used + out of period + duplicates + rejected";
    RejectedRows = "拒收行", "Rejected rows";
    ConflictsTitle = "冲突（同一编号内容不同，保留完成时间最晚者）", "Conflicts (same id, different content; the latest completion is kept)";
    SheetDefinitions = "指标口径", "Definitions";
    DefinitionsTitle = "指标口径（含当前配置）", "Metric definitions (with the options in force)";
    Customer = "用户号码", "Customer";
    ReportCount = "申告次数", "Reports";
    Order = "工单号", "Order";
    Created = "受理时间", "Created";
    Restored = "修复时间", "Restored";
    Department = "责任部门", "Department";
    Type = "类型", "Type";
    Deadline = "时限", "Deadline";
    Completed = "完成时间", "Completed";
    HoursLate = "超时(小时)", "Hours late";
    File = "文件", "File";
    Sheet = "工作表", "Sheet";
    Kind = "类别", "Kind";
    Read = "读取", "Read";
    Used = "使用", "Used";
    OutOfPeriod = "非本月", "Out of period";
    Duplicates = "重复", "Duplicates";
    Rejected = "拒收", "Rejected";
    Conflicts = "冲突", "Conflicts";
    Note = "说明", "Note";
    Row = "行号", "Row";
    Column = "列", "Column";
    RawValue = "原始值", "Value";
    Reason = "原因", "Reason";
    Id = "编号", "Id";
    Kept = "保留", "Kept";
    Dropped = "舍弃", "Dropped";
    FieldsThatDiffer = "不同字段", "Fields that differ";
    MetricIdColumn = "指标编号", "Id";
    Formula = "计算口径", "Formula";
    Channels = "受理渠道", "Channels";
    Channel = "渠道", "Channel";
    Categories = "投诉类别", "Categories";
    Category = "类别", "Category";
    EscalatedComplaints = "越级投诉", "Escalated complaints";
    OverdueByDepartment = "未及时处理（按责任部门）", "Overdue by department";
    JustifiedByDepartment = "有理由投诉提及率（按部门）", "Justified complaints by department";
    ReasonCategory = "原因类别", "Reason category";
    DissatisfactionReasons = "不满意原因（按类别）", "Dissatisfaction reasons by category";
    ReasonsPareto = "不满意原因帕累托图", "Dissatisfaction reasons (Pareto)";
    SheetDissatisfiedDetail = "明细-不满意客户", "Detail - dissatisfied";
    DissatisfiedDetailTitle = "不满意客户二次跟踪", "Dissatisfied customers: second follow-up";
    SurveyId = "回访流水号", "Survey";
    SurveyedAt = "回访时间", "Surveyed";
    Satisfaction = "满意度", "Satisfaction";
    Timely = "处理及时", "Timely";
    Attitude = "人员态度", "Attitude";
    ReasonText = "不满意原因", "Reason";
    FollowUp = "跟踪结果", "Follow-up result";
    SatisfiedWord = "满意", "satisfied";
    NotSatisfiedWord = "不满意", "not satisfied";
    YesWord = "是", "yes";
    NoWord = "否", "no";
    // Renderers: fixed words of the workbook and the HTML page.
    TargetLine = "目标", "target";
    TargetSeries = "目标", "Target ";
    CumulativeShare = "累计占比", "Cumulative share";
    PercentPoints = "个百分点", " pp";
    MetWord = "达标", "met";
    NotMetWord = "未达标", "not met";
    ShowingFirst = "仅显示前", "showing the first";
    RowsInWorkbook = "行，全部明细见Excel工作簿。", "rows; the workbook has them all.";
    SheetRowLimit = "行（Excel工作表最多1,048,576行）", "rows (an Excel sheet holds 1,048,576 rows)";
    HtmlLang = "zh-CN", "en";
    Contents = "目录", "Contents";
    Generated = "生成日期", "Generated";
    SmallSample = "样本量小", "small sample";
    ShowDetail = "展开明细", "Show the detail";
    ReportSubject = "服务质量月报", "Service-quality report";
    PartSummary = "一、总体概述", "1. Summary";
    PartService = "二、服务指标", "2. Service";
    PartHotline = "三、话务", "3. Hotline";
    PartComplaints = "四、投诉管理", "4. Complaints";
    PartSatisfaction = "五、回访满意度", "5. Callback satisfaction";
    PartTrends = "六、预警与趋势", "6. Early warnings and trends";
    PartQuality = "七、数据质量", "7. Data quality";
    PartDefinitions = "八、指标口径", "8. Definitions";
    Continued = "（续）", " (cont.)";
    DeckAssessment = "投诉考核与典型案例", "Complaint assessment and cases";
    DeckCases = "本月典型案例", "Typical cases";
    DeckWorkPlan = "工作计划", "Work plan";
    DeckFillIn = "（在此填写下月工作计划）", "(next month's plan: write here)";
    WaterfallBase = "基准（不显示）", "Base (hidden)";
    WaterfallTotal = "期初/期末", "Before / after";
    WaterfallUp = "增加", "Rise";
    WaterfallDown = "减少", "Fall";
    SmallSampleNoteHtml = "* 样本量小（分母低于配置的小样本量），不宜据此排名。",
        "* small sample (denominator below the configured size): do not rank on it.";
    SmallSampleNoteSheet = "* 斜体带*号：样本量小（分母低于配置的小样本量），不宜据此排名。",
        "* in italics: small sample (denominator below the configured size); do not rank on it.";
    PercentPointsFormat = "+0.00\"个百分点\";-0.00\"个百分点\";0.00\"个百分点\"",
        "+0.00\" pp\";-0.00\" pp\";0.00\" pp\"";
}

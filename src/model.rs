//! The typed records of the month and the row ledger that accounts for every row read.

use chrono::NaiveDateTime;

use std::fmt;

/// Where a record came from: index into [`Ledger::sheets`] and the Excel row number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    /// Index of the sheet in the ledger.
    pub sheet: u32,
    /// Row number as Excel shows it.
    pub row: u32,
}

/// One hotline call offered to the manual queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// Origin.
    pub src: Source,
    /// 呼叫流水号.
    pub call_id: Option<String>,
    /// 来电时间.
    pub start_time: NaiveDateTime,
    /// 分公司.
    pub branch: Option<String>,
    /// 技能组.
    pub queue: Option<String>,
    /// 坐席工号.
    pub agent_id: Option<String>,
    /// 主叫号码.
    pub caller: Option<String>,
    /// Answered by an agent.
    pub answered: bool,
    /// 通话时长 in seconds.
    pub talk_seconds: Option<f64>,
    /// 等待时长 in seconds.
    pub wait_seconds: f64,
    /// 一次解决.
    pub resolved: Option<bool>,
}

/// Work-order type after value mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OrderType {
    /// 故障.
    Fault,
    /// 装移机.
    Install,
    /// 投诉.
    Complaint,
    /// Anything else: counted, not measured.
    Other,
}

impl OrderType {
    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            OrderType::Fault => "fault",
            OrderType::Install => "install",
            OrderType::Complaint => "complaint",
            OrderType::Other => "other",
        }
    }
}

/// One fault, installation, complaint or other work order.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkOrder {
    /// Origin.
    pub src: Source,
    /// 工单号.
    pub order_id: String,
    /// Mapped type.
    pub order_type: OrderType,
    /// 分公司.
    pub branch: String,
    /// 产品 (未分类 when missing).
    pub product: String,
    /// 用户号码.
    pub customer_id: Option<String>,
    /// 受理时间.
    pub created_at: NaiveDateTime,
    /// The deadline cell (a date-only deadline means the end of that day).
    pub deadline: Option<NaiveDateTime>,
    /// 完成时间; `None` = still open.
    pub completed_at: Option<NaiveDateTime>,
    /// 责任部门.
    pub department: Option<String>,
    /// 受理渠道.
    pub channel: Option<String>,
    /// 投诉类别.
    pub category: Option<String>,
    /// 故障现象.
    pub phenomenon: Option<String>,
    /// 故障原因.
    pub cause: Option<String>,
    /// 预处理.
    pub preprocessed: Option<bool>,
    /// 有理由.
    pub justified: Option<bool>,
    /// 一次关单.
    pub first_close: Option<bool>,
    /// What the complaint or report says (投诉内容).
    pub content: Option<String>,
    /// How it was handled (处理结果).
    pub result: Option<String>,
    /// The reply was regular (回单规范); `Some(false)` = 回单不规范.
    pub reply_ok: Option<bool>,
    /// Caused by a human error (人为差错).
    pub human_error: Option<bool>,
    /// The exchange, room or access device (局站).
    pub site: Option<String>,
}

/// One callback survey.
#[derive(Debug, Clone, PartialEq)]
pub struct Survey {
    /// Origin.
    pub src: Source,
    /// 回访流水号.
    pub survey_id: Option<String>,
    /// 关联工单号.
    pub order_id: Option<String>,
    /// 分公司 (filled from the work order when empty).
    pub branch: Option<String>,
    /// 回访时间.
    pub surveyed_at: NaiveDateTime,
    /// Reached the customer.
    pub contacted: bool,
    /// Satisfied (None: no answer).
    pub satisfied: Option<bool>,
    /// The raw satisfaction score when the answer was a number (scale decided per sheet).
    pub score: Option<f64>,
    /// 处理及时.
    pub timely: Option<bool>,
    /// 人员态度.
    pub attitude: Option<bool>,
    /// 不满意原因.
    pub reason: Option<String>,
}

/// The accounting of one sheet (or CSV file).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetLedger {
    /// File name as given (relative to the input folder).
    pub file: String,
    /// Sheet name (CSV: the file stem).
    pub sheet: String,
    /// Format read.
    pub format: String,
    /// Text encoding (CSV only).
    pub encoding: Option<String>,
    /// Kind, when classified.
    pub kind: Option<Kind>,
    /// Header row (Excel numbering), when found.
    pub header_row: Option<u32>,
    /// Non-blank rows below the header.
    pub rows_read: u64,
    /// Rows used for the month.
    pub used: u64,
    /// Rows of other months.
    pub out_of_period: u64,
    /// Rows that repeat a record already counted.
    pub duplicates: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Duplicates whose content differed from the kept row.
    pub conflicts: u64,
    /// Why the sheet was skipped, or another remark.
    pub note: Option<String>,
    /// Column label (letter and header text) of each matched field.
    pub columns: Vec<(&'static str, String)>,
}

impl SheetLedger {
    /// rows read = used + out of period + duplicates + rejected
    pub fn balances(&self) -> bool {
        self.rows_read == self.used + self.out_of_period + self.duplicates + self.rejected
    }
}

/// A row that could not be used, with everything needed to find and fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected {
    /// Origin.
    pub src: Source,
    /// Column letter and header, e.g. `D「申告时间」`.
    pub column: String,
    /// The cell as written.
    pub raw: String,
    /// Why.
    pub reason: String,
}

/// The same id read twice with different content.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// Kind of record.
    pub kind: Kind,
    /// The id.
    pub id: String,
    /// The row kept.
    pub kept: Source,
    /// The row dropped.
    pub dropped: Source,
    /// Fields that differ.
    pub fields: Vec<&'static str>,
}

/// Every row read, accounted for.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    /// Per sheet, in reading order.
    pub sheets: Vec<SheetLedger>,
    /// Rejected rows.
    pub rejected: Vec<Rejected>,
    /// Conflicting duplicates.
    pub conflicts: Vec<Conflict>,
    /// Files skipped whole (empty, not a spreadsheet extension, lock files).
    pub skipped_files: Vec<(String, String)>,
}

impl Ledger {
    /// Sum of all sheets.
    pub fn total(&self) -> SheetLedger {
        let mut t = SheetLedger::default();
        for s in &self.sheets {
            t.rows_read += s.rows_read;
            t.used += s.used;
            t.out_of_period += s.out_of_period;
            t.duplicates += s.duplicates;
            t.rejected += s.rejected;
            t.conflicts += s.conflicts;
        }
        t
    }

    /// Rejected rows / rows read (0 when nothing was read).
    pub fn rejected_share(&self) -> f64 {
        let t = self.total();
        if t.rows_read == 0 {
            0.0
        } else {
            t.rejected as f64 / t.rows_read as f64
        }
    }

    /// The column label of `field` in the sheet of `src` (the field name when unmatched).
    pub fn column(&self, src: Source, field: &str) -> String {
        let sheet = &self.sheets[src.sheet as usize];
        sheet.columns.iter().find(|(f, _)| *f == field).map_or_else(|| field.to_string(), |(_, l)| l.clone())
    }

    /// `file / sheet` of a source, for messages.
    pub fn locate(&self, src: Source) -> String {
        let s = &self.sheets[src.sheet as usize];
        if s.format == "csv" {
            format!("{} row {}", s.file, src.row)
        } else {
            format!("{} / {} row {}", s.file, s.sheet, src.row)
        }
    }
}

/// The month's records, ready for the metrics.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Calls of the month.
    pub calls: Vec<Call>,
    /// Work orders of the month.
    pub orders: Vec<WorkOrder>,
    /// Work orders of the 60 days before the month (rolling repeat window).
    pub earlier_orders: Vec<WorkOrder>,
    /// Surveys of the month.
    pub surveys: Vec<Survey>,
    /// The accounting.
    pub ledger: Ledger,
}

/// The three kinds of records svcq reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Hotline call records (话务明细).
    Calls,
    /// Fault, installation and complaint work orders (工单明细).
    WorkOrders,
    /// Callback surveys (回访明细).
    Surveys,
}

impl Kind {
    /// All kinds, in report order.
    pub const ALL: [Kind; 3] = [Kind::Calls, Kind::WorkOrders, Kind::Surveys];

    /// The config / CSV name of the kind.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Calls => "calls",
            Kind::WorkOrders => "work_orders",
            Kind::Surveys => "surveys",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Calls => "话务明细",
            Kind::WorkOrders => "工单明细",
            Kind::Surveys => "回访明细",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

//! The typed records of the month and the row ledger that accounts for every row read.

pub mod columns;

use std::borrow::Cow;

use chrono::NaiveDateTime;

use columns::{Column, Dict, Ids, Labels, OptNums, OptTimes, Text, Times};

use std::fmt;

/// Where a record came from: index into [`Ledger::sheets`] and the Excel row number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Source {
    /// Index of the sheet in the ledger.
    pub sheet: u32,
    /// Row number as Excel shows it.
    pub row: u32,
}

/// Declare a table: a row type whose fields borrow (`Cow`) and a columnar table holding the
/// same fields as [`Column`]s, with `push`, `row`, `iter`, `append` and `select`.
macro_rules! table {
    ($(#[$rdoc:meta])* $row:ident, $(#[$tdoc:meta])* $table:ident {
        $($(#[$fdoc:meta])* $field:ident : $rty:ty => $col:ty),* $(,)?
    }) => {
        $(#[$rdoc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $row<'a> {
            /// Origin.
            pub src: Source,
            $($(#[$fdoc])* pub $field: $rty,)*
        }

        $(#[$tdoc])*
        #[derive(Debug, Clone, Default)]
        pub struct $table {
            /// Origin of each row.
            pub src: Vec<Source>,
            $($(#[$fdoc])* pub $field: $col,)*
        }

        impl $table {
            /// Number of rows.
            pub fn len(&self) -> usize {
                self.src.len()
            }

            /// No rows.
            pub fn is_empty(&self) -> bool {
                self.src.is_empty()
            }

            /// Append a row.
            pub fn push(&mut self, r: &$row<'_>) {
                self.src.push(r.src);
                $(Column::push(&mut self.$field, &r.$field);)*
            }

            /// Row `i` (borrowing the table's text).
            pub fn row(&self, i: usize) -> $row<'_> {
                $row { src: self.src[i], $($field: Column::at(&self.$field, i),)* }
            }

            /// Every row, in order.
            pub fn iter(&self) -> impl Iterator<Item = $row<'_>> + '_ {
                (0..self.len()).map(|i| self.row(i))
            }

            /// Append another table's rows, shifting their sheet index by `sheet_offset`.
            pub fn append(&mut self, other: $table, sheet_offset: u32) {
                let mut src = other.src;
                if sheet_offset > 0 {
                    for s in &mut src {
                        s.sheet += sheet_offset;
                    }
                }
                Column::append(&mut self.src, src);
                $(Column::append(&mut self.$field, other.$field);)*
            }

            /// The rows whose `keep` is true, in order.
            pub fn select(&self, keep: &[bool]) -> $table {
                $table { src: self.src.select(keep), $($field: self.$field.select(keep),)* }
            }

            /// Keep only the rows whose `keep` is true, in place.
            pub fn retain(&mut self, keep: &[bool]) {
                Column::retain(&mut self.src, keep);
                $(Column::retain(&mut self.$field, keep);)*
            }

            /// The rows of `parts` in order, each column allocated once at its final size and
            /// the parts' columns freed as it is done; the columns are jobs for both cores
            /// (peak: the parts plus the columns in the making, one per core).
            pub fn concat(mut parts: Vec<$table>) -> $table {
                let mut out = $table::default();
                let whole = &mut out;
                rayon::scope(|scope| {
                    let src: Vec<_> = parts.iter_mut().map(|p| std::mem::take(&mut p.src)).collect();
                    let slot = &mut whole.src;
                    scope.spawn(move |_| *slot = Column::concat(src));
                    $(
                        let column: Vec<_> = parts.iter_mut().map(|p| std::mem::take(&mut p.$field)).collect();
                        let slot = &mut whole.$field;
                        scope.spawn(move |_| *slot = Column::concat(column));
                    )*
                });
                out
            }

            /// Put the rows in `order` (row `order[k]` becomes row `k`), the columns as jobs
            /// for both cores (the month's table plus a column per core in memory at once).
            pub fn permute(&mut self, order: &[u32]) {
                rayon::scope(|scope| {
                    let slot = &mut self.src;
                    scope.spawn(move |_| *slot = Column::gather(&*slot, order));
                    $(
                        let slot = &mut self.$field;
                        scope.spawn(move |_| *slot = Column::gather(&*slot, order));
                    )*
                });
            }

            /// Heap bytes of each column (`src` first), for `-v`'s account of memory.
            pub fn heap_bytes(&self) -> Vec<(&'static str, usize)> {
                vec![("src", Column::heap_bytes(&self.src)), $((stringify!($field), Column::heap_bytes(&self.$field)),)*]
            }

            /// Heap bytes of all the columns together.
            pub fn heap_total(&self) -> usize {
                Column::heap_bytes(&self.src) $(+ Column::heap_bytes(&self.$field))*
            }

            /// Add `offset` to every row's sheet index.
            pub fn shift_sheets(&mut self, offset: u32) {
                for s in &mut self.src {
                    s.sheet += offset;
                }
            }

            /// Make room for `n` more rows.
            pub fn reserve(&mut self, n: usize) {
                Column::reserve(&mut self.src, n);
                $(Column::reserve(&mut self.$field, n);)*
            }
        }

        impl<'a> FromIterator<$row<'a>> for $table {
            fn from_iter<I: IntoIterator<Item = $row<'a>>>(rows: I) -> Self {
                let mut t = $table::default();
                for r in rows {
                    t.push(&r);
                }
                t
            }
        }
    };
}

table! {
    /// One hotline call offered to the manual queue.
    Call,
    /// The calls, one column per field.
    Calls {
        /// 呼叫流水号.
        call_id: Option<Cow<'a, str>> => Text,
        /// 来电时间.
        start_time: NaiveDateTime => Times,
        /// 分公司.
        branch: Option<Cow<'a, str>> => Dict,
        /// 技能组.
        queue: Option<Cow<'a, str>> => Dict,
        /// 坐席工号.
        agent_id: Option<Cow<'a, str>> => Dict,
        /// 主叫号码.
        caller: Option<Cow<'a, str>> => Text,
        /// Answered by an agent.
        answered: bool => Vec<bool>,
        /// 通话时长 in seconds.
        talk_seconds: Option<f64> => OptNums,
        /// 等待时长 in seconds.
        wait_seconds: f64 => Vec<f64>,
        /// 一次解决.
        resolved: Option<bool> => Vec<Option<bool>>,
    }
}

/// Work-order type after value mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum OrderType {
    /// 故障.
    Fault,
    /// 装移机.
    Install,
    /// 投诉.
    Complaint,
    /// Anything else: counted, not measured.
    #[default]
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

table! {
    /// One fault, installation, complaint or other work order.
    WorkOrder,
    /// The work orders, one column per field.
    Orders {
        /// 工单号.
        order_id: Cow<'a, str> => Ids,
        /// Mapped type.
        order_type: OrderType => Vec<OrderType>,
        /// 分公司.
        branch: Cow<'a, str> => Labels,
        /// 产品 (未分类 when missing).
        product: Cow<'a, str> => Labels,
        /// 用户号码.
        customer_id: Option<Cow<'a, str>> => Text,
        /// 受理时间.
        created_at: NaiveDateTime => Times,
        /// The deadline cell (a date-only deadline means the end of that day).
        deadline: Option<NaiveDateTime> => OptTimes,
        /// 完成时间; `None` = still open.
        completed_at: Option<NaiveDateTime> => OptTimes,
        /// 责任部门.
        department: Option<Cow<'a, str>> => Dict,
        /// 受理渠道.
        channel: Option<Cow<'a, str>> => Dict,
        /// 投诉类别.
        category: Option<Cow<'a, str>> => Dict,
        /// 故障现象.
        phenomenon: Option<Cow<'a, str>> => Dict,
        /// 故障原因.
        cause: Option<Cow<'a, str>> => Dict,
        /// 预处理.
        preprocessed: Option<bool> => Vec<Option<bool>>,
        /// 有理由.
        justified: Option<bool> => Vec<Option<bool>>,
        /// 一次关单.
        first_close: Option<bool> => Vec<Option<bool>>,
        /// What the complaint or report says (投诉内容).
        content: Option<Cow<'a, str>> => Text,
        /// How it was handled (处理结果).
        result: Option<Cow<'a, str>> => Text,
        /// The reply was regular (回单规范); `Some(false)` = 回单不规范.
        reply_ok: Option<bool> => Vec<Option<bool>>,
        /// Caused by a human error (人为差错).
        human_error: Option<bool> => Vec<Option<bool>>,
        /// The exchange, room or access device (局站).
        site: Option<Cow<'a, str>> => Dict,
    }
}

#[cfg(test)]
impl WorkOrder<'static> {
    /// A work order for unit tests: order X, 东区, E8, customer c, created 2026-10-01 00:00,
    /// every other cell empty.
    pub(crate) fn blank(order_type: OrderType) -> Self {
        WorkOrder {
            src: Source { sheet: 0, row: 2 },
            order_id: "X".into(),
            order_type,
            branch: "东区".into(),
            product: "E8".into(),
            customer_id: Some("c".into()),
            created_at: chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .unwrap_or_default(),
            deadline: None,
            completed_at: None,
            department: None,
            channel: None,
            category: None,
            phenomenon: None,
            cause: None,
            preprocessed: None,
            justified: None,
            first_close: None,
            content: None,
            result: None,
            reply_ok: None,
            human_error: None,
            site: None,
        }
    }
}

impl Orders {
    /// For each of `ids` that an order has, `value` of the last such order that has one: one
    /// pass over the orders, a map of the ids asked only (never of every order).
    pub fn last_values<'a>(
        &'a self,
        ids: impl IntoIterator<Item = &'a str>,
        value: impl Fn(usize) -> Option<&'a str>,
    ) -> rustc_hash::FxHashMap<&'a str, &'a str> {
        let mut found: rustc_hash::FxHashMap<&str, Option<&str>> = ids.into_iter().map(|id| (id, None)).collect();
        if !found.is_empty() {
            for i in 0..self.len() {
                if let Some(slot) = found.get_mut(self.order_id.get(i)) {
                    if let Some(v) = value(i) {
                        *slot = Some(v);
                    }
                }
            }
        }
        found.into_iter().filter_map(|(id, v)| Some((id, v?))).collect()
    }
}

table! {
    /// One callback survey.
    Survey,
    /// The surveys, one column per field.
    Surveys {
        /// 回访流水号.
        survey_id: Option<Cow<'a, str>> => Text,
        /// 关联工单号.
        order_id: Option<Cow<'a, str>> => Text,
        /// 分公司 (filled from the work order when empty).
        branch: Option<Cow<'a, str>> => Dict,
        /// 回访时间.
        surveyed_at: NaiveDateTime => Times,
        /// Reached the customer.
        contacted: bool => Vec<bool>,
        /// Satisfied (None: no answer).
        satisfied: Option<bool> => Vec<Option<bool>>,
        /// The raw satisfaction score when the answer was a number (scale decided per sheet).
        score: Option<f64> => Vec<Option<f64>>,
        /// 处理及时.
        timely: Option<bool> => Vec<Option<bool>>,
        /// 人员态度.
        attitude: Option<bool> => Vec<Option<bool>>,
        /// 不满意原因.
        reason: Option<Cow<'a, str>> => Text,
    }
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
    /// Rows of totals (合计, 总计, 小计) or notes after the data (数据来源：…): not data.
    pub footer: u64,
    /// Why the sheet was skipped, or another remark.
    pub note: Option<String>,
    /// Column label (letter and header text) of each matched field.
    pub columns: Vec<(&'static str, String)>,
    /// How each of [`columns`](Self::columns) was matched ("alias", "by containment", "group
    /// header joined"), in the same order.
    pub matched_by: Vec<&'static str>,
    /// For fields no header matched: the column proposed, with its evidence.
    pub proposals: Vec<Proposal>,
}

impl SheetLedger {
    /// rows read = used + out of period + duplicates + rejected + footer
    pub fn balances(&self) -> bool {
        self.rows_read == self.used + self.out_of_period + self.duplicates + self.rejected + self.footer
    }
}

/// A column proposed for a field that no header matched, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// The field.
    pub field: &'static str,
    /// Column letter and header, e.g. `D「排队等待(秒)」`.
    pub column: String,
    /// The header as written.
    pub header: String,
    /// The evidence: the content profile and the header's likeness.
    pub evidence: String,
}

/// A sheet that looks like an export of a kind but cannot be read as one: the run stops.
#[derive(Debug, Clone, PartialEq)]
pub struct Unreadable {
    /// The sheet's index in the ledger.
    pub sheet: u32,
    /// The kind it looks like.
    pub kind: Kind,
    /// Its header row (Excel numbering).
    pub header_row: u32,
    /// Why it looks like an export of that kind.
    pub why: String,
    /// The required fields no column matched.
    pub missing: Vec<&'static str>,
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

/// One cause of rejected rows: where, why and how many.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectionCause {
    /// The file.
    pub file: String,
    /// The sheet (none for a CSV).
    pub sheet: Option<String>,
    /// Column letter and header.
    pub column: String,
    /// Why.
    pub reason: String,
    /// Rows rejected for it.
    pub rows: u64,
}

impl std::fmt::Display for RejectionCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let place = match &self.sheet {
            Some(s) => format!("{} / {s}", self.file),
            None => self.file.clone(),
        };
        write!(f, "{} rows: {place}, column {}: {}", self.rows, self.column, self.reason)
    }
}

/// A rejection reason without the ids written into it ("关联工单号GZ17在工单中找不到" →
/// "关联工单号…在工单中找不到"), so rows rejected for the same cause group together.
fn cause_of(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut rest = reason;
    for marker in ["工单号", "order id "] {
        if let Some(at) = rest.find(marker) {
            let after = at + marker.len();
            out.push_str(&rest[..after]);
            let tail = &rest[after..];
            let end = tail.find(|c: char| c.is_whitespace() || "，,()（）".contains(c)).unwrap_or(tail.len());
            out.push('…');
            rest = &tail[end..];
        }
    }
    out.push_str(rest);
    out
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
    /// Sheets that look like an export but cannot be read (a report must not be written).
    pub unreadable: Vec<Unreadable>,
}

impl Ledger {
    /// Count the rows of `sources` as used, each on its sheet.
    pub fn count_used<'s>(&mut self, sources: impl Iterator<Item = &'s Source>) {
        for src in sources {
            if let Some(s) = self.sheets.get_mut(src.sheet as usize) {
                s.used += 1;
            }
        }
    }

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
            t.footer += s.footer;
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

    /// The causes that account for most rejected rows: rejected rows grouped by (sheet,
    /// column, reason), the `n` biggest first (ties: reading order). A reason's own ids (an
    /// order id named in it) are not part of its cause.
    pub fn top_rejections(&self, n: usize) -> Vec<RejectionCause> {
        let mut counts: rustc_hash::FxHashMap<(u32, &str, String), (u64, usize)> = rustc_hash::FxHashMap::default();
        for (i, r) in self.rejected.iter().enumerate() {
            let e = counts.entry((r.src.sheet, r.column.as_str(), cause_of(&r.reason))).or_insert((0, i));
            e.0 += 1;
        }
        let mut v: Vec<_> = counts.into_iter().collect();
        v.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.1 .1.cmp(&b.1 .1)));
        v.into_iter()
            .take(n)
            .map(|((sheet, column, reason), (rows, _))| {
                let sh = &self.sheets[sheet as usize];
                RejectionCause {
                    file: sh.file.clone(),
                    sheet: (sh.format != "csv").then(|| sh.sheet.clone()),
                    column: column.to_string(),
                    reason,
                    rows,
                }
            })
            .collect()
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
    pub calls: Calls,
    /// Work orders of the month.
    pub orders: Orders,
    /// Work orders of the 60 days before the month (rolling repeat window).
    pub earlier_orders: Orders,
    /// Surveys of the month.
    pub surveys: Surveys,
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

impl Dataset {
    /// The records of one branch only (calls and surveys without a branch belong to none), in
    /// their order. The orders' and surveys' dictionaries hold only that branch's values; the
    /// calls' keep the whole's (their rows are selected, not re-read). A report's calls are
    /// held apart in their canonical order (`metrics::OrderedCalls::for_branch` selects a
    /// branch's, and `Ledger::count_used` counts them). The ledger keeps its sheets (so sources
    /// still locate), counts only the branch's used rows per sheet, and drops the rejected rows,
    /// conflicts and skipped files, which belong to the whole run.
    pub fn for_branch(&self, branch: &str) -> Dataset {
        let mine: Vec<bool> = (0..self.calls.len()).map(|i| self.calls.branch.get(i) == Some(branch)).collect();
        let calls = self.calls.select(&mine);
        let orders: Orders = self.orders.iter().filter(|r| r.branch == branch).collect();
        let earlier_orders: Orders = self.earlier_orders.iter().filter(|r| r.branch == branch).collect();
        let surveys: Surveys = self.surveys.iter().filter(|r| r.branch.as_deref() == Some(branch)).collect();
        let sheets: Vec<SheetLedger> = self
            .ledger
            .sheets
            .iter()
            .map(|s| SheetLedger {
                rows_read: 0,
                used: 0,
                out_of_period: 0,
                duplicates: 0,
                rejected: 0,
                conflicts: 0,
                note: None,
                ..s.clone()
            })
            .collect();
        let mut ledger = Ledger {
            sheets,
            rejected: Vec::new(),
            conflicts: Vec::new(),
            skipped_files: Vec::new(),
            unreadable: Vec::new(),
        };
        ledger.count_used(calls.src.iter().chain(&orders.src).chain(&surveys.src));
        Dataset { calls, orders, earlier_orders, surveys, ledger }
    }
}

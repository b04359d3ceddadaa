//! Header-row detection, alias matching and classification of sheets by kind.

use std::collections::HashMap;

use rustc_hash::FxHashMap;

use super::value::Cell;

pub(crate) use crate::model::Kind;

impl Kind {
    /// Fields of this kind with their built-in aliases (SPEC §2.1–2.3).
    pub fn fields(self) -> &'static [(&'static str, &'static [&'static str])] {
        match self {
            Kind::Calls => &[
                ("call_id", &["呼叫流水号", "流水号", "呼叫ID", "话单号"]),
                ("start_time", &["来电时间", "呼入时间", "开始时间", "呼叫时间", "进线时间"]),
                ("branch", &["分公司", "所属分公司", "区县", "归属分公司"]),
                ("queue", &["技能组", "队列", "业务类型"]),
                ("agent_id", &["坐席工号", "工号", "话务员工号"]),
                ("caller", &["主叫号码", "来电号码", "客户号码"]),
                ("answered", &["是否接通", "接通标志", "人工接通"]),
                ("talk_seconds", &["通话时长"]),
                ("wait_seconds", &["等待时长", "排队时长", "应答时长", "振铃时长"]),
                ("resolved", &["是否一次解决", "一次解决", "直接解决", "一线解决"]),
            ],
            Kind::WorkOrders => &[
                ("order_id", &["工单号", "工单编号", "单号", "工单流水号", "受理单号"]),
                ("order_type", &["工单类型", "类型", "单据类型"]),
                ("branch", &["分公司", "所属分公司", "区县分公司", "维护单位"]),
                ("product", &["产品", "品牌", "业务品牌", "产品类型", "业务类型"]),
                ("customer_id", &["用户号码", "设备号码", "申告号码", "客户号码", "接入号码", "业务号码"]),
                ("created_at", &["受理时间", "申告时间", "建单时间", "派单时间", "创建时间"]),
                ("deadline", &["预约时间", "承诺时间", "时限", "要求完成时间", "约定时间"]),
                ("completed_at", &["完成时间", "竣工时间", "修复时间", "恢复时间", "回单时间", "销障时间", "归档时间"]),
                ("department", &["责任部门", "处理部门", "承办部门"]),
                ("channel", &["受理渠道", "投诉渠道", "投诉来源", "来源"]),
                ("category", &["投诉类别", "投诉分类", "问题分类"]),
                ("phenomenon", &["故障现象", "申告现象"]),
                ("cause", &["故障原因", "原因", "障碍原因"]),
                ("preprocessed", &["是否预处理", "预处理"]),
                ("justified", &["是否有理由", "有理由投诉", "责任认定"]),
                ("first_close", &["一次关单", "是否一次关单"]),
                // SPEC §7.1: for the assessment, escalations, cases and incidents.
                ("content", &["投诉内容", "申告内容", "问题描述", "受理内容"]),
                ("result", &["处理结果", "处理情况", "回复内容"]),
                ("reply_ok", &["回单规范", "回单是否规范"]),
                ("human_error", &["人为差错", "人为原因", "是否人为"]),
                ("site", &["局站", "机房", "接入设备", "设备名称"]),
            ],
            Kind::Surveys => &[
                ("survey_id", &["回访流水号", "回访编号"]),
                ("order_id", &["工单号", "关联工单号", "投诉单号"]),
                ("branch", &["分公司", "所属分公司", "区县"]),
                ("surveyed_at", &["回访时间", "回访日期"]),
                ("contacted", &["是否接通", "回访成功", "接触成功", "回访结果", "是否成功"]),
                ("satisfaction", &["满意度", "客户满意度", "总体满意度", "满意度评价"]),
                ("timely", &["处理及时", "是否及时", "处理及时性"]),
                ("attitude", &["人员态度", "服务态度", "态度满意"]),
                ("reason", &["不满意原因", "原因说明", "备注"]),
            ],
        }
    }

    /// Whether the matched columns are enough to read this kind.
    /// `type_given`: the order type comes from a `[files]` rule.
    pub fn has_required(self, cols: &Columns, type_given: bool) -> bool {
        let has = |f: &str| cols.contains_key(f);
        match self {
            Kind::Calls => has("start_time") && has("wait_seconds") && (has("answered") || has("talk_seconds")),
            Kind::WorkOrders => {
                has("order_id") && has("branch") && has("created_at") && (type_given || has("order_type"))
            }
            Kind::Surveys => has("surveyed_at") && has("contacted"),
        }
    }

    /// The required columns in words, for "matched nothing" messages.
    pub fn required_text(self) -> &'static str {
        match self {
            Kind::Calls => {
                "start_time(来电时间) + wait_seconds(等待时长) + answered(是否接通) 或 talk_seconds(通话时长)"
            }
            Kind::WorkOrders => "order_id(工单号) + order_type(工单类型) + branch(分公司) + created_at(受理时间)",
            Kind::Surveys => "surveyed_at(回访时间) + contacted(是否接通/回访结果)",
        }
    }
}

/// Normalise a header (or value) for matching: full-width forms to half-width,
/// lower case, no white space, and a trailing bracketed unit removed
/// (`等待时长（秒）` → `等待时长`).
pub(crate) fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '【' => '[',
            '】' => ']',
            other => other,
        };
        if c.is_whitespace() || c == '*' {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    // Strip one trailing unit suffix in brackets, e.g. (秒), [s], (分钟).
    for (open, close) in [('(', ')'), ('[', ']')] {
        if out.ends_with(close) {
            if let Some(i) = out.rfind(open) {
                if i > 0 {
                    out.truncate(i);
                }
            }
            break;
        }
    }
    out
}

/// Aliases this long (in characters) or longer are also found inside a longer header
/// (`呼入开始时间` holds `开始时间`); shorter ones (类型, 原因, 单号) only match whole, so
/// `客户类型` is never taken for an order type.
pub(crate) const MIN_CONTAINED_ALIAS: usize = 3;

/// How a column came to hold a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum How {
    /// The header is an alias (after normalising).
    Exact,
    /// The header contains an alias of exactly one field (the longest alias wins).
    Containment,
    /// A two-row header: the group cell above joined to the cell below (满意度评价/总体).
    Joined,
}

impl How {
    /// As `svcq check` says it.
    pub(crate) fn words(self) -> &'static str {
        match self {
            How::Exact => "alias",
            How::Containment => "by containment",
            How::Joined => "group header joined",
        }
    }
}

/// A row's columns matched to one kind's fields.
#[derive(Debug, Clone, Default)]
pub(crate) struct Matched {
    /// Field → column index.
    pub columns: Columns,
    /// Field → how it was matched.
    pub how: FxHashMap<&'static str, How>,
}

/// Alias lookup tables for every kind, built from the built-in aliases and the config's extras.
#[derive(Debug, Clone)]
pub(crate) struct Aliases {
    maps: HashMap<Kind, HashMap<String, &'static str>>,
    /// Per kind: (normalised alias of at least [`MIN_CONTAINED_ALIAS`] characters, field),
    /// longest first.
    contained: HashMap<Kind, Vec<(String, &'static str)>>,
}

impl Aliases {
    /// Build the tables. `extra` maps kind → field → additional header names.
    pub(crate) fn new(extra: &HashMap<Kind, HashMap<String, Vec<String>>>) -> Self {
        let (mut maps, mut contained) = (HashMap::new(), HashMap::new());
        for kind in Kind::ALL {
            let mut m = HashMap::new();
            for (field, aliases) in kind.fields() {
                m.insert(normalize(field), *field);
                for a in *aliases {
                    m.insert(normalize(a), *field);
                }
                if let Some(extra) = extra.get(&kind).and_then(|e| e.get(*field)) {
                    for a in extra {
                        m.insert(normalize(a), *field);
                    }
                }
            }
            let mut long: Vec<(String, &'static str)> = m
                .iter()
                .filter(|(a, _)| a.chars().count() >= MIN_CONTAINED_ALIAS)
                .map(|(a, f)| (a.clone(), *f))
                .collect();
            long.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then_with(|| a.0.cmp(&b.0)));
            contained.insert(kind, long);
            maps.insert(kind, m);
        }
        Aliases { maps, contained }
    }

    /// Match a row of header cells for one kind: field → column index (first match wins).
    pub(crate) fn match_row(&self, kind: Kind, row: &[Cell]) -> Columns {
        self.match_names(kind, &header_texts(row)).columns
    }

    /// Match header names for one kind: every name that is an alias first (the first column
    /// wins a field), then names that contain an alias of one field ([`How::Containment`]).
    pub(crate) fn match_names(&self, kind: Kind, names: &[String]) -> Matched {
        let map = &self.maps[&kind];
        let norm: Vec<String> = names.iter().map(|n| normalize(n)).collect();
        let mut m = Matched::default();
        for (i, n) in norm.iter().enumerate() {
            if let Some(field) = map.get(n) {
                if !m.columns.contains_key(field) {
                    m.columns.insert(field, i);
                    m.how.insert(field, How::Exact);
                }
            }
        }
        for (i, n) in norm.iter().enumerate() {
            if n.is_empty() || map.contains_key(n) {
                continue;
            }
            if let Some(field) = self.contained_field(kind, n) {
                if !m.columns.contains_key(field) {
                    m.columns.insert(field, i);
                    m.how.insert(field, How::Containment);
                }
            }
        }
        m
    }

    /// The one field with an alias that holds `text` (two characters or more): the cell
    /// below a group header, `态度` under 满意度评价 (人员态度, 服务态度).
    pub(crate) fn field_holding(&self, kind: Kind, text: &str) -> Option<&'static str> {
        let t = normalize(text);
        if t.chars().count() < 2 {
            return None;
        }
        let mut found: Option<&'static str> = None;
        for (alias, field) in &self.maps[&kind] {
            if alias.contains(t.as_str()) {
                match found {
                    Some(f) if f != *field => return None,
                    _ => found = Some(field),
                }
            }
        }
        found
    }

    /// The one field whose longest alias inside `name` is longer than any other field's.
    fn contained_field(&self, kind: Kind, name: &str) -> Option<&'static str> {
        let list = &self.contained[&kind];
        let (at, (first, field)) = list.iter().enumerate().find(|(_, (a, _))| name.contains(a.as_str()))?;
        let len = first.chars().count();
        let rival = list[at + 1..]
            .iter()
            .take_while(|(a, _)| a.chars().count() == len)
            .any(|(a, f)| f != field && name.contains(a.as_str()));
        (!rival).then_some(*field)
    }
}

/// The text of each header cell (empty for a blank cell), as written.
pub(crate) fn header_texts(row: &[Cell]) -> Vec<String> {
    row.iter().map(|c| if c.is_blank() { String::new() } else { c.raw().trim().to_string() }).collect()
}

/// Field → column index (looked up for every cell read: a fast hash).
pub(crate) type Columns = FxHashMap<&'static str, usize>;

/// A detected header: where it is, which kind, and which column holds each field.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    /// The kind the sheet was classified as.
    pub kind: Kind,
    /// Field → column index.
    pub columns: Columns,
    /// Header cell texts, by column (for messages).
    pub names: Vec<String>,
    /// Column index of each field, by the field's place in [`Kind::fields`] (read for every
    /// cell: no hashing or string comparison per row).
    pub slots: Vec<Option<usize>>,
    /// How each matched field was found.
    pub how: FxHashMap<&'static str, How>,
    /// By slot: the constant a `[[files]]` rule gives a field without a column.
    pub constants: Vec<Option<Cell<'static>>>,
}

impl Header {
    /// A header of `kind` with these columns.
    pub(crate) fn new(kind: Kind, matched: Matched, names: Vec<String>) -> Header {
        let slots: Vec<Option<usize>> = kind.fields().iter().map(|(f, _)| matched.columns.get(f).copied()).collect();
        let constants = vec![None; slots.len()];
        Header { kind, columns: matched.columns, names, slots, how: matched.how, constants }
    }

    /// Give fields without a column their constants (`[[files]]`): (field, value).
    pub(crate) fn set_constants(&mut self, constants: &[(&'static str, String)]) {
        for (slot, (field, _)) in self.kind.fields().iter().enumerate() {
            if self.slots[slot].is_none() {
                self.constants[slot] = constants
                    .iter()
                    .find(|(f, _)| f == field)
                    .map(|(_, v)| Cell::Text(std::borrow::Cow::Owned(v.clone())));
            }
        }
    }
}

/// Find the header among the first rows: the first row that holds the required columns of
/// some kind. When a row qualifies for several kinds, the kind with the most matched
/// columns wins (ties: calls, work orders, surveys). `forced` limits the search to one kind.
#[cfg(test)]
pub(crate) fn detect(aliases: &Aliases, rows: &[Vec<Cell>], forced: Option<Kind>, type_given: bool) -> Option<Header> {
    rows.iter().take(20).find_map(|row| detect_names(aliases, &header_texts(row), forced, type_given, &[]))
}

/// The header a row of names is, if it holds the required columns of some kind (see
/// [`detect`]).
pub(crate) fn detect_names(
    aliases: &Aliases,
    names: &[String],
    forced: Option<Kind>,
    type_given: bool,
    given: &[&'static str],
) -> Option<Header> {
    let mut best: Option<(Kind, Matched)> = None;
    for kind in Kind::ALL {
        if forced.is_some_and(|f| f != kind) {
            continue;
        }
        let m = aliases.match_names(kind, names);
        // Fields a [[files]] rule gives count as present.
        let mut probe = m.columns.clone();
        for g in given {
            probe.entry(g).or_insert(usize::MAX);
        }
        let type_given = type_given && kind == Kind::WorkOrders;
        if kind.has_required(&probe, type_given) && best.as_ref().is_none_or(|(_, b)| m.columns.len() > b.columns.len())
        {
            best = Some((kind, m));
        }
    }
    best.map(|(kind, m)| Header::new(kind, m, names.to_vec()))
}

/// Excel column letters for a 0-based index: 0 → A, 26 → AA.
pub(crate) fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[&'static str]) -> Vec<Cell<'static>> {
        v.iter().map(|s| if s.is_empty() { Cell::Empty } else { Cell::Text((*s).into()) }).collect()
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize("等待时长(秒)"), "等待时长");
        assert_eq!(normalize("等待时长（秒）"), "等待时长");
        assert_eq!(normalize(" 通话 时长 【秒】"), "通话时长");
        assert_eq!(normalize("Start_Time"), "start_time");
        assert_eq!(normalize("ＡＢＣ１２"), "abc12");
        assert_eq!(normalize("\u{3000}工单号\u{3000}"), "工单号");
        assert_eq!(normalize("(秒)"), "(秒)");
    }

    #[test]
    fn header_below_title_rows() {
        let al = Aliases::new(&HashMap::new());
        let rows = vec![
            texts(&["2009年7月故障工单明细", "", ""]),
            texts(&[]),
            texts(&["工单编号", "工单类型", "所属分公司", "申告时间（时间）", "用户号码", "故障原因"]),
        ];
        let h = detect(&al, &rows, None, false).unwrap();
        assert_eq!(h.names[0], "工单编号", "the third row is the header");
        assert_eq!(h.kind, Kind::WorkOrders);
        assert_eq!(h.columns["created_at"], 3);
        assert_eq!(h.columns["cause"], 5);
    }

    #[test]
    fn classification_picks_the_kind_with_required_columns() {
        let al = Aliases::new(&HashMap::new());
        let calls = vec![texts(&["流水号", "来电时间", "等待时长(秒)", "通话时长(秒)", "分公司"])];
        assert_eq!(detect(&al, &calls, None, false).unwrap().kind, Kind::Calls);
        let surveys = vec![texts(&["回访时间", "工单号", "是否接通", "满意度", "分公司"])];
        assert_eq!(detect(&al, &surveys, None, false).unwrap().kind, Kind::Surveys);
        // Work orders without a type column only with a [files] rule.
        let wo = vec![texts(&["工单号", "分公司", "受理时间"])];
        assert!(detect(&al, &wo, None, false).is_none());
        assert_eq!(detect(&al, &wo, Some(Kind::WorkOrders), true).unwrap().kind, Kind::WorkOrders);
        let nothing = vec![texts(&["姓名", "年龄"])];
        assert!(detect(&al, &nothing, None, false).is_none());
    }

    #[test]
    fn config_aliases_extend_matching() {
        let mut extra = HashMap::new();
        extra.insert(Kind::Calls, HashMap::from([("wait_seconds".to_string(), vec!["排队等候".to_string()])]));
        let al = Aliases::new(&extra);
        let rows = vec![texts(&["来电时间", "排队等候", "是否接通"])];
        assert_eq!(detect(&al, &rows, None, false).unwrap().columns["wait_seconds"], 1);
    }

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }
}

//! Which slides the deck has and what is where on each (SPEC §8.3): the model report's
//! order, each section's sentences as bullets beside its main chart, its tables cut into
//! slide-sized pieces ("（续）"), nothing outside the slide.

use super::table::{measure, packed, table_slides, whole_h, Measure};
use crate::config::Lang;
use crate::report::{Chart, ChartKind, Label, Report, Section, Table};

/// EMU per point.
pub(super) const PT: i64 = 12_700;

/// The slide size, in EMU.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    /// Width.
    pub w: i64,
    /// Height.
    pub h: i64,
}

impl Frame {
    /// The side margin.
    pub(super) fn margin(self) -> i64 {
        self.w * 3 / 80
    }
    /// Where the content starts (below the title and its rule).
    pub(super) fn top(self) -> i64 {
        self.h / 6
    }
    /// Where the content ends (above the footer).
    pub(super) fn bottom(self) -> i64 {
        self.h - self.h * 2 / 27
    }
    /// The content's width.
    pub(super) fn width(self) -> i64 {
        self.w - 2 * self.margin()
    }
    /// The title's box (the built-in master's; a template's layout has its own).
    pub(super) fn title(self) -> Rect {
        Rect { x: self.margin(), y: self.h / 25, w: self.width(), h: self.h / 10 }
    }
}

/// A box on the slide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    /// Left.
    pub x: i64,
    /// Top.
    pub y: i64,
    /// Width.
    pub w: i64,
    /// Height.
    pub h: i64,
}

/// A paragraph of a text box.
#[derive(Debug, Clone)]
pub(super) struct Para {
    /// The text (cut to fit).
    pub text: String,
    /// Size in points.
    pub size: u32,
    /// Bold.
    pub bold: bool,
    /// Colour (RGB), else the theme's text colour.
    pub colour: Option<u32>,
    /// A bullet.
    pub bullet: bool,
    /// Centred.
    pub centre: bool,
}

impl Para {
    pub(super) fn new(text: String, size: u32) -> Para {
        Para { text, size, bold: false, colour: None, bullet: false, centre: false }
    }
}

/// A table cell, formatted as on the page.
#[derive(Debug, Clone)]
pub(super) struct TCell {
    /// The text (cut to the column).
    pub text: String,
    /// Numbers are right-aligned.
    pub right: bool,
    /// Fill (RGB).
    pub fill: Option<u32>,
    /// Text colour (RGB).
    pub colour: Option<u32>,
    /// Bold (header, total).
    pub bold: bool,
}

/// A table's piece on one slide.
#[derive(Debug, Clone)]
pub(super) struct TableFrame {
    /// Column widths (EMU).
    pub cols: Vec<i64>,
    /// Rows: height and cells (the header first).
    pub rows: Vec<(i64, Vec<TCell>)>,
    /// Font size (points).
    pub size: u32,
}

/// What is on a slide.
#[derive(Debug, Clone)]
pub(super) enum Shape<'a> {
    /// A text box.
    Text {
        /// Where.
        at: Rect,
        /// Its paragraphs.
        paras: Vec<Para>,
    },
    /// A native table.
    Table {
        /// Where.
        at: Rect,
        /// Its cells.
        table: TableFrame,
    },
    /// A native chart drawn from a table of the view model.
    Chart {
        /// Where.
        at: Rect,
        /// The chart.
        chart: &'a Chart,
        /// Its data.
        table: &'a Table,
        /// The section's (sheet's) name: the embedded workbook's sheet.
        sheet: &'a str,
    },
}

/// Which layout a slide uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// The cover: title and subtitle.
    Cover,
    /// A title and content.
    Content,
}

/// One slide.
#[derive(Debug, Clone)]
pub(super) struct Slide<'a> {
    /// Layout.
    pub layout: Layout,
    /// Title (the cover's: the report's title).
    pub title: String,
    /// The cover's subtitle lines.
    pub subtitle: Vec<String>,
    /// Shapes besides the title.
    pub shapes: Vec<Shape<'a>>,
}

pub(super) const GREY: u32 = 0x595959;

/// Bullet size (points).
const BULLET_PT: u32 = 14;
/// Lines a bullet may take before it is cut.
const BULLET_LINES: usize = 4;
/// At most this many slides of one table; the rest is in the workbook.
const MAX_TABLE_SLIDES: usize = 6;

/// The width of a text in ems: CJK and full-width characters 1, others about half.
pub(super) fn em(s: &str) -> f64 {
    s.chars().map(char_em).sum()
}

fn char_em(c: char) -> f64 {
    if c.is_ascii() {
        match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' | ' ' | '(' | ')' => 0.3,
            'A'..='Z' | 'm' | 'w' | '%' | '@' => 0.7,
            _ => 0.6,
        }
    } else if ('\u{0080}'..'\u{1100}').contains(&c) {
        0.6
    } else {
        1.0
    }
}

/// `s` cut to `max_em` with "…" when longer.
pub(super) fn cut(s: &str, max_em: f64) -> String {
    if em(s) <= max_em {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0.0;
    for c in s.chars() {
        if w + char_em(c) > max_em - 1.0 {
            break;
        }
        w += char_em(c);
        out.push(c);
    }
    out.push('…');
    out
}

/// The lines a text takes in a box `width` EMU wide at `size` points.
pub(super) fn lines(s: &str, width: i64, size: u32) -> usize {
    let per_line = width as f64 / (f64::from(size) * PT as f64);
    (em(s) / per_line).ceil().max(1.0) as usize
}

/// Height of one line of text at `size` points (EMU).
pub(super) fn line_h(size: u32) -> i64 {
    i64::from(size) * PT * 27 / 20
}

/// The bullets of `sentences` in a box `width` × `height`, and how many sentences they are:
/// each at most [`BULLET_LINES`] lines (a longer one cut with "…"), as many whole as fit; a
/// sentence that no longer fits is left for the next box ([`more_bullets`]), unless it is
/// the first (then it is cut to the box).
fn bullets(sentences: &[String], width: i64, height: i64) -> (Vec<Para>, usize) {
    let usable = width - 2 * 7 * PT - 24 * PT; // insets and the bullet's indent
    let per_line_em = usable as f64 / (f64::from(BULLET_PT) * PT as f64);
    // A tenth kept free: fonts differ between PowerPoint and LibreOffice.
    let mut budget = (height * 9 / 10 / (line_h(BULLET_PT) + 4 * PT)).max(1) as usize;
    let mut out = Vec::new();
    for s in sentences {
        // The lines it takes with the cut's half-em margin (a text just under a line's end
        // would otherwise be cut though it fits).
        let mut n = ((em(s) + 0.5) / per_line_em).ceil().clamp(1.0, BULLET_LINES as f64) as usize;
        if n > budget {
            if !out.is_empty() {
                break;
            }
            n = budget;
        }
        let text = cut(s, per_line_em * n as f64 - 0.5);
        budget -= n;
        out.push(Para { bullet: true, ..Para::new(text, BULLET_PT) });
        if budget == 0 {
            break;
        }
    }
    let used = out.len();
    (out, used)
}

/// The sentences a section's first slide had no room for, on slides of their own under
/// `title` (its "（续）" title), the whole width each.
fn more_bullets<'a>(sentences: &[String], title: &str, f: Frame) -> Vec<Slide<'a>> {
    let (top, bottom) = (f.top(), f.bottom());
    let mut slides = Vec::new();
    let mut rest = sentences;
    while !rest.is_empty() {
        let (paras, used) = bullets(rest, f.width(), bottom - top);
        rest = &rest[used.max(1)..];
        slides.push(Slide {
            layout: Layout::Content,
            title: title.to_string(),
            subtitle: Vec::new(),
            shapes: vec![Shape::Text { at: Rect { x: f.margin(), y: top, w: f.width(), h: bottom - top }, paras }],
        });
    }
    slides
}

/// The height the bullets take.
fn bullets_h(paras: &[Para], width: i64) -> i64 {
    let usable = width - 2 * 7 * PT - 24 * PT;
    let n: usize = paras.iter().map(|p| lines(&p.text, usable, p.size)).sum();
    n as i64 * line_h(BULLET_PT) + paras.len() as i64 * 6 * PT + 10 * PT
}

/// One part of the deck: its heading (目录) and its slides.
struct Part<'a> {
    heading: String,
    slides: Vec<Slide<'a>>,
}

/// Lay the report out on slides.
pub(super) fn plan<'a>(r: &'a Report, f: Frame, font: &str) -> Vec<Slide<'a>> {
    let _ = font;
    let lang = r.lang;
    let find = |id: &str| r.sections.iter().find(|s| s.id == id);
    let mut parts: Vec<Part<'a>> = Vec::new();
    fn add<'a>(parts: &mut Vec<Part<'a>>, heading: String, slides: Vec<Slide<'a>>) {
        if !slides.is_empty() {
            parts.push(Part { heading, slides });
        }
    }
    let strip = |l: Label| unnumbered(l.text(lang)).to_string();
    // 一、总体概述: the KPI table with the overview's sentences.
    if let Some(s) = find("overview") {
        add(&mut parts, strip(Label::PartSummary), section_slides(r, s, &strip(Label::PartSummary), f, &[]));
    }
    for id in ["calls", "install", "fault", "complaint", "survey"] {
        if let Some(s) = find(id) {
            // The typical cases go with the assessment.
            add(&mut parts, s.name.clone(), section_slides(r, s, &s.name, f, &["complaint.cases"]));
        }
    }
    if let Some(s) = find("incident") {
        let h = Label::IncidentHeading.text(lang).to_string();
        add(&mut parts, h.clone(), section_slides(r, s, &h, f, &[]));
    }
    let mut assess = Vec::new();
    let h = Label::DeckAssessment.text(lang).to_string();
    if let Some(s) = find("assess") {
        assess.extend(section_slides(r, s, &h, f, &[]));
    }
    if let Some(cases) = find("complaint").and_then(|s| s.tables.iter().find(|t| t.id == "complaint.cases")) {
        assess.extend(table_slides(
            r.lang,
            cases,
            Label::DeckCases.text(lang),
            f,
            f.top(),
            Vec::new(),
            MAX_TABLE_SLIDES,
        ));
    }
    add(&mut parts, h, assess);
    if let Some(s) = find("staffing") {
        let h = Label::StaffingHeading.text(lang).to_string();
        add(&mut parts, h.clone(), section_slides(r, s, &h, f, &[]));
    }
    if let Some(s) = find("change") {
        // The waterfalls and sentences say what matters; every segment is in the workbook.
        add(&mut parts, s.name.clone(), section_slides(r, s, &s.name, f, &["change.segments"]));
    }
    if let Some(s) = find("trend") {
        add(&mut parts, strip(Label::PartTrends), section_slides(r, s, &strip(Label::PartTrends), f, &[]));
    }
    let plan_heading = Label::DeckWorkPlan.text(lang).to_string();
    let headings: Vec<String> = parts.iter().map(|p| p.heading.clone()).collect();
    add(&mut parts, plan_heading.clone(), vec![work_plan(&plan_heading, &headings, lang, f)]);
    if let Some(s) = find("quality") {
        add(&mut parts, strip(Label::PartQuality), vec![quality_slide(r, s, &strip(Label::PartQuality), f)]);
    }
    // Number the parts, then the cover and 目录 before them.
    let mut slides = vec![cover(r)];
    let numbered: Vec<String> = parts.iter().enumerate().map(|(i, p)| numbered(i + 1, &p.heading, lang)).collect();
    slides.push(contents(&numbered, lang, f));
    for (p, heading) in parts.into_iter().zip(numbered) {
        for (i, mut s) in p.slides.into_iter().enumerate() {
            // The part's first slide carries its number.
            if i == 0 && s.title.starts_with(&p.heading) {
                s.title = format!("{heading}{}", &s.title[p.heading.len()..]);
            }
            slides.push(s);
        }
    }
    slides
}

/// "一、总体概述" → "总体概述"; "1. Summary" → "Summary".
fn unnumbered(s: &str) -> &str {
    if let Some((_, rest)) = s.split_once('、') {
        return rest;
    }
    match s.split_once(". ") {
        Some((n, rest)) if n.chars().all(|c| c.is_ascii_digit()) => rest,
        _ => s,
    }
}

fn numbered(n: usize, heading: &str, lang: Lang) -> String {
    const ZH: [&str; 20] = [
        "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五", "十六",
        "十七", "十八", "十九", "二十",
    ];
    match lang {
        Lang::Zh => format!("{}、{heading}", ZH.get(n - 1).copied().unwrap_or("")),
        Lang::En => format!("{n}. {heading}"),
    }
}

fn cover(r: &Report) -> Slide<'_> {
    let period = match r.lang {
        Lang::Zh => r.period.zh(),
        Lang::En => r.period.to_string(),
    };
    Slide {
        layout: Layout::Cover,
        title: r.title.clone(),
        subtitle: vec![
            r.organisation.clone(),
            period,
            match r.lang {
                Lang::Zh => format!("{}：{}", Label::Generated.text(r.lang), r.generated),
                Lang::En => format!("{}: {}", Label::Generated.text(r.lang), r.generated),
            },
        ],
        shapes: Vec::new(),
    }
}

fn contents<'a>(headings: &[String], lang: Lang, f: Frame) -> Slide<'a> {
    let size = if headings.len() > 10 { 18 } else { 22 };
    let half = headings.len().div_ceil(2);
    let (cols, per): (Vec<&[String]>, usize) = if headings.len() > 7 {
        (vec![&headings[..half], &headings[half..]], half)
    } else {
        (vec![headings], headings.len())
    };
    let w = f.width() / cols.len() as i64;
    let h = (per as i64 * (line_h(size) + 12 * PT) + 24 * PT).min(f.bottom() - f.top());
    let shapes = cols
        .iter()
        .enumerate()
        .map(|(i, c)| Shape::Text {
            at: Rect { x: f.margin() + i as i64 * w, y: f.top() + 12 * PT, w, h },
            paras: c.iter().map(|t| Para::new(t.clone(), size)).collect(),
        })
        .collect();
    Slide { layout: Layout::Content, title: Label::Contents.text(lang).to_string(), subtitle: Vec::new(), shapes }
}

/// The charts of a section the deck draws (not a heat map: its grid is in the workbook).
fn drawable(s: &Section) -> Vec<(&Chart, &Table)> {
    s.charts
        .iter()
        .filter(|c| c.kind != ChartKind::HeatMap)
        .filter_map(|c| s.tables.iter().find(|t| t.id == c.table && !t.rows.is_empty()).map(|t| (c, t)))
        // A line through one point says nothing its table does not.
        .filter(|(c, t)| c.kind != ChartKind::Line || t.rows.len() > 1)
        .collect()
}

/// A section's slides: its sentences beside its main chart (or above its main table), its
/// other charts two to a slide, its tables.
fn section_slides<'a>(r: &'a Report, s: &'a Section, heading: &str, f: Frame, skip: &[&str]) -> Vec<Slide<'a>> {
    let charts = drawable(s);
    // A heat map's grid (days × half-hours) is too wide for a slide: it is in the workbook.
    let tables: Vec<&Table> =
        s.tables.iter().filter(|t| !t.rows.is_empty() && !skip.contains(&t.id.as_str()) && !heat(s, t)).collect();
    let mut slides = Vec::new();
    let (top, bottom) = (f.top(), f.bottom());
    let cont = Label::Continued.text(r.lang);
    let mut placed_table = None;
    let mut placed_sentences = 0;
    if let Some(&(chart, table)) = charts.first() {
        let mut shapes = Vec::new();
        let chart_x = if s.narrative.is_empty() {
            f.margin()
        } else {
            let w = f.width() * 2 / 5;
            let (paras, used) = bullets(&s.narrative, w, bottom - top);
            placed_sentences = used;
            shapes.push(Shape::Text { at: Rect { x: f.margin(), y: top, w, h: bottom - top }, paras });
            f.margin() + w + f.width() / 40
        };
        let at = Rect { x: chart_x, y: top, w: f.margin() + f.width() - chart_x, h: bottom - top };
        shapes.push(Shape::Chart { at, chart, table, sheet: &s.name });
        slides.push(Slide { layout: Layout::Content, title: heading.to_string(), subtitle: Vec::new(), shapes });
    } else if let Some((table, m)) = tables
        .first()
        .map(|t| (*t, measure(t, f.width() * 3 / 5, r.lang)))
        .filter(|(t, m)| !s.narrative.is_empty() && m.w <= f.width() * 3 / 5 && top + whole_h(t, m, r.lang) <= bottom)
    {
        // A main table that fits in three fifths of the width whole on the left, the
        // sentences beside it.
        let gap = f.width() / 30;
        let (x, w) = (f.margin() + m.w + gap, f.width() - m.w - gap);
        let mut slide = packed(r.lang, &[(table, m)], heading, f);
        let (paras, used) = bullets(&s.narrative, w, bottom - top);
        placed_sentences = used;
        slide.shapes.push(Shape::Text { at: Rect { x, y: top, w, h: bottom - top }, paras });
        slides.push(slide);
        placed_table = Some(table.id.as_str());
    } else if let Some(&table) = tables.first() {
        // The sentences above the main table.
        let (paras, n) = bullets(&s.narrative, f.width(), (bottom - top) * 2 / 5);
        placed_sentences = n;
        let used = if paras.is_empty() { 0 } else { bullets_h(&paras, f.width()) };
        let lead = if paras.is_empty() {
            Vec::new()
        } else {
            vec![Shape::Text { at: Rect { x: f.margin(), y: top, w: f.width(), h: used }, paras }]
        };
        slides.extend(table_slides(r.lang, table, heading, f, top + used, lead, MAX_TABLE_SLIDES));
        placed_table = Some(table.id.as_str());
    } else if !s.narrative.is_empty() {
        let mut text = more_bullets(&s.narrative, heading, f);
        for later in text.iter_mut().skip(1) {
            later.title = format!("{heading}{cont}");
        }
        slides.extend(text);
        placed_sentences = s.narrative.len();
    }
    // The sentences the first slide had no room for, right after it.
    if placed_sentences < s.narrative.len() && !slides.is_empty() {
        let more = more_bullets(&s.narrative[placed_sentences..], &format!("{heading}{cont}"), f);
        slides.splice(1..1, more);
    }
    // The other charts, two to a slide.
    for pair in charts.get(1..).unwrap_or_default().chunks(2) {
        let gap = f.width() / 40;
        let w = if pair.len() == 2 { (f.width() - gap) / 2 } else { f.width() };
        let shapes = pair
            .iter()
            .enumerate()
            .map(|(i, &(chart, table))| Shape::Chart {
                at: Rect { x: f.margin() + i as i64 * (w + gap), y: top, w, h: bottom - top },
                chart,
                table,
                sheet: &s.name,
            })
            .collect();
        slides.push(Slide { layout: Layout::Content, title: format!("{heading}{cont}"), subtitle: Vec::new(), shapes });
    }
    let rest: Vec<&Table> = tables.into_iter().filter(|t| Some(t.id.as_str()) != placed_table).collect();
    let gap = f.width() / 30;
    let mut i = 0;
    while i < rest.len() {
        let title = if slides.is_empty() { heading.to_string() } else { format!("{heading}{cont}") };
        // A run of small tables shares a slide, side by side.
        let mut group: Vec<(&Table, Measure)> = Vec::new();
        let mut used = -gap;
        for t in &rest[i..] {
            let m = measure(t, f.width(), r.lang);
            if whole_h(t, &m, r.lang) > bottom - top || m.w > f.width() / 2 || used + gap + m.w > f.width() {
                break;
            }
            used += gap + m.w;
            group.push((t, m));
        }
        if group.len() >= 2 {
            i += group.len();
            slides.push(packed(r.lang, &group, &title, f));
        } else {
            slides.extend(table_slides(r.lang, rest[i], &title, f, top, Vec::new(), MAX_TABLE_SLIDES));
            i += 1;
        }
    }
    slides
}

/// A heat map's table (days × half-hours: in the workbook, too wide for a slide).
fn heat(s: &Section, t: &Table) -> bool {
    s.charts.iter().any(|c| c.kind == ChartKind::HeatMap && c.table == t.id)
}

/// The editable 工作计划 slide: each part's heading with a line to write on.
fn work_plan<'a>(title: &str, headings: &[String], lang: Lang, f: Frame) -> Slide<'a> {
    let fill = Label::DeckFillIn.text(lang);
    let n = headings.len().max(1);
    let size = if n > 8 { 12 } else { 14 };
    let mut paras = Vec::new();
    for h in headings {
        paras.push(Para { bold: true, ..Para::new(h.clone(), size) });
        paras.push(Para { bullet: true, colour: Some(GREY), ..Para::new(fill.to_string(), size) });
    }
    let half = paras.len().div_ceil(4) * 2;
    let (a, b) = paras.split_at(half.min(paras.len()));
    let w = f.width() / 2;
    let at = |i: i64| Rect { x: f.margin() + i * w, y: f.top(), w, h: f.bottom() - f.top() };
    let mut shapes = vec![Shape::Text { at: at(0), paras: a.to_vec() }];
    if !b.is_empty() {
        shapes.push(Shape::Text { at: at(1), paras: b.to_vec() });
    }
    Slide { layout: Layout::Content, title: title.to_string(), subtitle: Vec::new(), shapes }
}

/// 数据质量 on one slide: its sentences and the row ledger (the first table), as many rows
/// as fit (the workbook has them all).
fn quality_slide<'a>(r: &'a Report, s: &'a Section, title: &str, f: Frame) -> Slide<'a> {
    let (top, bottom) = (f.top(), f.bottom());
    // One slide (SPEC §8.3): what does not fit is in the workbook.
    let (paras, _) = bullets(&s.narrative, f.width(), (bottom - top) / 3);
    let used = if paras.is_empty() { 0 } else { bullets_h(&paras, f.width()) };
    let mut shapes = Vec::new();
    if !paras.is_empty() {
        shapes.push(Shape::Text { at: Rect { x: f.margin(), y: top, w: f.width(), h: used }, paras });
    }
    if let Some(t) = s.tables.iter().find(|t| !t.rows.is_empty()) {
        let mut pieces = table_slides(r.lang, t, title, f, top + used, Vec::new(), 1);
        if !pieces.is_empty() {
            let first = pieces.swap_remove(0);
            shapes.extend(first.shapes);
        }
    }
    Slide { layout: Layout::Content, title: title.to_string(), subtitle: Vec::new(), shapes }
}

#[cfg(test)]
mod sentence_tests {
    use super::*;

    fn sentences(n: usize, chars: usize) -> Vec<String> {
        (0..n).map(|i| format!("第{i}句{}。", "服".repeat(chars))).collect()
    }

    #[test]
    fn sentences_that_do_not_fit_continue_whole_on_the_next_slides() {
        let f = Frame { w: 12_192_000, h: 6_858_000 };
        let all = sentences(14, 50);
        let (first, used) = bullets(&all, f.width() * 2 / 5, f.bottom() - f.top());
        assert!(used > 0 && used < all.len(), "the narrow box holds some, not all: {used}");
        assert_eq!(first.len(), used);
        let more = more_bullets(&all[used..], "故障（续）", f);
        assert!(!more.is_empty());
        let mut texts: Vec<String> = first.iter().map(|p| p.text.clone()).collect();
        for s in &more {
            assert_eq!(s.title, "故障（续）");
            for shape in &s.shapes {
                let Shape::Text { at, paras } = shape else { panic!("text only") };
                assert!(at.y >= f.top() && at.y + at.h <= f.bottom(), "inside the slide");
                texts.extend(paras.iter().map(|p| p.text.clone()));
            }
        }
        // Every sentence, whole, once, in order.
        assert_eq!(texts, all);
    }

    #[test]
    fn a_sentence_longer_than_a_bullet_is_cut_and_the_next_still_placed() {
        let f = Frame { w: 12_192_000, h: 6_858_000 };
        let mut all = sentences(1, 400);
        all.extend(sentences(1, 10));
        let (paras, used) = bullets(&all, f.width(), f.bottom() - f.top());
        assert_eq!(used, 2);
        assert!(paras[0].text.ends_with('…') && paras[0].text.chars().count() < 400);
        assert_eq!(paras[1].text, all[1]);
    }
}

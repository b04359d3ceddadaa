//! Which slides the deck has and what is where on each (SPEC §8.3): the model report's
//! order, each section's sentences as bullets beside its main chart, its tables cut into
//! slide-sized pieces ("（续）"), nothing outside the slide.

use crate::config::Lang;
use crate::render::html::{cell, Cell};
use crate::report::{Chart, ChartKind, ColKind, Label, Report, Section, Table, V};

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
    fn margin(self) -> i64 {
        self.w * 3 / 80
    }
    /// Where the content starts (below the title and its rule).
    fn top(self) -> i64 {
        self.h / 6
    }
    /// Where the content ends (above the footer).
    fn bottom(self) -> i64 {
        self.h - self.h * 2 / 27
    }
    /// The content's width.
    fn width(self) -> i64 {
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
    fn new(text: String, size: u32) -> Para {
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

const GREEN_BG: u32 = 0xC6EFCE;
const GREEN_FG: u32 = 0x006100;
const RED_BG: u32 = 0xFFC7CE;
const RED_FG: u32 = 0x9C0006;
const HEADER_BG: u32 = 0xDDEBF7;
const TOTAL_BG: u32 = 0xF2F2F2;
const GREY: u32 = 0x595959;

/// Bullet size (points).
const BULLET_PT: u32 = 14;
/// Lines a bullet may take before it is cut.
const BULLET_LINES: usize = 4;
/// A text column is never wider than this (em); longer texts are cut with "…".
const TEXT_CAP_EM: f64 = 22.0;
/// A table's text cell wraps to at most this many lines, then is cut.
const WRAP_LINES: usize = 3;
/// A table's piece is never cut shorter than this many body rows (else it starts a slide).
const MIN_ROWS: usize = 4;
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
fn lines(s: &str, width: i64, size: u32) -> usize {
    let per_line = width as f64 / (f64::from(size) * PT as f64);
    (em(s) / per_line).ceil().max(1.0) as usize
}

/// Height of one line of text at `size` points (EMU).
fn line_h(size: u32) -> i64 {
    i64::from(size) * PT * 27 / 20
}

/// The bullets of `sentences` in a box `width` × `height`: each at most [`BULLET_LINES`]
/// lines, as many as fit, the last one that does not fit cut.
fn bullets(sentences: &[String], width: i64, height: i64) -> Vec<Para> {
    let usable = width - 2 * 7 * PT - 24 * PT; // insets and the bullet's indent
    let per_line_em = usable as f64 / (f64::from(BULLET_PT) * PT as f64);
    // A tenth kept free: fonts differ between PowerPoint and LibreOffice.
    let mut budget = (height * 9 / 10 / (line_h(BULLET_PT) + 4 * PT)).max(1) as usize;
    let mut out = Vec::new();
    for s in sentences {
        if budget == 0 {
            break;
        }
        let n = lines(s, usable, BULLET_PT).min(BULLET_LINES).min(budget);
        let text = cut(s, per_line_em * n as f64 - 0.5);
        budget = budget.saturating_sub(n);
        out.push(Para { bullet: true, ..Para::new(text, BULLET_PT) });
    }
    out
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
        assess.extend(table_slides(r, cases, Label::DeckCases.text(lang), f, f.top(), Vec::new(), MAX_TABLE_SLIDES));
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
    if let Some(&(chart, table)) = charts.first() {
        let mut shapes = Vec::new();
        let chart_x = if s.narrative.is_empty() {
            f.margin()
        } else {
            let w = f.width() * 2 / 5;
            shapes.push(Shape::Text {
                at: Rect { x: f.margin(), y: top, w, h: bottom - top },
                paras: bullets(&s.narrative, w, bottom - top),
            });
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
        let mut slide = packed(r, &[(table, m)], heading, f);
        slide.shapes.push(Shape::Text {
            at: Rect { x, y: top, w, h: bottom - top },
            paras: bullets(&s.narrative, w, bottom - top),
        });
        slides.push(slide);
        placed_table = Some(table.id.as_str());
    } else if let Some(&table) = tables.first() {
        // The sentences above the main table.
        let paras = bullets(&s.narrative, f.width(), (bottom - top) * 2 / 5);
        let used = if paras.is_empty() { 0 } else { bullets_h(&paras, f.width()) };
        let lead = if paras.is_empty() {
            Vec::new()
        } else {
            vec![Shape::Text { at: Rect { x: f.margin(), y: top, w: f.width(), h: used }, paras }]
        };
        slides.extend(table_slides(r, table, heading, f, top + used, lead, MAX_TABLE_SLIDES));
        placed_table = Some(table.id.as_str());
    } else if !s.narrative.is_empty() {
        let paras = bullets(&s.narrative, f.width(), bottom - top);
        slides.push(Slide {
            layout: Layout::Content,
            title: heading.to_string(),
            subtitle: Vec::new(),
            shapes: vec![Shape::Text { at: Rect { x: f.margin(), y: top, w: f.width(), h: bottom - top }, paras }],
        });
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
            slides.push(packed(r, &group, &title, f));
        } else {
            slides.extend(table_slides(r, rest[i], &title, f, top, Vec::new(), MAX_TABLE_SLIDES));
            i += 1;
        }
    }
    slides
}

/// A heat map's table (days × half-hours: in the workbook, too wide for a slide).
fn heat(s: &Section, t: &Table) -> bool {
    s.charts.iter().any(|c| c.kind == ChartKind::HeatMap && c.table == t.id)
}

/// A table on as many slides as it needs, its header on each, "（续）" in the titles after
/// the first; `lead` shapes go on the first slide above it, from `start` down.
fn table_slides<'a>(
    r: &Report,
    t: &Table,
    title: &str,
    f: Frame,
    start: i64,
    lead: Vec<Shape<'a>>,
    max: usize,
) -> Vec<Slide<'a>> {
    let lang = r.lang;
    let cont = Label::Continued.text(lang);
    let caption_h = CAPTION_H;
    // A table that would just miss the room under its lead is set smaller (down to 11
    // points) to stay whole on one slide.
    let mut m = measure(t, f.width(), lang);
    for smaller in [12, 11] {
        if start > f.top() && start + whole_h(t, &m, lang) > f.bottom() && m.size > smaller {
            let s = measure_at(t, f.width(), lang, smaller);
            if start + whole_h(t, &s, lang) <= f.bottom() {
                m = s;
                break;
            }
        }
    }
    let Measure { size, widths, row_h, header_h, w: table_w } = m;
    let body: Vec<Vec<TCell>> = t.rows.iter().map(|row| cells(row, t, &widths, size, lang, false)).collect();
    let heights: Vec<i64> = body.iter().map(|r| row_height(r, &widths, size, row_h)).collect();
    let total = t.total.as_ref().map(|row| cells(row, t, &widths, size, lang, true));
    let header = header_cells(t, &widths, size);
    // The body rows from `from` that fit in `room`.
    let fitting = |from: usize, room: i64| {
        let mut used = 0;
        heights[from..]
            .iter()
            .take_while(|h| {
                used += *h;
                used <= room
            })
            .count()
    };
    // A narrow table's pieces stand side by side (at most three).
    let gap = f.width() / 30;
    let across = ((f.width() + gap) / (table_w + gap)).clamp(1, 3) as usize;
    let mut slides = Vec::new();
    let mut lead = Some(lead);
    let mut next = 0;
    let mut y0 = start;
    loop {
        let room = f.bottom() - y0 - caption_h - header_h;
        let fit = fitting(next, room);
        let left = body.len() - next;
        if fit < MIN_ROWS.min(left.max(1)) && y0 > f.top() && max > 1 {
            // Too little room under the lead: the table starts on its own slide.
            if let Some(l) = lead.take().filter(|l| !l.is_empty()) {
                slides.push(Slide {
                    layout: Layout::Content,
                    title: title.to_string(),
                    subtitle: Vec::new(),
                    shapes: l,
                });
            }
            y0 = f.top();
            continue;
        }
        let first = next;
        let mut shapes = lead.take().unwrap_or_default();
        let mut pieces = Vec::new();
        for k in 0..across {
            let left = body.len() - next;
            if k > 0 && left == 0 {
                break;
            }
            // The total row goes with the last piece: room is kept for it.
            let mut n = fitting(next, room);
            if n == left && total.is_some() && heights[next..].iter().sum::<i64>() + row_h > room && left > 1 {
                n -= 1;
            }
            let end = next + n == body.len();
            let mut rows = vec![(header_h, header.clone())];
            rows.extend((next..next + n).map(|i| (heights[i], body[i].clone())));
            if end {
                if let Some(tc) = &total {
                    rows.push((row_h, tc.clone()));
                }
            }
            let table_h: i64 = rows.iter().map(|(h, _)| h).sum();
            let x = f.margin() + k as i64 * (table_w + gap);
            pieces.push(Shape::Table {
                at: Rect { x, y: y0 + caption_h, w: table_w, h: table_h },
                table: TableFrame { cols: widths.clone(), rows, size },
            });
            next += n;
            if end {
                break;
            }
        }
        let end = next == body.len();
        let cut_here = !end && slides.len() + 1 >= max;
        let mut caption = if first == 0 { t.title.clone() } else { format!("{}{cont}", t.title) };
        if cut_here {
            caption = format!(
                "{caption} {} {} / {} {}",
                Label::ShowingFirst.text(lang),
                next,
                body.len(),
                Label::RowsInWorkbook.text(lang)
            );
        }
        shapes.push(Shape::Text {
            at: Rect { x: f.margin(), y: y0, w: f.width(), h: caption_h },
            paras: vec![Para { bold: true, colour: Some(GREY), ..Para::new(cut(&caption, em_fit(f.width(), 14)), 14) }],
        });
        shapes.extend(pieces);
        let slide_title = if first == 0 { title.to_string() } else { continued(title, cont) };
        slides.push(Slide { layout: Layout::Content, title: slide_title, subtitle: Vec::new(), shapes });
        if end || cut_here {
            break;
        }
        y0 = f.top();
    }
    slides
}

/// The height of a table's caption.
const CAPTION_H: i64 = 14 * PT * 27 / 20 + 4 * PT;

/// A table's size on a slide.
struct Measure {
    /// Font size (points).
    size: u32,
    /// Column widths.
    widths: Vec<i64>,
    /// A body row's height.
    row_h: i64,
    /// The header's height (one or two lines).
    header_h: i64,
    /// The table's width.
    w: i64,
}

fn measure(t: &Table, width: i64, lang: Lang) -> Measure {
    measure_at(t, width, lang, 14)
}

/// [`measure`] at `max` points at most.
fn measure_at(t: &Table, width: i64, lang: Lang, max: u32) -> Measure {
    let (size, widths) = fit_columns(t, width, lang, max);
    // LibreOffice and PowerPoint draw a row no lower than about twice its font size.
    let row_h = i64::from(size) * PT * 2;
    let header_lines =
        t.columns.iter().zip(&widths).map(|(c, w)| lines(c, *w - 14 * PT, size).min(2)).max().unwrap_or(1) as i64;
    let header_h = row_h + (header_lines - 1) * line_h(size);
    let w = widths.iter().sum();
    Measure { size, widths, row_h, header_h, w }
}

/// The height a whole table takes with its caption.
fn whole_h(t: &Table, m: &Measure, lang: Lang) -> i64 {
    let body: i64 = t
        .rows
        .iter()
        .map(|r| row_height(&cells(r, t, &m.widths, m.size, lang, false), &m.widths, m.size, m.row_h))
        .sum();
    CAPTION_H + m.header_h + body + i64::from(t.total.is_some()) * m.row_h
}

/// A body row's height: its longest text's lines.
fn row_height(cells: &[TCell], widths: &[i64], size: u32, row_h: i64) -> i64 {
    let n =
        cells.iter().zip(widths).map(|(c, w)| lines(&c.text, *w - 14 * PT, size)).max().unwrap_or(1).min(WRAP_LINES);
    row_h + (n as i64 - 1) * line_h(size)
}

fn header_cells(t: &Table, widths: &[i64], size: u32) -> Vec<TCell> {
    t.columns
        .iter()
        .zip(widths)
        .enumerate()
        .map(|(c, (h, w))| TCell {
            text: cut(h, 2.0 * (*w - 14 * PT) as f64 / (f64::from(size) * PT as f64)),
            right: t.kinds.get(c) == Some(&ColKind::Number),
            fill: Some(HEADER_BG),
            colour: None,
            bold: true,
        })
        .collect()
}

/// Small tables side by side on one slide, each whole with its caption.
fn packed<'a>(r: &Report, group: &[(&Table, Measure)], title: &str, f: Frame) -> Slide<'a> {
    let gap = f.width() / 30;
    let mut x = f.margin();
    let mut shapes = Vec::new();
    for (t, m) in group {
        shapes.push(Shape::Text {
            at: Rect { x, y: f.top(), w: m.w, h: CAPTION_H },
            paras: vec![Para { bold: true, colour: Some(GREY), ..Para::new(cut(&t.title, em_fit(m.w, 14)), 14) }],
        });
        let mut rows = vec![(m.header_h, header_cells(t, &m.widths, m.size))];
        rows.extend(t.rows.iter().map(|row| {
            let c = cells(row, t, &m.widths, m.size, r.lang, false);
            (row_height(&c, &m.widths, m.size, m.row_h), c)
        }));
        if let Some(total) = &t.total {
            rows.push((m.row_h, cells(total, t, &m.widths, m.size, r.lang, true)));
        }
        let h = rows.iter().map(|(h, _)| h).sum();
        shapes.push(Shape::Table {
            at: Rect { x, y: f.top() + CAPTION_H, w: m.w, h },
            table: TableFrame { cols: m.widths.clone(), rows, size: m.size },
        });
        x += m.w + gap;
    }
    Slide { layout: Layout::Content, title: title.to_string(), subtitle: Vec::new(), shapes }
}

/// "话务（续）" once, not "话务（续）（续）".
fn continued(title: &str, cont: &str) -> String {
    if title.ends_with(cont) {
        title.to_string()
    } else {
        format!("{title}{cont}")
    }
}

/// Ems that fit in `width` at `size` points (less the insets).
fn em_fit(width: i64, size: u32) -> f64 {
    (width - 14 * PT) as f64 / (f64::from(size) * PT as f64)
}

/// The font size and column widths of a table: the largest size at which its columns'
/// natural widths (text columns capped) fit the slide's width.
fn fit_columns(t: &Table, width: i64, lang: Lang, max: u32) -> (u32, Vec<i64>) {
    let natural: Vec<f64> = (0..t.columns.len())
        .map(|c| {
            let body = t
                .rows
                .iter()
                .chain(t.total.iter())
                .filter_map(|r| r.get(c))
                .map(|v| em(&cell(v, lang).text))
                .fold(0.0, f64::max);
            let cap = if t.kinds.get(c) == Some(&ColKind::Number) { 14.0 } else { TEXT_CAP_EM };
            // A header may take two lines, but an English word is not broken.
            let h = &t.columns[c];
            let word = h.split_whitespace().filter(|w| w.is_ascii()).map(em).fold(0.0, f64::max);
            let header = (em(h) / 2.0).max(em(h).min(6.0)).max(word);
            body.max(header).min(cap) + 1.0
        })
        .collect();
    let sum: f64 = natural.iter().sum();
    let mut size = 9;
    for s in [14, 12, 11, 10, 9].into_iter().filter(|s| *s <= max) {
        if sum * f64::from(s) * PT as f64 <= width as f64 {
            size = s;
            break;
        }
    }
    let scale = (width as f64 / (sum * f64::from(size) * PT as f64)).min(1.0);
    // A narrow table is not stretched over the slide.
    let widths =
        natural.iter().map(|e| (e * scale * f64::from(size) * PT as f64).round() as i64 + 14 * PT).collect::<Vec<_>>();
    let total: i64 = widths.iter().sum();
    if total > width {
        let k = width as f64 / total as f64;
        return (size, widths.iter().map(|w| (*w as f64 * k).floor() as i64).collect());
    }
    (size, widths)
}

/// A row's cells as on the page (the HTML's texts), cut to their columns, coloured.
fn cells(row: &[V], t: &Table, widths: &[i64], size: u32, lang: Lang, total: bool) -> Vec<TCell> {
    row.iter()
        .zip(widths)
        .enumerate()
        .map(|(c, (v, w))| {
            let Cell { text, class } = cell(v, lang);
            let (mut fill, colour) = if class.contains("unmet") {
                (Some(RED_BG), Some(RED_FG))
            } else if class.contains("met") {
                (Some(GREEN_BG), Some(GREEN_FG))
            } else {
                (None, None)
            };
            if total && fill.is_none() {
                fill = Some(TOTAL_BG);
            }
            // Text wraps to at most [`WRAP_LINES`] lines; numbers never wrap.
            let lines = if t.kinds.get(c) == Some(&ColKind::Number) { 1.0 } else { WRAP_LINES as f64 };
            TCell {
                text: cut(&text, em_fit(*w, size) * lines - if lines > 1.0 { 1.0 } else { 0.0 }),
                right: t.kinds.get(c) == Some(&ColKind::Number),
                fill,
                colour,
                bold: total,
            }
        })
        .collect()
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
    let paras = bullets(&s.narrative, f.width(), (bottom - top) / 3);
    let used = if paras.is_empty() { 0 } else { bullets_h(&paras, f.width()) };
    let mut shapes = Vec::new();
    if !paras.is_empty() {
        shapes.push(Shape::Text { at: Rect { x: f.margin(), y: top, w: f.width(), h: used }, paras });
    }
    if let Some(t) = s.tables.iter().find(|t| !t.rows.is_empty()) {
        let mut pieces = table_slides(r, t, title, f, top + used, Vec::new(), 1);
        if !pieces.is_empty() {
            let first = pieces.swap_remove(0);
            shapes.extend(first.shapes);
        }
    }
    Slide { layout: Layout::Content, title: title.to_string(), subtitle: Vec::new(), shapes }
}

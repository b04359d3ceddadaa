//! A table on slides: its font and column widths, its pieces (its header on each, "（续）"
//! after the first, side by side when narrow), small tables packed on one slide.

use super::plan::{cut, em, line_h, lines, Frame, Layout, Para, Rect, Shape, Slide, TCell, TableFrame, GREY, PT};
use crate::config::Lang;
use crate::render::html::{cell, Cell};
use crate::report::{ColKind, Label, Table, V};

const GREEN_BG: u32 = 0xC6EFCE;
const GREEN_FG: u32 = 0x006100;
const RED_BG: u32 = 0xFFC7CE;
const RED_FG: u32 = 0x9C0006;
const HEADER_BG: u32 = 0xDDEBF7;
const TOTAL_BG: u32 = 0xF2F2F2;
/// A text column is never wider than this (em); longer texts are cut with "…".
const TEXT_CAP_EM: f64 = 22.0;
/// A table's text cell wraps to at most this many lines, then is cut.
const WRAP_LINES: usize = 3;
/// A table's piece is never cut shorter than this many body rows (else it starts a slide).
const MIN_ROWS: usize = 4;

/// A table on as many slides as it needs, its header on each, "（续）" in the titles after
/// the first; `lead` shapes go on the first slide above it, from `start` down.
pub(super) fn table_slides<'a>(
    lang: Lang,
    t: &Table,
    title: &str,
    f: Frame,
    start: i64,
    lead: Vec<Shape<'a>>,
    max: usize,
) -> Vec<Slide<'a>> {
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
pub(super) struct Measure {
    /// Font size (points).
    pub(super) size: u32,
    /// Column widths.
    pub(super) widths: Vec<i64>,
    /// A body row's height.
    pub(super) row_h: i64,
    /// The header's height (one or two lines).
    pub(super) header_h: i64,
    /// The table's width.
    pub(super) w: i64,
}

pub(super) fn measure(t: &Table, width: i64, lang: Lang) -> Measure {
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
pub(super) fn whole_h(t: &Table, m: &Measure, lang: Lang) -> i64 {
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

/// Small tables side by side on one slide, each whole with its caption. A caption longer
/// than its table is wide takes a second line when the tallest table leaves room for it
/// (all tables then start a line lower, level with each other); else it is cut.
pub(super) fn packed<'a>(lang: Lang, group: &[(&Table, Measure)], title: &str, f: Frame) -> Slide<'a> {
    let gap = f.width() / 30;
    let mut x = f.margin();
    let mut shapes = Vec::new();
    let long = group.iter().any(|(t, m)| em(&t.title) > em_fit(m.w, 14));
    let tallest = group.iter().map(|(t, m)| whole_h(t, m, lang)).max().unwrap_or(0);
    let two = long && f.top() + tallest + line_h(14) <= f.bottom();
    let caption_h = if two { CAPTION_H + line_h(14) } else { CAPTION_H };
    for (t, m) in group {
        let room = if two { 2.0 * em_fit(m.w, 14) - 1.0 } else { em_fit(m.w, 14) };
        shapes.push(Shape::Text {
            at: Rect { x, y: f.top(), w: m.w, h: caption_h },
            paras: vec![Para { bold: true, colour: Some(GREY), ..Para::new(cut(&t.title, room), 14) }],
        });
        let mut rows = vec![(m.header_h, header_cells(t, &m.widths, m.size))];
        rows.extend(t.rows.iter().map(|row| {
            let c = cells(row, t, &m.widths, m.size, lang, false);
            (row_height(&c, &m.widths, m.size, m.row_h), c)
        }));
        if let Some(total) = &t.total {
            rows.push((m.row_h, cells(total, t, &m.widths, m.size, lang, true)));
        }
        let h = rows.iter().map(|(h, _)| h).sum();
        shapes.push(Shape::Table {
            at: Rect { x, y: f.top() + caption_h, w: m.w, h },
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
pub(super) fn em_fit(width: i64, size: u32) -> f64 {
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

//! SVG charts for the HTML report (plotters). Text is drawn with a CSS font stack so the
//! browser renders Chinese labels with its own CJK fonts; plotters escapes the text it writes.
//! Bars of a rate with a target are green when met and red when not, as in the tables.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::config::Lang;
use crate::report::{Chart, ChartKind, Label, Table, V};

/// The font stack written into the SVG.
pub(crate) const FONT: &str = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif";
const W: u32 = 880;
const H: u32 = 360;
const MET: RGBColor = RGBColor(0x2E, 0x7D, 0x32);
const UNMET: RGBColor = RGBColor(0xC6, 0x28, 0x28);
const NEUTRAL: RGBColor = RGBColor(0x2F, 0x6E, 0xBA);
const TARGET: RGBColor = RGBColor(0x9C, 0x00, 0x06);
const LINE2: RGBColor = RGBColor(0xED, 0x7D, 0x31);
const GRID: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x2F, 0x6E, 0xBA),
    RGBColor(0xED, 0x7D, 0x31),
    RGBColor(0x70, 0xAD, 0x47),
    RGBColor(0xFF, 0xC0, 0x00),
    RGBColor(0x5B, 0x9B, 0xD5),
    RGBColor(0x7F, 0x7F, 0x7F),
    RGBColor(0x9E, 0x48, 0x0E),
    RGBColor(0x26, 0x44, 0x78),
];

/// One bar's value and how to colour it.
#[derive(Clone, Copy)]
struct Point {
    v: f64,
    met: Option<bool>,
}

fn value(v: &V) -> Option<Point> {
    match v {
        V::Rate { v, met, .. } => Some(Point { v: *v, met: *met }),
        V::Count(n) | V::Num(n, _) => Some(Point { v: *n, met: None }),
        V::Change { v, .. } => Some(Point { v: *v, met: None }),
        _ => None,
    }
}

/// A category label as the table writes it (a branch or department keeps its whole name:
/// 安岳分公司 the department is not 安岳 the branch); dates keep the day only.
fn short(label: &str) -> String {
    let s = label;
    if s.len() == 10 && s.as_bytes().get(4) == Some(&b'-') && s.as_bytes().get(7) == Some(&b'-') {
        return s[8..].trim_start_matches('0').to_string();
    }
    s.to_string()
}

/// The category axis of `n` categories: `n` segments. A segmented range has a segment for
/// its end value too, so 0..n − 1 (0..n left an empty slot at the end); one category keeps
/// 0..1 (an empty range has no scale).
fn categories(n: usize) -> plotters::coord::ranged1d::SegmentedCoord<plotters::coord::types::RangedCoordusize> {
    (0..(n.max(1) - 1).max(1)).into_segmented()
}

/// The label of each category at the centre of its segment, as the table writes it.
fn category_label(cats: &[String]) -> impl Fn(&SegmentValue<usize>) -> String + '_ {
    move |v| match v {
        SegmentValue::CenterOf(i) => cats.get(*i).map(|c| short(c)).unwrap_or_default(),
        _ => String::new(),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

type R = Result<(), Box<dyn std::error::Error>>;

/// Render one chart as an SVG element with a title and a text description.
pub(crate) fn svg(chart: &Chart, table: &Table, lang: Lang) -> Result<String, String> {
    if chart.kind == ChartKind::HeatMap {
        return Ok(heat_map(chart, table));
    }
    let cats: Vec<String> = table
        .rows
        .iter()
        .map(|r| match r.get(chart.category) {
            Some(V::Text(s)) => s.clone(),
            _ => String::new(),
        })
        .collect();
    let names: Vec<String> = chart.series.iter().map(|&c| table.columns.get(c).cloned().unwrap_or_default()).collect();
    let series: Vec<Vec<Option<Point>>> =
        chart.series.iter().map(|&c| table.rows.iter().map(|r| r.get(c).and_then(value)).collect()).collect();
    let mut buf = String::new();
    let result = draw(&mut buf, chart, &cats, &names, &series, table, lang);
    result.map_err(|e| format!("chart {}: {e}", chart.title))?;
    // Accessible text alternative: role, title and a description listing the data.
    let mut desc = String::new();
    for (i, c) in cats.iter().enumerate() {
        let vals: Vec<String> = series
            .iter()
            .zip(&names)
            .filter_map(|(s, n)| {
                s[i].map(|p| {
                    format!(
                        "{n} {}",
                        if chart.percent && p.v <= 1.5 { crate::report::pct(p.v) } else { format!("{:.0}", p.v) }
                    )
                })
            })
            .collect();
        desc.push_str(&format!("{c}: {}; ", vals.join(", ")));
    }
    if let Some((level, v)) = &chart.target {
        desc.push_str(&format!("{} {level} {}", Label::TargetLine.text(lang), crate::report::pct(*v)));
    }
    let start = buf.find("<svg").ok_or("no <svg> element")?;
    let end = start + buf[start..].find('>').ok_or("no <svg> element")?;
    let title = escape(&chart.title);
    Ok(format!(
        "{} role=\"img\" class=\"chart\" aria-label=\"{title}\"><title>{title}</title><desc>{}</desc>{}",
        &buf[start..end],
        escape(&desc),
        &buf[end + 1..]
    ))
}

fn draw(
    buf: &mut String,
    chart: &Chart,
    cats: &[String],
    names: &[String],
    series: &[Vec<Option<Point>>],
    table: &Table,
    lang: Lang,
) -> R {
    let root = SVGBackend::with_string(buf, (W, H)).into_drawing_area();
    root.fill(&WHITE)?;
    match chart.kind {
        ChartKind::Line => line(&root, chart, cats, names, series)?,
        ChartKind::ColumnLine | ChartKind::Pareto => bars_with_line(&root, chart, cats, names, series, lang)?,
        ChartKind::Waterfall => waterfall(&root, chart, cats, series, lang)?,
        _ => bars(&root, chart, cats, names, series, table)?,
    }
    root.present()?;
    Ok(())
}

fn y_max(series: &[Vec<Option<Point>>], target: Option<f64>, percent: bool) -> f64 {
    let m = series.iter().flatten().flatten().map(|p| p.v).fold(target.unwrap_or(0.0), f64::max);
    if percent {
        (m * 1.12).clamp(0.05, 1.1)
    } else {
        (m * 1.15).max(1.0)
    }
}

fn axis_label(percent: bool) -> impl Fn(&f64) -> String {
    // Counts label whole numbers only: ticks at 0.5 would read "0 0 1 1 2 2".
    move |y: &f64| {
        if percent {
            // As many decimals as the tick has (up to 2): a narrow band's ticks at 0.5 %
            // read "92% 92.5% 93%", not "92% 92% 93%".
            let p = y * 100.0;
            let d = (0..2).find(|&d| {
                let k = p * 10f64.powi(d);
                (k - k.round()).abs() < 1e-6
            });
            format!("{:.*}%", d.unwrap_or(2) as usize, p)
        } else if (y - y.round()).abs() > 1e-9 {
            String::new()
        } else {
            format!("{y:.0}")
        }
    }
}

/// A text's width in pixels at 13 px (CJK and full-width characters 1 em, others about 0.55).
fn text_px(text: &str) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.55 } else { 1.0 }).sum::<f64>() * 13.0
}

/// A value label's width in pixels at 13 px (digits about 0.55 em, the point 0.3, % 0.85).
fn label_px(text: &str) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            '%' => 0.85,
            '.' => 0.3,
            _ => 0.55,
        })
        .sum();
    em * 13.0
}

/// The share of a bar chart's height a value label takes (13 px text on a ~230 px plot, with
/// a margin).
const LABEL_SHARE: f64 = 0.08;

/// Vertical bars; several series are grouped per category; optional target line and, for
/// single-series rates with intervals in the table, error bars.
fn bars(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    chart: &Chart,
    cats: &[String],
    names: &[String],
    series: &[Vec<Option<Point>>],
    table: &Table,
) -> R {
    let n = cats.len().max(1);
    let k = series.len().max(1);
    // Each category's k bars with one empty slot before each group and one after the last:
    // the same gap at both ends of the axis.
    let slots = n * (k + 1) + 1;
    let slot_of = |i: usize, si: usize| i * (k + 1) + si + 1;
    let horizontal = chart.kind == ChartKind::Bar;
    let ymax = y_max(series, chart.target.as_ref().map(|t| t.1), chart.percent);
    let font = |size: u32| (FONT, size).into_font();
    let mut builder = ChartBuilder::on(root);
    builder.caption(&chart.title, font(20)).margin(12);
    if series.len() > 1 {
        // Room on the right for the legend, so it never covers a bar.
        builder.margin_right(130);
    }
    if horizontal {
        let label_w = cats.iter().map(|c| short(c).chars().count()).max().unwrap_or(4) as u32 * 14 + 16;
        let mut c = builder
            .x_label_area_size(28)
            .y_label_area_size(label_w.min(260))
            .build_cartesian_2d(0f64..ymax, categories(n))?;
        c.configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .y_labels(n)
            .y_label_formatter(&category_label(cats))
            .x_label_formatter(&axis_label(chart.percent))
            .label_style(font(14))
            .draw()?;
        let s = &series[0];
        c.draw_series(s.iter().enumerate().filter_map(|(i, p)| {
            let p = (*p)?;
            let colour = match p.met {
                Some(true) => MET,
                Some(false) => UNMET,
                None => NEUTRAL,
            };
            let mut r =
                Rectangle::new([(0.0, SegmentValue::Exact(i)), (p.v, SegmentValue::Exact(i + 1))], colour.filled());
            r.set_margin(4, 4, 0, 0);
            Some(r)
        }))?;
        c.draw_series(s.iter().enumerate().filter_map(|(i, p)| {
            let p = (*p)?;
            let text = if chart.percent { crate::report::pct(p.v) } else { format!("{:.0}", p.v) };
            Some(Text::new(
                text,
                (p.v, SegmentValue::CenterOf(i)),
                font(13).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
        }))?;
        return Ok(());
    }
    // Names too wide for their category's width (a province's twenty branches) stand upright
    // instead of running into each other.
    let plot_w = f64::from(W) - 24.0 - 48.0 - if series.len() > 1 { 118.0 } else { 0.0 };
    let widest = cats.iter().map(|c| text_px(&short(c)) * 14.0 / 13.0).fold(0.0, f64::max);
    let upright = n > 1 && widest > plot_w / n as f64 - 6.0;
    let label_area = if upright {
        (widest as u32 + 14).min(120)
    } else if n > 16 {
        30
    } else {
        34
    };
    let mut c = builder
        .x_label_area_size(label_area)
        .y_label_area_size(48)
        // A segmented range has a segment for its end value too: 0..slots - 1 is `slots` of them.
        .build_cartesian_2d((0..slots - 1).into_segmented(), 0f64..ymax)?;
    let centre = |slot: usize| -> Option<usize> {
        let slot = slot.checked_sub(1)?;
        let (i, j) = (slot / (k + 1), slot % (k + 1));
        (j == (k.saturating_sub(1)) / 2 && i < n).then_some(i)
    };
    c.configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(slots)
        .x_label_formatter(&|v| match v {
            // Upright names are drawn below, one per category.
            SegmentValue::CenterOf(s) if !upright => {
                centre(*s).and_then(|i| cats.get(i)).map(|c| short(c)).unwrap_or_default()
            }
            _ => String::new(),
        })
        .y_label_formatter(&axis_label(chart.percent))
        .label_style(font(14))
        .draw()?;
    if upright {
        // Each name reads downwards from just under the axis, centred on its group.
        let bottom = c.plotting_area().get_pixel_range().1.end;
        for (i, cat) in cats.iter().enumerate() {
            let (a, b) = (slot_of(i, 0), slot_of(i, k - 1) + 1);
            let x = (c.backend_coord(&(SegmentValue::Exact(a), 0.0)).0
                + c.backend_coord(&(SegmentValue::Exact(b), 0.0)).0)
                / 2;
            let style =
                font(14).transform(FontTransform::Rotate90).color(&BLACK).pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(short(cat), (x, bottom + 6), style))?;
        }
    }
    // A single-series rate whose table carries its interval (satisfaction by branch).
    let ci_col = if k == 1 { table.columns.iter().position(|h| h.contains("95%")) } else { None };
    for (si, s) in series.iter().enumerate() {
        let one = k == 1;
        let palette = PALETTE[si % PALETTE.len()];
        let label = names.get(si).cloned().unwrap_or_default();
        c.draw_series(s.iter().enumerate().filter_map(|(i, p)| {
            let p = (*p)?;
            let colour = if one {
                match p.met {
                    Some(true) => MET,
                    Some(false) => UNMET,
                    None => NEUTRAL,
                }
            } else {
                palette
            };
            let slot = slot_of(i, si);
            let mut r = Rectangle::new(
                [(SegmentValue::Exact(slot), 0.0), (SegmentValue::Exact(slot + 1), p.v)],
                colour.filled(),
            );
            r.set_margin(0, 0, if one { 6 } else { 1 }, if one { 6 } else { 1 });
            Some(r)
        }))?
        .label(label)
        .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], palette.filled()));
        // Value labels on single-series charts with few bars: above the bar; inside its top
        // (white) when above it the label would sit on the target line; inside its foot when
        // the bar carries an interval (the whiskers take its top).
        if one && n <= 16 {
            let target = chart.target.as_ref().map(|t| t.1);
            // A bar's width in pixels (its slot less the margins set above).
            let bar_px = c.plotting_area().dim_in_pixel().0 as f64 / slots as f64 - 12.0;
            c.draw_series(s.iter().enumerate().filter_map(|(i, p)| {
                let p = (*p)?;
                let text = if chart.percent { format!("{:.1}%", p.v * 100.0) } else { format!("{:.0}", p.v) };
                let on_target = target.is_some_and(|t| p.v < t && t - p.v < ymax * LABEL_SHARE);
                let (colour, at, v_pos) = if ci_col.is_some() && p.v > ymax * LABEL_SHARE {
                    (&WHITE, ymax * 0.01, VPos::Bottom)
                } else if on_target {
                    (&WHITE, p.v, VPos::Top)
                } else {
                    (&BLACK, p.v, VPos::Bottom)
                };
                // White on the bar must fit inside it (past its edges it is white on white):
                // smaller type on a narrow bar, never fewer digits.
                let size = if colour == &WHITE && label_px(&text) > bar_px {
                    (13.0 * bar_px / label_px(&text)).floor()
                } else {
                    13.0
                };
                if size < 9.0 {
                    // Too narrow a bar to write on (a province's twenty branches): the table
                    // under the chart has the figure.
                    return None;
                }
                let size = size as u32;
                Some(Text::new(
                    text,
                    (SegmentValue::CenterOf(slot_of(i, 0)), at),
                    font(size).color(colour).pos(Pos::new(HPos::Center, v_pos)),
                ))
            }))?;
        }
    }
    // Interval bars where the table carries the rate's interval (satisfaction by branch).
    if let Some(ci_col) = ci_col {
        let bounds: Vec<Option<(f64, f64)>> = table
            .rows
            .iter()
            .map(|r| match r.get(ci_col) {
                Some(V::Text(s)) => {
                    let mut it = s.split('–').map(|x| x.trim_end_matches('%').parse::<f64>().ok().map(|v| v / 100.0));
                    Some((it.next()??, it.next()??))
                }
                _ => None,
            })
            .collect();
        c.draw_series(series[0].iter().zip(&bounds).enumerate().filter_map(|(i, (p, b))| {
            let (p, (lo, hi)) = ((*p)?, (*b)?);
            Some(ErrorBar::new_vertical(SegmentValue::CenterOf(slot_of(i, 0)), lo, p.v, hi, BLACK.stroke_width(1), 8))
        }))?;
    }
    // Outside the plot, drawn on the whole chart (what is drawn through the plot is clipped
    // to it: a legend there lost its swatches): several series' legend right of the plot, the
    // target its last entry; a single series' target named above the plot's right end (at
    // the line's end inside the plot it covered the last bar's label).
    let (xs, ys) = c.plotting_area().get_pixel_range();
    let (x, top) = (xs.end + 8, ys.start);
    if k > 1 {
        for (si, name) in names.iter().enumerate() {
            let swatch = Swatch::Box(PALETTE[si % PALETTE.len()]);
            legend_entry(root, (x, top + si as i32 * 17 + 7), name, &swatch, &BLACK)?;
        }
    }
    if let Some((level, v)) = &chart.target {
        let v = *v;
        let text = format!("{level} {}", if chart.percent { crate::report::pct(v) } else { format!("{v}") });
        c.draw_series(LineSeries::new(
            vec![(SegmentValue::Exact(0), v), (SegmentValue::Exact(slots), v)],
            TARGET.stroke_width(2),
        ))?;
        let (x, y) = if k > 1 { (x, top + k as i32 * 17 + 7) } else { (xs.end - text_px(&text) as i32 - 14, top - 9) };
        legend_entry(root, (x, y), &text, &Swatch::Line(TARGET, 2), &TARGET)?;
    }
    Ok(())
}

/// Bars (first series) with a line on a secondary axis: daily volume and service level, or a
/// Pareto chart (bars sorted descending, cumulative share line).
fn bars_with_line(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    chart: &Chart,
    cats: &[String],
    names: &[String],
    series: &[Vec<Option<Point>>],
    lang: Lang,
) -> R {
    let n = cats.len().max(1);
    let bars: Vec<f64> = series[0].iter().map(|p| p.map_or(0.0, |p| p.v)).collect();
    let (line, line_name): (Vec<f64>, String) = if chart.kind == ChartKind::Pareto {
        let total: f64 = bars.iter().sum();
        let mut acc = 0.0;
        (
            bars.iter()
                .map(|b| {
                    acc += b;
                    if total > 0.0 {
                        acc / total
                    } else {
                        0.0
                    }
                })
                .collect(),
            Label::CumulativeShare.text(lang).to_string(),
        )
    } else {
        (
            series.get(1).map(|s| s.iter().map(|p| p.map_or(0.0, |p| p.v)).collect()).unwrap_or_default(),
            names.get(1).cloned().unwrap_or_default(),
        )
    };
    let font = |size: u32| (FONT, size).into_font();
    let ymax = bars.iter().copied().fold(1.0, f64::max) * 1.15;
    let lmin = if chart.kind == ChartKind::Pareto {
        0.0
    } else {
        line.iter().copied().fold(1.0, f64::min).min(chart.target.as_ref().map_or(1.0, |t| t.1)) * 0.9
    };
    let mut c = ChartBuilder::on(root)
        .caption(&chart.title, font(20))
        .margin(12)
        // A row under the axis for the legend (inside the plot it covered the last bars).
        .margin_bottom(12 + LEGEND_ROW)
        .x_label_area_size(34)
        .y_label_area_size(48)
        .right_y_label_area_size(48)
        .build_cartesian_2d(categories(n), 0f64..ymax)?
        .set_secondary_coord(categories(n), lmin.max(0.0)..1.0f64);
    let every = if n > 16 { 2 } else { 1 };
    c.configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(n)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if i % every == 0 => cats.get(*i).map(|c| short(c)).unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&axis_label(false))
        .label_style(font(14))
        .draw()?;
    c.configure_secondary_axes().y_label_formatter(&axis_label(true)).label_style(font(14)).draw()?;
    c.draw_series(bars.iter().enumerate().map(|(i, v)| {
        let mut r = Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), *v)], NEUTRAL.filled());
        r.set_margin(0, 0, 3, 3);
        r
    }))?;
    c.draw_secondary_series(LineSeries::new(
        line.iter().enumerate().map(|(i, v)| (SegmentValue::CenterOf(i), *v)),
        LINE2.stroke_width(2),
    ))?;
    let mut entries =
        vec![(names.first().cloned().unwrap_or_default(), Swatch::Box(NEUTRAL)), (line_name, Swatch::Line(LINE2, 2))];
    if chart.kind == ChartKind::ColumnLine {
        if let Some((level, v)) = &chart.target {
            let v = *v;
            c.draw_secondary_series(LineSeries::new(
                vec![(SegmentValue::Exact(0), v), (SegmentValue::Exact(n), v)],
                TARGET.stroke_width(1),
            ))?;
            entries.push((format!("{level} {}", crate::report::pct(v)), Swatch::Line(TARGET, 1)));
        }
    }
    bottom_legend(root, &entries)?;
    Ok(())
}

/// Height of the legend's row under a chart's axis ([`bottom_legend`]).
const LEGEND_ROW: u32 = 22;

/// What marks a legend entry.
enum Swatch {
    /// A filled box (bars).
    Box(RGBColor),
    /// A line of this width (lines, targets).
    Line(RGBColor, u32),
}

/// A legend's entries in rows of the chart's width: the widths of each row's entries.
fn legend_rows(entries: &[(String, Swatch)]) -> Vec<Vec<i32>> {
    let mut rows: Vec<Vec<i32>> = vec![Vec::new()];
    for (name, _) in entries {
        let w = 14 + text_px(name) as i32 + 18;
        let row = rows.last_mut().expect("one row at least");
        if !row.is_empty() && row.iter().sum::<i32>() + w > W as i32 - 24 {
            rows.push(vec![w]);
        } else {
            row.push(w);
        }
    }
    rows
}

/// The room under the axis a legend takes ([`bottom_legend`]).
fn legend_room(entries: &[(String, Swatch)]) -> u32 {
    legend_rows(entries).len() as u32 * LEGEND_ROW
}

/// A legend under the chart's axis labels, in the room kept for it ([`legend_room`]): rows
/// of entries, each row centred.
fn bottom_legend(root: &DrawingArea<SVGBackend, plotters::coord::Shift>, entries: &[(String, Swatch)]) -> R {
    let rows = legend_rows(entries);
    let mut entry = entries.iter();
    for (r, widths) in rows.iter().enumerate() {
        let mut x = (W as i32 - widths.iter().sum::<i32>()) / 2;
        let y = H as i32 - 12 - (rows.len() - r) as i32 * LEGEND_ROW as i32 + LEGEND_ROW as i32 / 2;
        for w in widths {
            let Some((name, swatch)) = entry.next() else { break };
            legend_entry(root, (x, y), name, swatch, &BLACK)?;
            x += w;
        }
    }
    Ok(())
}

/// One legend entry: its swatch from `x`, its name after it in `colour`, both centred on `y`.
fn legend_entry(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    (x, y): (i32, i32),
    name: &str,
    swatch: &Swatch,
    colour: &RGBColor,
) -> R {
    match swatch {
        Swatch::Box(c) => root.draw(&Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()))?,
        Swatch::Line(c, width) => root.draw(&PathElement::new(vec![(x, y), (x + 10, y)], c.stroke_width(*width)))?,
    }
    let style = (FONT, 13).into_font().color(colour).pos(Pos::new(HPos::Left, VPos::Center));
    root.draw(&Text::new(name.to_string(), (x + 14, y), style))?;
    Ok(())
}

/// A waterfall: the first and last categories are totals (bars from the axis), the ones
/// between float from the running total by their effect (up blue, down orange), each with
/// its figure. The value axis spans the totals and running totals, not from zero: a rate's
/// change of two points is seen.
fn waterfall(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    chart: &Chart,
    cats: &[String],
    series: &[Vec<Option<Point>>],
    lang: Lang,
) -> R {
    let vals: Vec<f64> = series.first().map(|s| s.iter().map(|p| p.map_or(0.0, |p| p.v)).collect()).unwrap_or_default();
    let n = vals.len();
    if n < 2 {
        return Ok(());
    }
    // (from, to) of each bar; the totals' `from` is the axis bottom, set below.
    let mut spans = Vec::with_capacity(n);
    let mut cum = vals[0];
    spans.push((None, vals[0]));
    for v in &vals[1..n - 1] {
        spans.push((Some(cum), cum + v));
        cum += v;
    }
    spans.push((None, vals[n - 1]));
    let ends = spans.iter().flat_map(|(a, b)| a.iter().copied().chain([*b]));
    let (lo, hi) = ends.fold((f64::MAX, f64::MIN), |(l, h), x| (l.min(x), h.max(x)));
    let pad = ((hi - lo) * 0.25).max(hi.abs() * 0.01).max(1e-9);
    let bottom = if lo - pad < 0.0 && lo >= 0.0 { 0.0 } else { lo - pad };
    let top = hi + pad * 0.6;
    let font = |size: u32| (FONT, size).into_font();
    let mut c = ChartBuilder::on(root)
        .caption(&chart.title, font(20))
        .margin(12)
        .x_label_area_size(34)
        .y_label_area_size(56)
        .build_cartesian_2d(categories(n), bottom..top)?;
    c.configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(n)
        .x_label_formatter(&category_label(cats))
        .y_label_formatter(&axis_label(chart.percent))
        .label_style(font(14))
        .draw()?;
    const UP: RGBColor = RGBColor(0x5B, 0x9B, 0xD5);
    c.draw_series(spans.iter().enumerate().map(|(i, (from, to))| {
        let (a, colour) = match from {
            None => (bottom, NEUTRAL),
            Some(f) if to >= f => (*f, UP),
            Some(f) => (*f, LINE2),
        };
        let mut r = Rectangle::new([(SegmentValue::Exact(i), a), (SegmentValue::Exact(i + 1), *to)], colour.filled());
        r.set_margin(0, 0, 8, 8);
        r
    }))?;
    c.draw_series(spans.iter().enumerate().map(|(i, (from, to))| {
        let text = match from {
            None if chart.percent => crate::report::pct(*to),
            None => format!("{to:.0}"),
            Some(f) => {
                let d = to - f;
                let sign = if d < 0.0 { "−" } else { "+" };
                if chart.percent {
                    // "个百分点" as the workbook, the deck and the sentences say it (" pp" in English).
                    format!("{sign}{:.2}{}", d.abs() * 100.0, Label::PercentPoints.text(lang))
                } else {
                    format!("{sign}{:.0}", d.abs())
                }
            }
        };
        let y = from.map_or(*to, |f| f.max(*to));
        Text::new(
            text,
            (SegmentValue::CenterOf(i), y),
            font(13).color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom)),
        )
    }))?;
    Ok(())
}

/// Lines over months, one per series.
fn line(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    chart: &Chart,
    cats: &[String],
    names: &[String],
    series: &[Vec<Option<Point>>],
) -> R {
    let n = cats.len().max(1);
    let font = |size: u32| (FONT, size).into_font();
    let all: Vec<f64> = series.iter().flatten().flatten().map(|p| p.v).collect();
    let lo = all.iter().copied().fold(1.0, f64::min);
    let hi = all.iter().copied().fold(0.0, f64::max);
    // Rates zoom in on their band; counts start at zero.
    let (lo, hi) =
        if chart.percent { ((lo - 0.05).max(0.0), (hi + 0.03).min(1.02)) } else { (0.0, y_max(series, None, false)) };
    let entries: Vec<(String, Swatch)> = names
        .iter()
        .enumerate()
        .map(|(si, name)| (name.clone(), Swatch::Line(PALETTE[si % PALETTE.len()], 2)))
        .collect();
    let mut c = ChartBuilder::on(root)
        .caption(&chart.title, font(20))
        .margin(12)
        // The legend under the axis (inside the plot it covered points).
        .margin_bottom(12 + legend_room(&entries))
        .x_label_area_size(34)
        .y_label_area_size(48)
        .build_cartesian_2d(categories(n), lo..hi.max(lo + 0.01))?;
    c.configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(n)
        // At most 16 labels: 34 half-hours would overlap.
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if i % n.div_ceil(16) == 0 => cats.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_label_formatter(&axis_label(chart.percent))
        .label_style(font(14))
        .draw()?;
    for (si, s) in series.iter().enumerate() {
        let colour = PALETTE[si % PALETTE.len()];
        let pts: Vec<(SegmentValue<usize>, f64)> =
            s.iter().enumerate().filter_map(|(i, p)| p.map(|p| (SegmentValue::CenterOf(i), p.v))).collect();
        c.draw_series(LineSeries::new(pts.clone(), colour.stroke_width(2)).point_size(3))?;
    }
    bottom_legend(root, &entries)?;
    Ok(())
}

/// A day × interval grid: one square per cell, cells above 0 red (deeper for larger values),
/// others pale grey. Written by hand: a grid of rects needs no axes.
fn heat_map(chart: &Chart, table: &Table) -> String {
    let cols: Vec<usize> = chart.series.clone();
    let (left, top, cell_w, cell_h) = (78.0, 40.0, ((W as f64 - 90.0) / cols.len().max(1) as f64).min(28.0), 14.0);
    let height = top + cell_h * table.rows.len() as f64 + 40.0;
    let max = table
        .rows
        .iter()
        .flat_map(|r| cols.iter().filter_map(|&c| r.get(c).and_then(value)))
        .map(|p| p.v)
        .fold(0.0, f64::max)
        .max(1.0);
    let mut out = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height:.0}" viewBox="0 0 {W} {height:.0}" role="img" font-family="{FONT}"><title>{}</title>"#,
        escape(&chart.title)
    );
    out.push_str(&format!(
        r#"<text x="{}" y="22" font-size="18" text-anchor="middle">{}</text>"#,
        W / 2,
        escape(&chart.title)
    ));
    let mut desc = String::new();
    for (k, &c) in cols.iter().enumerate() {
        let name = table.columns.get(c).cloned().unwrap_or_default();
        // Label every other interval: 48 labels would overlap.
        if k % 2 == 0 {
            out.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"#,
                left + cell_w * (k as f64 + 0.5),
                top - 4.0,
                escape(&name)
            ));
        }
    }
    for (r, row) in table.rows.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let label = match row.get(chart.category) {
            Some(V::Text(s)) => s.clone(),
            _ => String::new(),
        };
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"#,
            left - 4.0,
            y + cell_h - 3.0,
            escape(&label)
        ));
        let mut hot = Vec::new();
        for (k, &c) in cols.iter().enumerate() {
            let Some(p) = row.get(c).and_then(value) else { continue };
            let t = (p.v / max).clamp(0.0, 1.0);
            let fill =
                if p.v <= 0.0 { "#f4f6f8".to_string() } else { format!("rgb(255,{0:.0},{0:.0})", 220.0 - 180.0 * t) };
            out.push_str(&format!(
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="white" stroke-width="1"/>"#,
                left + cell_w * k as f64,
                y,
                cell_w,
                cell_h
            ));
            if p.v > 0.0 {
                hot.push(format!("{} {}", table.columns.get(c).cloned().unwrap_or_default(), p.v));
            }
        }
        if !hot.is_empty() {
            desc.push_str(&format!("{label}: {}; ", hot.join(", ")));
        }
    }
    out.push_str(&format!("<desc>{}</desc></svg>", escape(&desc)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ColKind, Table};

    /// A rate cell.
    fn rate(v: f64) -> V {
        V::Rate { v, small: false, met: None }
    }

    /// A table of a text column (the categories) and number columns.
    fn table(columns: &[&str], rows: Vec<Vec<V>>) -> Table {
        Table {
            id: "t".into(),
            title: "t".into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            kinds: std::iter::once(ColKind::Text).chain(columns[1..].iter().map(|_| ColKind::Number)).collect(),
            rows,
            total: None,
        }
    }

    /// A percent chart of `table`'s columns `series` by its first column.
    fn chart(title: &str, kind: ChartKind, series: Vec<usize>, target: Option<f64>) -> Chart {
        Chart {
            title: title.into(),
            kind,
            table: "t".into(),
            category: 0,
            series,
            target: target.map(|v| ("考核目标".to_string(), v)),
            percent: true,
        }
    }

    /// An SVG element's numeric attribute (as a whole pixel).
    fn attr(line: &str, name: &str) -> i32 {
        line.split(&format!(" {name}=\"")).nth(1).unwrap().split('"').next().unwrap().parse::<f64>().unwrap() as i32
    }

    /// A rate's waterfall names its steps in percentage points the way the workbook, the deck
    /// and the sentences do: "个百分点" in Chinese (it said "pp"), " pp" in English.
    #[test]
    fn waterfall_steps_are_in_the_reports_words() {
        let rows = [("上月", 0.90), ("东区", -0.012), ("西区", 0.004), ("本月", 0.892)]
            .iter()
            .map(|(n, v)| vec![V::Text(n.to_string()), rate(*v)])
            .collect();
        let table = table(&["环节", "及时率"], rows);
        let chart = chart("及时率变化归因", ChartKind::Waterfall, vec![1], None);
        let zh = svg(&chart, &table, Lang::Zh).unwrap();
        assert!(zh.contains("−1.20个百分点") && zh.contains("+0.40个百分点"), "{zh}");
        assert!(!zh.contains("pp"), "{zh}");
        let en = svg(&chart, &table, Lang::En).unwrap();
        assert!(en.contains("−1.20 pp") && en.contains("+0.40 pp"), "{en}");
    }

    /// A grouped bar chart's legend, right of the plot, has a visible swatch in each
    /// series' colour beside its name (it was clipped to nothing once).
    #[test]
    fn grouped_bars_have_a_swatch_per_series() {
        let names = ["ADSL重复申告率", "E8重复申告率", "iTV重复申告率"];
        let rows = ["东区", "西区"].iter().map(|b| vec![V::Text(b.to_string()), rate(0.1), rate(0.3), rate(0.05)]);
        let table = table(&["分公司", names[0], names[1], names[2]], rows.collect());
        let chart = chart("各分公司分产品重复申告率", ChartKind::Column, vec![1, 2, 3], Some(0.08));
        let svg = svg(&chart, &table, Lang::Zh).unwrap();
        for (si, name) in names.iter().enumerate() {
            let c = PALETTE[si];
            let fill = format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2);
            let swatch = svg
                .lines()
                .find(|l| l.contains("width=\"10\" height=\"10\"") && l.contains(&fill))
                .unwrap_or_else(|| panic!("a 10×10 swatch in {fill} for {name}: {svg}"));
            let x = attr(swatch, "x");
            assert!(x > 60 && x < 880 - 10, "inside the chart, right of the axis: {swatch}");
            assert!(svg.contains(&format!("{name}\n</text>")) || svg.contains(&format!(">{name}<")), "{name} named");
        }
        // The target is the legend's last entry, under the series.
        let drawn = &svg[svg.find("</desc>").unwrap()..];
        let at = |needle: &str| drawn.find(needle).unwrap_or_else(|| panic!("{needle} in {drawn}"));
        assert!(at("考核目标 8.00%") > at(names[2]), "the target after the series");
    }

    /// A single series' target is named above the plot's right end, clear of every bar
    /// (at its line's end inside the plot it covered the last bar's label).
    #[test]
    fn a_target_name_is_above_every_bar() {
        let met = |v: f64| V::Rate { v, small: false, met: Some(v >= 0.85) };
        let rows = (0..8).map(|i| vec![V::Text(format!("分公司{i}")), met(0.8 + 0.02 * f64::from(i))]);
        let table = table(&["分公司", "人工接通率"], rows.collect());
        let chart = chart("各分公司人工接通率", ChartKind::Column, vec![1], Some(0.85));
        let svg = svg(&chart, &table, Lang::Zh).unwrap();
        let lines: Vec<&str> = svg.lines().collect();
        let label = lines.iter().position(|l| l.starts_with("考核目标 85.00%")).expect("the target's name");
        let (x, y) = (attr(lines[label - 1], "x"), attr(lines[label - 1], "y"));
        let bars: Vec<&&str> = lines
            .iter()
            .filter(|l| l.starts_with("<rect") && (l.contains("fill=\"#2E7D32\"") || l.contains("fill=\"#C62828\"")))
            .collect();
        assert_eq!(bars.len(), 8, "a bar a branch");
        let (bars_top, bars_end) = (
            bars.iter().map(|l| attr(l, "y")).min().unwrap(),
            bars.iter().map(|l| attr(l, "x") + attr(l, "width")).max().unwrap(),
        );
        // Above every bar (so above every bar's label too), ending inside the chart.
        assert!(y + 8 < bars_top, "the name at y={y}, above the bars (from {bars_top})");
        assert!(lines[label - 1].contains("text-anchor=\"start\""), "{}", lines[label - 1]);
        assert!(x > 60 && f64::from(x) + text_px("考核目标 85.00%") <= 880.0, "x={x}");
        assert!(x < bars_end, "over the plot's right end, not in a margin of its own");
    }

    /// A line chart's legend is under its axis, wrapped into rows of the chart's width, and
    /// names every series (inside the plot it covered points).
    #[test]
    fn a_long_legend_wraps_under_the_axis() {
        let names: Vec<String> = (1..=8).map(|i| format!("投诉处理及时率{i}")).collect();
        let columns: Vec<&str> = std::iter::once("月份").chain(names.iter().map(String::as_str)).collect();
        let rows = ["2026-09", "2026-10"].iter().map(|m| {
            std::iter::once(V::Text(m.to_string())).chain((0..8).map(|i| rate(0.8 + 0.01 * f64::from(i)))).collect()
        });
        let table = table(&columns, rows.collect());
        let chart = chart("近12个月主要指标趋势", ChartKind::Line, (1..=8).collect(), None);
        let svg = svg(&chart, &table, Lang::Zh).unwrap();
        let lines: Vec<&str> = svg.lines().collect();
        let mut rows = std::collections::BTreeSet::new();
        for name in &names {
            let at = lines.iter().position(|l| *l == name.as_str()).unwrap_or_else(|| panic!("{name} in the legend"));
            let (x, y) = (attr(lines[at - 1], "x"), attr(lines[at - 1], "y"));
            assert!(x >= 0 && f64::from(x) + text_px(name) <= f64::from(W), "{name} inside the chart: x={x}");
            assert!(y > H as i32 - 12 - 2 * LEGEND_ROW as i32 && y < H as i32, "{name} under the axis: y={y}");
            rows.insert(y);
        }
        assert_eq!(rows.len(), 2, "eight long names in two rows");
        // The two months span the axis: the last one at its right end, no empty slot after.
        let xs: Vec<i32> = lines.iter().filter(|l| l.starts_with("<circle")).map(|l| attr(l, "cx")).collect();
        let (first, last) = (*xs.iter().min().unwrap(), *xs.iter().max().unwrap());
        // (Two slots: their centres at a quarter and three quarters of the plot; with an
        // empty third slot the last was at the middle.)
        assert!(first < W as i32 / 2 && last > W as i32 * 7 / 10, "points at {first}..{last}");
    }

    /// Percent ticks never repeat a label: as many decimals as the tick has.
    #[test]
    fn percent_ticks_show_their_decimals() {
        let f = axis_label(true);
        let ticks: Vec<String> = (0..8).map(|i| f(&(0.89 + 0.005 * f64::from(i)))).collect();
        assert_eq!(ticks, ["89%", "89.5%", "90%", "90.5%", "91%", "91.5%", "92%", "92.5%"]);
        assert_eq!(f(&0.9225), "92.25%");
        assert_eq!(f(&0.5), "50%");
    }

    /// A province's sixteen branch names stand upright under the axis, one per bar, none
    /// running into the plot or into each other.
    #[test]
    fn many_branch_names_stand_upright_under_the_axis() {
        let cats: Vec<String> = (0..16).map(|i| format!("第{i}区分公司")).collect();
        let table =
            table(&["分公司", "人工接通率"], cats.iter().map(|c| vec![V::Text(c.clone()), rate(0.9)]).collect());
        let chart = chart("各分公司人工接通率", ChartKind::Column, vec![1], None);
        let svg = svg(&chart, &table, Lang::Zh).unwrap();
        let lines: Vec<&str> = svg.lines().collect();
        let axis_y = lines
            .iter()
            .filter(|l| l.starts_with("<rect") && l.contains("fill=\"#2F6EBA\""))
            .map(|l| attr(l, "y") + attr(l, "height"))
            .max()
            .expect("bars");
        let mut xs = Vec::new();
        for cat in &cats {
            let at = lines.iter().position(|l| *l == cat.as_str()).unwrap_or_else(|| panic!("{cat} drawn"));
            let tag = lines[at - 1];
            assert!(tag.contains("rotate(90"), "{cat} upright: {tag}");
            let y = attr(tag, "y");
            assert!(y > axis_y, "{cat} starts under the axis: y={y}, axis {axis_y}");
            xs.push(attr(tag, "x"));
        }
        // One per bar, left to right, a line's height (14 px) apart at least.
        assert!(xs.windows(2).all(|w| w[1] - w[0] >= 14), "{xs:?}");
    }
}

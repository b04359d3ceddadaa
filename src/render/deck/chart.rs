//! A native chart of the deck: its chart part and its embedded workbook.
//!
//! The chart part is the one the workbook renderer writes for the same chart (rust_xlsxwriter's
//! `c:chartSpace`, the same DrawingML schema in a deck), taken from a one-sheet workbook
//! holding the chart's table; the embedded workbook is that sheet without the chart, so
//! PowerPoint's "Edit data" shows the numbers the chart draws. A waterfall, which has no
//! native chart type, is drawn as stacked columns on an invisible base.

use std::borrow::Cow;
use std::io::Read;

use rust_xlsxwriter::{
    Chart as XChart, ChartFormat, ChartLegendPosition, ChartSolidFill, ChartType, Color, DocProperties, ExcelDateTime,
    Workbook, XlsxError,
};

use super::xml::esc;
use crate::config::Lang;
use crate::metrics::defs::Unit;
use crate::render::xlsx;
use crate::report::{Chart, ChartKind, ColKind, Label, Table, V};

/// A chart's parts: the chart XML and the embedded workbook.
pub(super) struct Parts {
    /// `ppt/charts/chartN.xml`.
    pub xml: String,
    /// `ppt/embeddings/Microsoft_Excel_Worksheet{N}.xlsx`.
    pub workbook: Vec<u8>,
}

/// The parts of `chart` drawn from `table`, on a sheet named `sheet`.
pub(super) fn parts(
    chart: &Chart,
    table: &Table,
    sheet: &str,
    lang: Lang,
    font: &str,
    created: &ExcelDateTime,
) -> Result<Parts, XlsxError> {
    let (chart, table): (Cow<'_, Chart>, Cow<'_, Table>) = if chart.kind == ChartKind::Waterfall {
        let (c, t) = waterfall_table(chart, table, lang);
        (Cow::Owned(c), Cow::Owned(t))
    } else {
        (Cow::Borrowed(chart), Cow::Borrowed(table))
    };
    let book = |with_chart: bool| -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        wb.set_properties(&DocProperties::new().set_author("svcq").set_creation_datetime(created));
        let ws = wb.add_worksheet();
        ws.set_name(sheet)?;
        let mut widths = vec![8; 64];
        let p = xlsx::write_table(ws, lang, &table, 0, &[&chart], &mut widths, xlsx::Sheet::Summary)?;
        for (c, w) in widths.iter().enumerate().take(table.columns.len() + 2) {
            ws.set_column_width(c as u16, (*w as f64 + 2.0).min(60.0))?;
        }
        if with_chart {
            let c = match chart.kind {
                ChartKind::Waterfall => waterfall(sheet, &chart, &table, &p),
                _ => xlsx::native_chart(sheet, &chart, &table, &p, lang),
            };
            ws.insert_chart(p.last + 2, 0, &c)?;
        }
        wb.save_to_buffer()
    };
    let workbook = book(false)?;
    let with_chart = book(true)?;
    let xml = chart_xml(&with_chart).map_err(|e| XlsxError::ParameterError(format!("reading back the chart: {e}")))?;
    Ok(Parts { xml: for_deck(&xml, font), workbook })
}

/// The chart part of a one-chart workbook.
fn chart_xml(xlsx: &[u8]) -> Result<String, zip::result::ZipError> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
    let mut part = zip.by_name("xl/charts/chart1.xml")?;
    let mut xml = String::new();
    part.read_to_string(&mut xml)?;
    Ok(xml)
}

/// A workbook's chart part made a deck's: the deck's font for all its text (East Asian text
/// too), slide-sized text, and the link to its embedded workbook (in place of the
/// workbook's print settings, which a deck has not).
fn for_deck(xml: &str, font: &str) -> String {
    let end = xml.find("<c:printSettings").or_else(|| xml.rfind("</c:chartSpace>")).unwrap_or(xml.len());
    let f = esc(font);
    format!(
        concat!(
            "{}<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz=\"1200\">",
            "<a:latin typeface=\"{f}\"/><a:ea typeface=\"{f}\"/><a:cs typeface=\"{f}\"/></a:defRPr></a:pPr>",
            "<a:endParaRPr lang=\"zh-CN\"/></a:p></c:txPr>",
            "<c:externalData r:id=\"rId1\"><c:autoUpdate val=\"0\"/></c:externalData></c:chartSpace>"
        ),
        &xml[..end],
        f = f
    )
}

/// The numbers of a cell, whatever its kind.
fn number(v: &V) -> Option<f64> {
    match v {
        V::Count(n) | V::Num(n, _) => Some(*n),
        V::Rate { v, .. } | V::Change { v, .. } => Some(*v),
        _ => None,
    }
}

/// A waterfall's table as stacked columns: the invisible base, the totals, the rises, the
/// falls (the same steps the page's waterfall draws).
fn waterfall_table(chart: &Chart, table: &Table, lang: Lang) -> (Chart, Table) {
    let vals: Vec<f64> = table.rows.iter().map(|r| r.get(1).and_then(number).unwrap_or(0.0)).collect();
    let n = vals.len();
    let cell = |x: f64| {
        if chart.percent {
            V::Rate { v: x, small: false, met: None }
        } else {
            V::Num(x, Unit::Count)
        }
    };
    let mut rows = Vec::with_capacity(n);
    let mut cum = vals.first().copied().unwrap_or(0.0);
    for (i, row) in table.rows.iter().enumerate() {
        let label = row.first().cloned().unwrap_or(V::Empty);
        let v = vals[i];
        let (base, total, up, down) = if i == 0 || i + 1 == n {
            (0.0, v, 0.0, 0.0)
        } else {
            let (from, to) = (cum, cum + v);
            cum = to;
            (from.min(to), 0.0, v.max(0.0), (-v).max(0.0))
        };
        rows.push(vec![label, cell(base), cell(total), cell(up), cell(down)]);
    }
    let t = Table {
        id: table.id.clone(),
        title: table.title.clone(),
        columns: vec![
            table.columns.first().cloned().unwrap_or_default(),
            Label::WaterfallBase.text(lang).to_string(),
            Label::WaterfallTotal.text(lang).to_string(),
            Label::WaterfallUp.text(lang).to_string(),
            Label::WaterfallDown.text(lang).to_string(),
        ],
        kinds: vec![ColKind::Text, ColKind::Number, ColKind::Number, ColKind::Number, ColKind::Number],
        rows,
        total: None,
    };
    let c = Chart { series: vec![1, 2, 3, 4], target: None, ..chart.clone() };
    (c, t)
}

/// The stacked-column waterfall over [`waterfall_table`]'s columns.
fn waterfall(sheet: &str, chart: &Chart, table: &Table, p: &xlsx::Placed) -> XChart {
    let last_body = p.first + table.rows.len() as u32 - 1;
    let mut c = XChart::new(ChartType::ColumnStacked);
    c.title().set_name(&chart.title);
    let colours = [None, Some(0xA5A5A5), Some(0x5B9BD5), Some(0xED7D31)];
    for (col, colour) in (1u16..=4).zip(colours) {
        let s = c.add_series();
        s.set_categories((sheet, p.first, 0, last_body, 0))
            .set_values((sheet, p.first, col, last_body, col))
            .set_name((sheet, p.header_row, col))
            .set_gap(50)
            .set_overlap(100);
        match colour {
            Some(rgb) => {
                s.set_format(ChartFormat::new().set_solid_fill(ChartSolidFill::new().set_color(Color::RGB(rgb))))
            }
            None => s.set_format(ChartFormat::new().set_no_fill().set_no_border()),
        };
    }
    // The axis starts below the lowest step, as on the page: a rate's change of a tenth of a
    // point is visible. A step's bottom is its base (a total's: its value, drawn from 0).
    let col = |r: &Vec<V>, c: usize| r.get(c).and_then(number).unwrap_or(0.0);
    let lo = table.rows.iter().map(|r| if col(r, 2) > 0.0 { col(r, 2) } else { col(r, 1) }).fold(f64::MAX, f64::min);
    let hi = table.rows.iter().map(|r| (1..=4).map(|c| col(r, c)).sum::<f64>()).fold(f64::MIN, f64::max);
    if hi > lo && lo > 0.0 {
        let pad = ((hi - lo) * 0.25).max(hi.abs() * 0.01);
        let bottom = (lo - pad).max(0.0);
        // Ticks on round values from a round bottom (88.5%, 89.0%…, not 88.6%, 89.6%…):
        // about six steps of 1, 2 or 5 × a power of ten.
        let step = nice_step((hi - bottom) / 6.0);
        let step = if chart.percent { step } else { step.max(1.0) };
        let bottom = ((bottom / step) + 1e-9).floor() * step;
        c.y_axis().set_min(bottom).set_major_unit(step);
    }
    if chart.percent {
        c.y_axis().set_num_format("0.0%");
    }
    c.legend().set_position(ChartLegendPosition::Bottom).delete_entries(&[0]);
    c
}

/// The smallest of 1, 2 and 5 × a power of ten that is at least `x` (> 0).
fn nice_step(x: f64) -> f64 {
    if !x.is_finite() || x <= 0.0 {
        return 1.0;
    }
    let e = 10f64.powf(x.log10().floor());
    let m = x / e;
    let k = if m <= 1.0 + 1e-9 {
        1.0
    } else if m <= 2.0 + 1e-9 {
        2.0
    } else if m <= 5.0 + 1e-9 {
        5.0
    } else {
        10.0
    };
    k * e
}

#[cfg(test)]
mod axis_tests {
    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(super::nice_step(0.0083), 0.01));
        assert!(close(super::nice_step(0.0012), 0.002));
        assert!(close(super::nice_step(0.003), 0.005));
        assert!(close(super::nice_step(12.0), 20.0));
        assert!(close(super::nice_step(0.5), 0.5));
        assert!(close(super::nice_step(0.0), 1.0));
    }
}

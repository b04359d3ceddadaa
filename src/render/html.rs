//! The HTML report (SPEC §4.3): one self-contained page — inline CSS, inline SVG charts, no
//! script, no network — rendered by tera from `report-templates/report.html` (autoescaped:
//! every input text is escaped; only the SVG we built is inserted as is).

use serde::Serialize;

use crate::config::Lang;
use crate::metrics::defs::Unit;
use crate::narrative::{TemplateError, Templates};
use crate::report::{pct, Label, Report, Section, Table, V};

/// Rows shown of a detail table; the workbook has them all.
pub(crate) const DETAIL_ROWS: usize = 200;

/// Rows shown of any other table (数据质量's rejected rows and conflicts, 服务支撑's incidents:
/// at a group's size 222 k, 39 k and 50 k rows made the page 94 MB); the workbook has them
/// all. A province month's other tables are far shorter.
pub(crate) const TABLE_ROWS: usize = 1_000;

/// A cell as the page shows it: its text and its CSS classes (`num`, `met`, `unmet`, …).
#[derive(Serialize)]
pub(crate) struct Cell {
    /// The text.
    pub(crate) text: String,
    /// The classes.
    pub(crate) class: &'static str,
}

#[derive(Serialize)]
struct HTable {
    title: String,
    columns: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<Cell>>,
    total: Option<Vec<Cell>>,
    note: Option<String>,
    /// A long table that a chart above already draws: folded under 展开明细.
    folded: bool,
}

#[derive(Serialize)]
struct Sub {
    id: String,
    heading: Option<String>,
    narrative: Vec<String>,
    charts: Vec<String>,
    tables: Vec<HTable>,
    collapsed: bool,
}

#[derive(Serialize)]
struct Part {
    id: String,
    heading: String,
    subs: Vec<Sub>,
}

#[derive(Serialize)]
struct Labels {
    contents: &'static str,
    generated: &'static str,
    small: &'static str,
    met: &'static str,
    unmet: &'static str,
    show: &'static str,
}

fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A cell's text and classes (the deck shows the same texts).
pub(crate) fn cell(v: &V, lang: Lang) -> Cell {
    match v {
        V::Empty => Cell { text: String::new(), class: "" },
        // Long texts (a complaint's content, a reason) wrap in a wide cell.
        V::Text(s) if s.chars().count() > LONG_TEXT => Cell { text: s.clone(), class: "long" },
        V::Text(s) => Cell { text: s.clone(), class: "" },
        V::Count(n) => Cell { text: thousands(*n), class: "num" },
        V::Num(n, Unit::Yuan) => Cell { text: format!("{n:.2}"), class: "num" },
        V::Num(n, _) => Cell { text: format!("{n:.1}"), class: "num" },
        V::Rate { v, small, met } => {
            let text = format!("{}{}", pct(*v), if *small { "*" } else { "" });
            let class = match (met, small) {
                (Some(true), true) => "num met small",
                (Some(true), false) => "num met",
                (Some(false), true) => "num unmet small",
                (Some(false), false) => "num unmet",
                (None, true) => "num small",
                (None, false) => "num",
            };
            Cell { text, class }
        }
        V::Change { v, unit, significant } => {
            let text = match unit {
                // No change reads 0.00, not +0.00 or −0.00.
                Unit::Rate if (v * 100.0).abs() < 0.005 => format!("0.00{}", Label::PercentPoints.text(lang)),
                Unit::Rate => format!("{:+.2}{}", v * 100.0, Label::PercentPoints.text(lang)),
                Unit::Count => format!("{}{}", if *v > 0.0 { "+" } else { "" }, thousands(*v)),
                _ => format!("{v:+.1}"),
            };
            Cell { text, class: if *significant == Some(true) { "num sig" } else { "num" } }
        }
        V::Met(m) => Cell {
            text: if *m { Label::MetWord.text(lang) } else { Label::NotMetWord.text(lang) }.to_string(),
            class: if *m { "met" } else { "unmet" },
        },
        V::Time(dt) => Cell { text: dt.format("%Y-%m-%d %H:%M").to_string(), class: "time" },
    }
}

fn table(tb: &Table, lang: Lang, limit: Option<usize>) -> HTable {
    let n = tb.rows.len();
    let shown = limit.map_or(n, |l| l.min(n));
    let numeric = tb.kinds.iter().map(|k| *k == crate::report::ColKind::Number).collect();
    let has_small = tb.rows.iter().chain(tb.total.iter()).flatten().any(|v| matches!(v, V::Rate { small: true, .. }));
    let mut notes = Vec::new();
    if shown < n {
        notes.push(format!("{} {shown} / {n} {}", Label::ShowingFirst.text(lang), Label::RowsInWorkbook.text(lang)));
    }
    if has_small {
        notes.push(Label::SmallSampleNoteHtml.text(lang).to_string());
    }
    HTable {
        title: tb.title.clone(),
        columns: tb.columns.clone(),
        numeric,
        rows: tb.rows.iter().take(shown).map(|r| r.iter().map(|v| cell(v, lang)).collect()).collect(),
        total: tb.total.as_ref().map(|r| r.iter().map(|v| cell(v, lang)).collect()),
        note: (!notes.is_empty()).then(|| notes.join(" ")),
        folded: false,
    }
}

fn sub(section: &Section, lang: Lang, heading: Heading, collapsed: bool) -> Result<Sub, String> {
    let mut charts = Vec::new();
    for c in &section.charts {
        if let Some(tb) = section.tables.iter().find(|tb| tb.id == c.table && !tb.rows.is_empty()) {
            charts.push(crate::render::charts::svg(c, tb, lang)?);
        }
    }
    let limit = Some(if section.detail { DETAIL_ROWS } else { TABLE_ROWS });
    Ok(Sub {
        id: section.id.to_string(),
        heading: match heading {
            Heading::None => None,
            Heading::Name => Some(section.name.clone()),
            Heading::Says(l) => Some(l.text(lang).to_string()),
        },
        narrative: section.narrative.clone(),
        charts,
        tables: section
            .tables
            .iter()
            .map(|tb| {
                let mut t = table(tb, lang, limit);
                // A charted table (the chart shows it), and 变化归因's table of every segment
                // (the waterfalls and sentences say what matters), are folded when long.
                let charted = section.charts.iter().any(|c| c.table == tb.id);
                t.folded = tb.rows.len() > FOLD_ROWS && (charted || section.id == "change");
                t
            })
            .collect(),
        collapsed,
    })
}

/// A text cell longer than this many characters wraps.
const LONG_TEXT: usize = 30;

/// A charted table longer than this is folded on the page (the chart shows it).
const FOLD_ROWS: usize = 12;

/// A view-model section placed in a part: (section id, own heading, collapsed).
type SubSpec = (&'static str, Heading, bool);

/// A section's heading on the page.
#[derive(Clone, Copy)]
enum Heading {
    /// None: the part's heading says it.
    None,
    /// The section's (sheet's) name.
    Name,
    /// Its subject, where the sheet is named for the workbook (明细-服务支撑 → 服务支撑).
    Says(Label),
}

/// Why the HTML could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HtmlError {
    /// A template failed.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A chart failed.
    #[error("{0}")]
    Chart(String),
}

/// Render the page.
pub(crate) fn render(report: &Report, templates: &Templates) -> Result<String, HtmlError> {
    let lang = report.lang;
    let find = |id: &str| report.sections.iter().find(|s| s.id == id);
    let layout: [(&str, Label, &[SubSpec]); 8] = [
        ("summary", Label::PartSummary, &[("overview", Heading::None, false)]),
        (
            "service",
            Label::PartService,
            &[
                ("install", Heading::Name, false),
                ("fault", Heading::Name, false),
                ("incident", Heading::Says(Label::IncidentHeading), false),
                ("repeat_detail", Heading::Name, true),
            ],
        ),
        (
            "hotline",
            Label::PartHotline,
            &[("calls", Heading::None, false), ("staffing", Heading::Says(Label::StaffingHeading), false)],
        ),
        (
            "complaints",
            Label::PartComplaints,
            &[
                ("complaint", Heading::None, false),
                ("assess", Heading::Says(Label::PartAssessment), false),
                ("late_detail", Heading::Name, true),
                ("assess_detail", Heading::Name, true),
                ("escalation_detail", Heading::Name, true),
            ],
        ),
        (
            "satisfaction",
            Label::PartSatisfaction,
            &[("survey", Heading::None, false), ("dissatisfied_detail", Heading::Name, true)],
        ),
        ("trends", Label::PartTrends, &[("trend", Heading::None, false), ("change", Heading::Name, false)]),
        ("quality", Label::PartQuality, &[("quality", Heading::None, false)]),
        ("definitions", Label::PartDefinitions, &[("definitions", Heading::None, false)]),
    ];
    let mut parts = Vec::new();
    for (id, heading, subs) in layout {
        let mut out = Vec::new();
        for (sid, heading, collapsed) in subs {
            if let Some(s) = find(sid) {
                out.push(sub(s, lang, *heading, *collapsed).map_err(HtmlError::Chart)?);
            }
        }
        parts.push(Part { id: id.to_string(), heading: heading.text(lang).to_string(), subs: out });
    }
    let mut ctx = tera::Context::new();
    ctx.insert("lang", Label::HtmlLang.text(lang));
    ctx.insert("title", &report.title);
    ctx.insert("organisation", &report.organisation);
    ctx.insert("month", &report.period.to_string());
    ctx.insert(
        "month_text",
        &match lang {
            Lang::Zh => report.period.zh(),
            Lang::En => report.period.to_string(),
        },
    );
    ctx.insert("generated", &report.generated);
    ctx.insert("parts", &parts);
    ctx.insert("css", &templates.render("style.css", &tera::Context::new())?);
    ctx.insert(
        "labels",
        &Labels {
            contents: Label::Contents.text(lang),
            generated: Label::Generated.text(lang),
            small: Label::SmallSample.text(lang),
            met: Label::MetWord.text(lang),
            unmet: Label::NotMetWord.text(lang),
            show: Label::ShowDetail.text(lang),
        },
    );
    Ok(templates.render("report.html", &ctx)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{ColKind, V};

    fn section(rows: usize, detail: bool) -> Section {
        Section {
            id: "quality",
            name: "数据质量".into(),
            narrative: Vec::new(),
            tables: vec![Table {
                id: "dq.rejected".into(),
                title: "拒收行".into(),
                columns: vec!["文件".into(), "行".into()],
                kinds: vec![ColKind::Text, ColKind::Number],
                rows: (0..rows).map(|i| vec![V::Text(format!("f{i}.csv")), V::Count(i as f64)]).collect(),
                total: None,
            }],
            charts: Vec::new(),
            detail,
            new_pages: Vec::new(),
        }
    }

    /// Every table on the page is cut (the workbook has every row): a group's 222 k rejected
    /// rows made the page 94 MB.
    #[test]
    fn long_tables_show_their_first_rows_and_say_so() {
        let s = sub(&section(1_500, false), Lang::Zh, Heading::None, false).unwrap();
        assert_eq!(s.tables[0].rows.len(), TABLE_ROWS);
        let note = s.tables[0].note.clone().unwrap_or_default();
        assert!(note.contains("1000 / 1500"), "{note}");
        let s = sub(&section(1_500, true), Lang::Zh, Heading::None, false).unwrap();
        assert_eq!(s.tables[0].rows.len(), DETAIL_ROWS);
        let s = sub(&section(40, false), Lang::Zh, Heading::None, false).unwrap();
        assert_eq!(s.tables[0].rows.len(), 40);
        assert!(s.tables[0].note.is_none());
    }
}

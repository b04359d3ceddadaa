//! The HTML report (SPEC §4.3): one self-contained page — inline CSS, inline SVG charts, no
//! script, no network — rendered by tera from `report-templates/report.html` (autoescaped:
//! every input text is escaped; only the SVG we built is inserted as is).

use serde::Serialize;

use crate::config::Lang;
use crate::metrics::defs::Unit;
use crate::narrative::{TemplateError, Templates};
use crate::report::{pct, t, Report, Section, Table, V};

/// Rows shown of a detail table; the workbook has them all.
pub const DETAIL_ROWS: usize = 200;

#[derive(Serialize)]
struct Cell {
    text: String,
    class: &'static str,
}

#[derive(Serialize)]
struct HTable {
    title: String,
    columns: Vec<String>,
    numeric: Vec<bool>,
    rows: Vec<Vec<Cell>>,
    total: Option<Vec<Cell>>,
    note: Option<String>,
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

fn cell(v: &V, lang: Lang) -> Cell {
    match v {
        V::Empty => Cell { text: String::new(), class: "" },
        V::Text(s) => Cell { text: s.clone(), class: "" },
        V::Count(n) => Cell { text: thousands(*n), class: "num" },
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
                Unit::Rate => format!("{:+.2}{}", v * 100.0, t(lang, "个百分点", " pp")),
                Unit::Count => format!("{}{}", if *v > 0.0 { "+" } else { "" }, thousands(*v)),
                _ => format!("{v:+.1}"),
            };
            Cell { text, class: if *significant == Some(true) { "num sig" } else { "num" } }
        }
        V::Met(m) => Cell {
            text: if *m { t(lang, "达标", "met") } else { t(lang, "未达标", "not met") }.to_string(),
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
        notes.push(format!(
            "{} {shown} / {n} {}",
            t(lang, "仅显示前", "showing the first"),
            t(lang, "行，全部明细见Excel工作簿。", "rows; the workbook has them all.")
        ));
    }
    if has_small {
        notes.push(
            t(
                lang,
                "* 样本量小（分母低于配置的小样本量），不宜据此排名。",
                "* small sample (denominator below the configured size): do not rank on it.",
            )
            .to_string(),
        );
    }
    HTable {
        title: tb.title.clone(),
        columns: tb.columns.clone(),
        numeric,
        rows: tb.rows.iter().take(shown).map(|r| r.iter().map(|v| cell(v, lang)).collect()).collect(),
        total: tb.total.as_ref().map(|r| r.iter().map(|v| cell(v, lang)).collect()),
        note: (!notes.is_empty()).then(|| notes.join(" ")),
    }
}

fn sub(section: &Section, lang: Lang, heading: bool, collapsed: bool) -> Result<Sub, String> {
    let mut charts = Vec::new();
    for c in &section.charts {
        if let Some(tb) = section.tables.iter().find(|tb| tb.id == c.table && !tb.rows.is_empty()) {
            charts.push(crate::render::charts::svg(c, tb, lang)?);
        }
    }
    let limit = section.detail.then_some(DETAIL_ROWS);
    Ok(Sub {
        id: section.id.to_string(),
        heading: heading.then(|| section.name.clone()),
        narrative: section.narrative.clone(),
        charts,
        tables: section.tables.iter().map(|tb| table(tb, lang, limit)).collect(),
        collapsed,
    })
}

/// A view-model section placed in a part: (section id, own heading, collapsed).
type SubSpec = (&'static str, bool, bool);

/// Why the HTML could not be written.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// A template failed.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A chart failed.
    #[error("{0}")]
    Chart(String),
}

/// Render the page.
pub fn render(report: &Report, templates: &Templates) -> Result<String, HtmlError> {
    let lang = report.lang;
    let find = |id: &str| report.sections.iter().find(|s| s.id == id);
    let layout: [(&str, &str, &str, &[SubSpec]); 8] = [
        ("summary", "一、总体概述", "1. Summary", &[("overview", false, false)]),
        (
            "service",
            "二、服务指标",
            "2. Service",
            &[("install", true, false), ("fault", true, false), ("repeat_detail", true, true)],
        ),
        ("hotline", "三、话务", "3. Hotline", &[("calls", false, false)]),
        ("complaints", "四、投诉管理", "4. Complaints", &[("complaint", false, false), ("late_detail", true, true)]),
        ("satisfaction", "五、回访满意度", "5. Callback satisfaction", &[("survey", false, false)]),
        ("trends", "六、预警与趋势", "6. Early warnings and trends", &[("trend", false, false)]),
        ("quality", "七、数据质量", "7. Data quality", &[("quality", false, false)]),
        ("definitions", "八、指标口径", "8. Definitions", &[("definitions", false, false)]),
    ];
    let mut parts = Vec::new();
    for (id, zh, en, subs) in layout {
        let mut out = Vec::new();
        for (sid, heading, collapsed) in subs {
            if let Some(s) = find(sid) {
                out.push(sub(s, lang, *heading, *collapsed).map_err(HtmlError::Chart)?);
            }
        }
        parts.push(Part { id: id.to_string(), heading: t(lang, zh, en).to_string(), subs: out });
    }
    let mut ctx = tera::Context::new();
    ctx.insert("lang", t(lang, "zh-CN", "en"));
    ctx.insert("title", &report.title);
    ctx.insert("organisation", &report.organisation);
    ctx.insert("month", &report.month.to_string());
    ctx.insert(
        "month_text",
        &match lang {
            Lang::Zh => format!("{}年{}月", report.month.year, report.month.month),
            Lang::En => report.month.to_string(),
        },
    );
    ctx.insert("generated", &report.generated);
    ctx.insert("parts", &parts);
    ctx.insert("css", &templates.render("style.css", &tera::Context::new())?);
    ctx.insert(
        "labels",
        &Labels {
            contents: t(lang, "目录", "Contents"),
            generated: t(lang, "生成日期", "Generated"),
            small: t(lang, "样本量小", "small sample"),
            met: t(lang, "达标", "met"),
            unmet: t(lang, "未达标", "not met"),
            show: t(lang, "展开明细", "Show the detail"),
        },
    );
    Ok(templates.render("report.html", &ctx)?)
}

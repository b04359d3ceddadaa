//! The deck's package: the built-in master, theme and layouts or a site's template's, the
//! slides, their charts and embedded workbooks, and the parts that tie them together.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use rayon::prelude::*;
use rust_xlsxwriter::ExcelDateTime;
use zip::write::SimpleFileOptions;

use super::plan::{Frame, Layout, Rect, Shape, Slide};
use super::xml::{esc, Footer, DECL, NS};
use super::{chart, DeckError};
use crate::report::Report;

const REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const CT_SLIDE: &str = "application/vnd.openxmlformats-officedocument.presentationml.slide+xml";
const CT_CHART: &str = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml";
const CT_XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The largest part of a template read (its pictures included).
const MAX_TEMPLATE_PART: u64 = 64 << 20;

/// What the slides are put on: the masters, layouts and theme (the built-in ones or a
/// template's), and where the slides' parts are tied in.
pub(super) struct Base {
    frame: Frame,
    /// Parts kept as they are.
    parts: Vec<(String, Vec<u8>)>,
    /// `[Content_Types].xml`'s defaults (extension, type) and overrides (part, type).
    defaults: Vec<(String, String)>,
    overrides: Vec<(String, String)>,
    /// `ppt/presentation.xml` before and after where the slide list goes.
    presentation: (String, String),
    /// `ppt/_rels/presentation.xml.rels`' relationships other than slides (id, type, target).
    rels: Vec<(String, String, String)>,
    /// The layouts of the cover and of the other slides (part names).
    cover_layout: String,
    content_layout: String,
    /// The content layout has no title placeholder: the title is placed by us.
    title_at: Option<Rect>,
    /// The built-in look: a footer on the content slides.
    footer: bool,
}

impl Base {
    /// The slide size.
    pub(super) fn frame(&self) -> Frame {
        self.frame
    }

    /// The built-in master, theme and two layouts, in 16:9.
    pub(super) fn builtin(font: &str) -> Base {
        let frame = Frame { w: 12_192_000, h: 6_858_000 };
        let t = frame.title();
        let fill = |s: &str| {
            s.replace("@FONT@", &esc(font))
                .replace("@TX@", &t.x.to_string())
                .replace("@TY@", &t.y.to_string())
                .replace("@TW@", &t.w.to_string())
                .replace("@TH@", &t.h.to_string())
                .replace("@RY@", &(t.y + t.h + frame.h / 60).to_string())
                .replace("@CX@", &(frame.w / 10).to_string())
                .replace("@CW@", &(frame.w * 8 / 10).to_string())
                .replace("@CY@", &(frame.h / 4).to_string())
                .replace("@CH@", &(frame.h / 4).to_string())
                .replace("@SY@", &(frame.h / 2 + frame.h / 30).to_string())
                .replace("@SH@", &(frame.h / 4).to_string())
                .into_bytes()
        };
        let rel = |id: &str, kind: &str, target: &str| {
            format!(r#"<Relationship Id="{id}" Type="{R}/{kind}" Target="{target}"/>"#)
        };
        let rels =
            |body: String| format!("{DECL}<Relationships xmlns=\"{REL_NS}\">{body}</Relationships>").into_bytes();
        let layout_rels = rels(rel("rId1", "slideMaster", "../slideMasters/slideMaster1.xml"));
        let parts = vec![
            ("ppt/theme/theme1.xml".to_string(), fill(include_str!("parts/theme.xml"))),
            ("ppt/slideMasters/slideMaster1.xml".to_string(), fill(include_str!("parts/master.xml"))),
            (
                "ppt/slideMasters/_rels/slideMaster1.xml.rels".to_string(),
                rels(
                    rel("rId1", "slideLayout", "../slideLayouts/slideLayout1.xml")
                        + &rel("rId2", "slideLayout", "../slideLayouts/slideLayout2.xml")
                        + &rel("rId3", "theme", "../theme/theme1.xml"),
                ),
            ),
            ("ppt/slideLayouts/slideLayout1.xml".to_string(), fill(include_str!("parts/layout-title.xml"))),
            ("ppt/slideLayouts/_rels/slideLayout1.xml.rels".to_string(), layout_rels.clone()),
            ("ppt/slideLayouts/slideLayout2.xml".to_string(), fill(include_str!("parts/layout-title-only.xml"))),
            ("ppt/slideLayouts/_rels/slideLayout2.xml.rels".to_string(), layout_rels),
            ("ppt/presProps.xml".to_string(), format!("{DECL}<p:presentationPr {NS}/>").into_bytes()),
            (
                "ppt/viewProps.xml".to_string(),
                format!("{DECL}<p:viewPr {NS}><p:normalViewPr><p:restoredLeft sz=\"15620\"/><p:restoredTop sz=\"94660\"/></p:normalViewPr><p:gridSpacing cx=\"76200\" cy=\"76200\"/></p:viewPr>").into_bytes(),
            ),
            (
                "ppt/tableStyles.xml".to_string(),
                format!("{DECL}<a:tblStyleLst xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" def=\"{{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}}\"/>").into_bytes(),
            ),
        ];
        let pml = "application/vnd.openxmlformats-officedocument.presentationml";
        let overrides = vec![
            (
                "/ppt/theme/theme1.xml".to_string(),
                "application/vnd.openxmlformats-officedocument.theme+xml".to_string(),
            ),
            ("/ppt/slideMasters/slideMaster1.xml".to_string(), format!("{pml}.slideMaster+xml")),
            ("/ppt/slideLayouts/slideLayout1.xml".to_string(), format!("{pml}.slideLayout+xml")),
            ("/ppt/slideLayouts/slideLayout2.xml".to_string(), format!("{pml}.slideLayout+xml")),
            ("/ppt/presProps.xml".to_string(), format!("{pml}.presProps+xml")),
            ("/ppt/viewProps.xml".to_string(), format!("{pml}.viewProps+xml")),
            ("/ppt/tableStyles.xml".to_string(), format!("{pml}.tableStyles+xml")),
        ];
        let presentation = (
            format!(
                r#"{DECL}<p:presentation {NS} saveSubsetFonts="1"><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>"#
            ),
            format!(
                r#"<p:sldSz cx="{}" cy="{}"/><p:notesSz cx="6858000" cy="9144000"/><p:defaultTextStyle><a:defPPr><a:defRPr lang="zh-CN"/></a:defPPr></p:defaultTextStyle></p:presentation>"#,
                frame.w, frame.h
            ),
        );
        let rels = vec![
            ("rId1".into(), format!("{R}/slideMaster"), "slideMasters/slideMaster1.xml".into()),
            ("rId2".into(), format!("{R}/theme"), "theme/theme1.xml".into()),
            ("rId3".into(), format!("{R}/presProps"), "presProps.xml".into()),
            ("rId4".into(), format!("{R}/viewProps"), "viewProps.xml".into()),
            ("rId5".into(), format!("{R}/tableStyles"), "tableStyles.xml".into()),
        ];
        Base {
            frame,
            parts,
            defaults: Vec::new(),
            overrides,
            presentation,
            rels,
            cover_layout: "ppt/slideLayouts/slideLayout1.xml".into(),
            content_layout: "ppt/slideLayouts/slideLayout2.xml".into(),
            title_at: None,
            footer: true,
        }
    }

    /// A site's template: its masters, layouts, theme and pictures are kept, its slides (and
    /// their notes, charts and embedded files) left out; its slide size is the deck's.
    pub(super) fn template(bytes: &[u8], name: &str) -> Result<Base, DeckError> {
        let bad = |why: String| DeckError::Template { file: name.to_string(), why };
        crate::ingest::guard::check_zip(Cursor::new(bytes)).map_err(&bad)?;
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(format!("not a pptx (zip): {e}")))?;
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
            if entry.is_dir() {
                continue;
            }
            let part = entry.name().map_err(|e| bad(e.to_string()))?.to_string();
            let mut buf = Vec::new();
            (&mut entry).take(MAX_TEMPLATE_PART + 1).read_to_end(&mut buf).map_err(|e| bad(format!("{part}: {e}")))?;
            if buf.len() as u64 > MAX_TEMPLATE_PART {
                return Err(bad(format!("{part} is larger than {} MiB", MAX_TEMPLATE_PART >> 20)));
            }
            files.insert(part, buf);
        }
        let text = |files: &BTreeMap<String, Vec<u8>>, part: &str| -> Result<String, DeckError> {
            let b = files.get(part).ok_or_else(|| bad(format!("it has no {part}: not a PowerPoint deck")))?;
            String::from_utf8(b.clone()).map_err(|_| bad(format!("{part} is not UTF-8")))
        };
        let pres = text(&files, "ppt/presentation.xml")?;
        let pres_rels = text(&files, "ppt/_rels/presentation.xml.rels")?;
        let types = text(&files, "[Content_Types].xml")?;
        // The slide size.
        let size = elements(&pres, "sldSz");
        let dim = |k: &str| size.first().and_then(|a| a.get(k)).and_then(|v| v.parse::<i64>().ok());
        let frame = match (dim("cx"), dim("cy")) {
            (Some(w), Some(h)) if w > 0 && h > 0 => Frame { w, h },
            _ => Frame { w: 12_192_000, h: 6_858_000 },
        };
        // The slide list goes where the template's was, or before the slide size.
        let (before, after) = match (pres.find("<p:sldIdLst"), pres.find("</p:sldIdLst>")) {
            (Some(a), Some(b)) => (pres[..a].to_string(), pres[b + "</p:sldIdLst>".len()..].to_string()),
            _ => {
                let at = pres
                    .find("<p:sldIdLst/>")
                    .map(|a| (a, a + "<p:sldIdLst/>".len()))
                    .or_else(|| pres.find("<p:sldSz").or_else(|| pres.find("<p:notesSz")).map(|a| (a, a)));
                let (a, b) = at.ok_or_else(|| bad("ppt/presentation.xml has no slide size".into()))?;
                (pres[..a].to_string(), pres[b..].to_string())
            }
        };
        let dropped = |p: &str| {
            ["ppt/slides/", "ppt/notesSlides/", "ppt/charts/", "ppt/embeddings/", "docProps/", "_rels/.rels"]
                .iter()
                .any(|d| p.starts_with(d))
                || p == "[Content_Types].xml"
                || p == "ppt/presentation.xml"
                || p == "ppt/_rels/presentation.xml.rels"
        };
        let rels: Vec<(String, String, String)> = elements(&pres_rels, "Relationship")
            .into_iter()
            .filter_map(|a| Some((a.get("Id")?.clone(), a.get("Type")?.clone(), a.get("Target")?.clone())))
            .filter(|(_, kind, _)| !kind.ends_with("/slide"))
            .collect();
        // The first master's layouts: the title layout for the cover, "title only" for the rest.
        let master = rels
            .iter()
            .find(|(_, kind, _)| kind.ends_with("/slideMaster"))
            .map(|(_, _, t)| join("ppt", t))
            .ok_or_else(|| bad("it has no slide master".into()))?;
        let master_rels = text(&files, &rels_of(&master))?;
        let dir = master.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let mut layouts: Vec<(String, String, bool)> = Vec::new();
        for a in elements(&master_rels, "Relationship") {
            let (Some(kind), Some(target)) = (a.get("Type"), a.get("Target")) else { continue };
            if !kind.ends_with("/slideLayout") {
                continue;
            }
            let part = join(&dir, target);
            let xml = text(&files, &part)?;
            let kind = elements(&xml, "sldLayout").first().and_then(|a| a.get("type").cloned()).unwrap_or_default();
            let has_title = xml.contains(r#"type="title""#) || xml.contains(r#"type="ctrTitle""#);
            layouts.push((part, kind, has_title));
        }
        let pick = |kinds: &[&str]| layouts.iter().find(|(_, k, _)| kinds.contains(&k.as_str())).cloned();
        let content = pick(&["titleOnly"])
            .or_else(|| layouts.iter().find(|(_, _, t)| *t).cloned())
            .or_else(|| layouts.first().cloned())
            .ok_or_else(|| bad("its slide master has no layouts".into()))?;
        let cover = pick(&["title"]).unwrap_or_else(|| content.clone());
        let title_at = (!content.2).then(|| frame.title());
        let mut defaults = Vec::new();
        let mut overrides = Vec::new();
        for a in elements(&types, "Default") {
            if let (Some(e), Some(t)) = (a.get("Extension"), a.get("ContentType")) {
                defaults.push((e.clone(), t.clone()));
            }
        }
        for a in elements(&types, "Override") {
            if let (Some(p), Some(t)) = (a.get("PartName"), a.get("ContentType")) {
                if !dropped(p.trim_start_matches('/')) {
                    overrides.push((p.clone(), t.clone()));
                }
            }
        }
        let parts = files.into_iter().filter(|(p, _)| !dropped(p)).collect();
        Ok(Base {
            frame,
            parts,
            defaults,
            overrides,
            presentation: (before, after),
            rels,
            cover_layout: cover.0,
            content_layout: content.0,
            title_at,
            footer: false,
        })
    }
}

/// `target` relative to the folder `dir` (`../x` goes up).
fn join(dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    for p in target.split('/') {
        match p {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// The relationships part of `part`.
fn rels_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// `target` as seen from the folder of `from` (both part names).
fn relative(from: &str, target: &str) -> String {
    let from_dir: Vec<&str> = from.rsplit_once('/').map_or(Vec::new(), |(d, _)| d.split('/').collect());
    let to: Vec<&str> = target.split('/').collect();
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from_dir.len() - common];
    out.extend(&to[common..]);
    out.join("/")
}

/// The attributes of every element named `local` (any prefix).
fn elements(xml: &str, local: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.local_name().as_ref() == local =>
            {
                let attrs = e
                    .attributes()
                    .flatten()
                    .filter_map(|a| {
                        let key = a.key.local_name().as_ref().to_string();
                        let value = a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()?.into_owned();
                        Some((key, value))
                    })
                    .collect();
                out.push(attrs);
            }
            Ok(quick_xml::events::Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// Write the deck.
pub(super) fn write(base: &Base, report: &Report, slides: &[Slide<'_>], font: &str) -> Result<Vec<u8>, DeckError> {
    use chrono::Datelike;
    let day = report.period.end().date();
    let created = ExcelDateTime::from_ymd(day.year() as u16, day.month() as u8, day.day() as u8)?;
    // Every chart's parts, on whichever core is free.
    let charts: Vec<(&crate::report::Chart, &crate::report::Table, &str)> = slides
        .iter()
        .flat_map(|s| &s.shapes)
        .filter_map(|sh| match sh {
            Shape::Chart { chart, table, sheet, .. } => Some((*chart, *table, *sheet)),
            _ => None,
        })
        .collect();
    let chart_parts: Vec<chart::Parts> = charts
        .par_iter()
        .with_max_len(1)
        .map(|(c, t, sheet)| chart::parts(c, t, sheet, report.lang, font, &created))
        .collect::<Result<_, _>>()?;

    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(6));
    let put = |zip: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, bytes: &[u8]| -> Result<(), DeckError> {
        zip.start_file(name, opts)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    // [Content_Types].xml
    let mut ct = format!("{DECL}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">");
    let mut defaults: Vec<(String, String)> = vec![
        ("rels".into(), "application/vnd.openxmlformats-package.relationships+xml".into()),
        ("xml".into(), "application/xml".into()),
        ("xlsx".into(), CT_XLSX.into()),
    ];
    for (e, t) in &base.defaults {
        if !defaults.iter().any(|(d, _)| d.eq_ignore_ascii_case(e)) {
            defaults.push((e.clone(), t.clone()));
        }
    }
    for (e, t) in &defaults {
        ct.push_str(&format!(r#"<Default Extension="{}" ContentType="{}"/>"#, esc(e), esc(t)));
    }
    let mut overrides = base.overrides.clone();
    overrides.push((
        "/ppt/presentation.xml".into(),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml".into(),
    ));
    overrides.push(("/docProps/core.xml".into(), "application/vnd.openxmlformats-package.core-properties+xml".into()));
    overrides.push((
        "/docProps/app.xml".into(),
        "application/vnd.openxmlformats-officedocument.extended-properties+xml".into(),
    ));
    for i in 1..=slides.len() {
        overrides.push((format!("/ppt/slides/slide{i}.xml"), CT_SLIDE.into()));
    }
    for i in 1..=chart_parts.len() {
        overrides.push((format!("/ppt/charts/chart{i}.xml"), CT_CHART.into()));
    }
    overrides.dedup_by(|a, b| a.0 == b.0);
    for (p, t) in &overrides {
        ct.push_str(&format!(r#"<Override PartName="{}" ContentType="{}"/>"#, esc(p), esc(t)));
    }
    ct.push_str("</Types>");
    put(&mut zip, "[Content_Types].xml", ct.as_bytes())?;
    let rels = |body: String| format!("{DECL}<Relationships xmlns=\"{REL_NS}\">{body}</Relationships>");
    put(
        &mut zip,
        "_rels/.rels",
        rels(format!(
            r#"<Relationship Id="rId1" Type="{R}/officeDocument" Target="ppt/presentation.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="{R}/extended-properties" Target="docProps/app.xml"/>"#
        ))
        .as_bytes(),
    )?;
    let when = format!("{}T00:00:00Z", day.format("%Y-%m-%d"));
    put(
        &mut zip,
        "docProps/core.xml",
        format!(
            r#"{DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{}</dc:title><dc:creator>svcq</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>"#,
            esc(&format!("{} {} {}", report.organisation, report.title, report.period))
        )
        .as_bytes(),
    )?;
    put(
        &mut zip,
        "docProps/app.xml",
        format!(
            r#"{DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>svcq</Application><Slides>{}</Slides><Company>{}</Company></Properties>"#,
            slides.len(),
            esc(&report.organisation)
        )
        .as_bytes(),
    )?;
    // The presentation and its relationships: the template's (or built-in) ones and the slides.
    let mut pres = base.presentation.0.clone();
    pres.push_str("<p:sldIdLst>");
    for i in 1..=slides.len() {
        pres.push_str(&format!(r#"<p:sldId id="{}" r:id="svcqSlide{i}"/>"#, 255 + i));
    }
    pres.push_str("</p:sldIdLst>");
    pres.push_str(&base.presentation.1);
    put(&mut zip, "ppt/presentation.xml", pres.as_bytes())?;
    let mut body = String::new();
    for (id, kind, target) in &base.rels {
        body.push_str(&format!(r#"<Relationship Id="{}" Type="{}" Target="{}"/>"#, esc(id), esc(kind), esc(target)));
    }
    for i in 1..=slides.len() {
        body.push_str(&format!(r#"<Relationship Id="svcqSlide{i}" Type="{R}/slide" Target="slides/slide{i}.xml"/>"#));
    }
    put(&mut zip, "ppt/_rels/presentation.xml.rels", rels(body).as_bytes())?;
    for (name, bytes) in &base.parts {
        put(&mut zip, name, bytes)?;
    }
    // The slides.
    let f = base.frame;
    let footer_text = format!("{} · {} · {}", report.organisation, report.title, report.period);
    let mut chart_no = 0;
    for (i, s) in slides.iter().enumerate() {
        let part = format!("ppt/slides/slide{}.xml", i + 1);
        let layout = if s.layout == Layout::Cover { &base.cover_layout } else { &base.content_layout };
        let footer = (base.footer && s.layout == Layout::Content).then(|| Footer {
            at: Rect { x: f.w * 3 / 80, y: f.h - f.h * 2 / 27 + f.h / 90, w: f.w - f.w * 3 / 40, h: f.h / 20 },
            left: footer_text.clone(),
            page: format!("{} / {}", i + 1, slides.len()),
        });
        put(&mut zip, &part, super::xml::slide(s, font, base.title_at, footer.as_ref()).as_bytes())?;
        let mut body =
            format!(r#"<Relationship Id="rId1" Type="{R}/slideLayout" Target="{}"/>"#, relative(&part, layout));
        for (k, _) in s.shapes.iter().filter(|sh| matches!(sh, Shape::Chart { .. })).enumerate() {
            chart_no += 1;
            body.push_str(&format!(
                r#"<Relationship Id="rId{}" Type="{R}/chart" Target="../charts/chart{chart_no}.xml"/>"#,
                k + 2
            ));
        }
        put(&mut zip, &rels_of(&part), rels(body).as_bytes())?;
    }
    for (i, c) in chart_parts.iter().enumerate() {
        let n = i + 1;
        put(&mut zip, &format!("ppt/charts/chart{n}.xml"), c.xml.as_bytes())?;
        put(
            &mut zip,
            &format!("ppt/charts/_rels/chart{n}.xml.rels"),
            rels(format!(
                r#"<Relationship Id="rId1" Type="{R}/package" Target="../embeddings/Microsoft_Excel_Worksheet{n}.xlsx"/>"#
            ))
            .as_bytes(),
        )?;
        put(&mut zip, &format!("ppt/embeddings/Microsoft_Excel_Worksheet{n}.xlsx"), &c.workbook)?;
    }
    Ok(zip.finish()?.into_inner())
}

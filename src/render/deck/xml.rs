//! A slide's XML: the title placeholder, text boxes, native tables and chart frames. Every
//! text is XML-escaped and written as a run's text: never a field, a link or markup.

use std::fmt::Write;

use super::plan::{Layout, Para, Rect, Shape, Slide, TCell, TableFrame, PT};

/// The namespaces of a slide.
pub(super) const NS: &str = concat!(
    r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" "#,
    r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" "#,
    r#"xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#
);

/// The XML declaration every part starts with.
pub(super) const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// `s` as XML text: escaped, and without the characters XML 1.0 cannot hold.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// A slide's XML; `charts` are the relationship ids of its chart frames, in order.
pub(super) fn slide(s: &Slide<'_>, font: &str, explicit_title: Option<Rect>, footer: Option<&Footer>) -> String {
    let mut x = String::with_capacity(8192);
    x.push_str(DECL);
    let _ = write!(x, "<p:sld {NS}><p:cSld><p:spTree>");
    x.push_str(concat!(
        r#"<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>"#,
        r#"<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/><a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>"#
    ));
    let mut id = 2;
    match s.layout {
        Layout::Cover => {
            placeholder(&mut x, id, "ctrTitle", None, &[Para::plain(&s.title, 40, true)], font, explicit_title);
            id += 1;
            let paras: Vec<Para> = s.subtitle.iter().map(|l| Para::plain(l, 20, false)).collect();
            placeholder(&mut x, id, "subTitle", Some(1), &paras, font, None);
            id += 1;
        }
        Layout::Content => {
            placeholder(&mut x, id, "title", None, &[Para::plain(&s.title, 26, true)], font, explicit_title);
            id += 1;
        }
    }
    let mut chart = 0;
    for shape in &s.shapes {
        match shape {
            Shape::Text { at, paras } => text_box(&mut x, id, at, paras, font),
            Shape::Table { at, table } => table_frame(&mut x, id, at, table, font),
            Shape::Chart { at, .. } => {
                chart += 1;
                chart_frame(&mut x, id, at, chart + 1);
            }
        }
        id += 1;
    }
    if let Some(f) = footer {
        let grey = Some(0x7F7F7F);
        let left = Para { colour: grey, ..Para::plain(&f.left, 10, false) };
        text_box(&mut x, id, &Rect { w: f.at.w * 4 / 5, ..f.at }, &[left], font);
        let right = Para { colour: grey, ..Para::plain(&f.page, 10, false) };
        let w = f.at.w / 6;
        text_box_right(&mut x, id + 1, &Rect { x: f.at.x + f.at.w - w, w, ..f.at }, &right, font);
    }
    x.push_str("</p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>");
    x
}

impl Para {
    fn plain(text: &str, size: u32, bold: bool) -> Para {
        Para { text: text.to_string(), size, bold, colour: None, bullet: false, centre: false }
    }
}

fn xfrm(x: &mut String, at: &Rect, tag: &str) {
    let _ = write!(
        x,
        r#"<{tag}><a:off x="{}" y="{}"/><a:ext cx="{}" cy="{}"/></{tag}>"#,
        at.x,
        at.y,
        at.w.max(0),
        at.h.max(0)
    );
}

fn run(x: &mut String, text: &str, size: u32, bold: bool, colour: Option<u32>, font: &str) {
    let _ = write!(x, r#"<a:r><a:rPr lang="zh-CN" altLang="en-US" sz="{}""#, size * 100);
    if bold {
        x.push_str(r#" b="1""#);
    }
    x.push_str(r#" dirty="0">"#);
    if let Some(c) = colour {
        let _ = write!(x, r#"<a:solidFill><a:srgbClr val="{c:06X}"/></a:solidFill>"#);
    }
    let f = esc(font);
    let _ = write!(
        x,
        r#"<a:latin typeface="{f}"/><a:ea typeface="{f}"/><a:cs typeface="{f}"/></a:rPr><a:t>{}</a:t></a:r>"#,
        esc(text)
    );
}

fn paragraph(x: &mut String, p: &Para, font: &str) {
    x.push_str("<a:p>");
    if p.bullet {
        x.push_str(concat!(
            r#"<a:pPr marL="228600" indent="-228600"><a:spcBef><a:spcPts val="600"/></a:spcBef>"#,
            r#"<a:buClr><a:schemeClr val="accent1"/></a:buClr><a:buFont typeface="Arial"/><a:buChar char="&#8226;"/></a:pPr>"#
        ));
    } else if p.centre {
        x.push_str(r#"<a:pPr algn="ctr"><a:spcBef><a:spcPts val="600"/></a:spcBef><a:buNone/></a:pPr>"#);
    } else {
        x.push_str(r#"<a:pPr><a:spcBef><a:spcPts val="600"/></a:spcBef><a:buNone/></a:pPr>"#);
    }
    if !p.text.is_empty() {
        run(x, &p.text, p.size, p.bold, p.colour, font);
    }
    let _ = write!(x, r#"<a:endParaRPr lang="zh-CN" altLang="en-US" sz="{}" dirty="0"/></a:p>"#, p.size * 100);
}

fn placeholder(x: &mut String, id: usize, kind: &str, idx: Option<u32>, paras: &[Para], font: &str, at: Option<Rect>) {
    let _ = write!(
        x,
        r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="{kind} {id}"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr><p:ph type="{kind}""#
    );
    if let Some(i) = idx {
        let _ = write!(x, r#" idx="{i}""#);
    }
    x.push_str("/></p:nvPr></p:nvSpPr>");
    match at {
        Some(r) => {
            x.push_str("<p:spPr>");
            xfrm(x, &r, "a:xfrm");
            x.push_str("</p:spPr>");
        }
        None => x.push_str("<p:spPr/>"),
    }
    x.push_str(r#"<p:txBody><a:bodyPr><a:normAutofit/></a:bodyPr><a:lstStyle/>"#);
    for p in paras {
        // The placeholder's own size and colour (the layout's or the template's); the font
        // is ours, for East Asian text.
        let _ = write!(x, "<a:p>");
        if !p.text.is_empty() {
            let f = esc(font);
            let _ = write!(
                x,
                r#"<a:r><a:rPr lang="zh-CN" altLang="en-US" dirty="0"><a:latin typeface="{f}"/><a:ea typeface="{f}"/><a:cs typeface="{f}"/></a:rPr><a:t>{}</a:t></a:r>"#,
                esc(&p.text)
            );
        }
        x.push_str(r#"<a:endParaRPr lang="zh-CN" altLang="en-US" dirty="0"/></a:p>"#);
    }
    x.push_str("</p:txBody></p:sp>");
}

fn text_box(x: &mut String, id: usize, at: &Rect, paras: &[Para], font: &str) {
    let _ = write!(
        x,
        r#"<p:sp><p:nvSpPr><p:cNvPr id="{id}" name="Text {id}"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr>"#
    );
    xfrm(x, at, "a:xfrm");
    x.push_str(r#"<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/></p:spPr>"#);
    x.push_str(r#"<p:txBody><a:bodyPr wrap="square" lIns="88900" tIns="45720" rIns="88900" bIns="45720" anchor="t"><a:noAutofit/></a:bodyPr><a:lstStyle/>"#);
    if paras.is_empty() {
        x.push_str(r#"<a:p><a:endParaRPr lang="zh-CN" dirty="0"/></a:p>"#);
    }
    for p in paras {
        paragraph(x, p, font);
    }
    x.push_str("</p:txBody></p:sp>");
}

/// The footer of a content slide: what the deck is, on the left; the page, on the right.
pub(super) struct Footer {
    /// Where (the whole width).
    pub at: Rect,
    /// Organisation, title, period.
    pub left: String,
    /// "3 / 24".
    pub page: String,
}

fn text_box_right(x: &mut String, id: usize, at: &Rect, p: &Para, font: &str) {
    let mut inner = String::new();
    text_box(&mut inner, id, at, std::slice::from_ref(p), font);
    x.push_str(&inner.replacen("<a:pPr>", r#"<a:pPr algn="r">"#, 1));
}

fn border(x: &mut String, tag: &str, colour: Option<u32>) {
    match colour {
        Some(c) => {
            let _ = write!(x, r#"<a:{tag} w="6350"><a:solidFill><a:srgbClr val="{c:06X}"/></a:solidFill></a:{tag}>"#);
        }
        None => {
            let _ = write!(x, r#"<a:{tag} w="0"><a:noFill/></a:{tag}>"#);
        }
    }
}

fn table_frame(x: &mut String, id: usize, at: &Rect, t: &TableFrame, font: &str) {
    let _ = write!(
        x,
        r#"<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{id}" name="Table {id}"/><p:cNvGraphicFramePr><a:graphicFrameLocks noGrp="1"/></p:cNvGraphicFramePr><p:nvPr/></p:nvGraphicFramePr>"#
    );
    xfrm(x, at, "p:xfrm");
    x.push_str(r#"<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl><a:tblPr firstRow="1" bandRow="0"/><a:tblGrid>"#);
    for w in &t.cols {
        let _ = write!(x, r#"<a:gridCol w="{w}"/>"#);
    }
    x.push_str("</a:tblGrid>");
    let last = t.rows.len().saturating_sub(1);
    for (i, (h, cells)) in t.rows.iter().enumerate() {
        let _ = write!(x, r#"<a:tr h="{h}">"#);
        for c in cells {
            cell(x, c, t.size, font, i == 0, i == last);
        }
        x.push_str("</a:tr>");
    }
    x.push_str("</a:tbl></a:graphicData></a:graphic></p:graphicFrame>");
}

fn cell(x: &mut String, c: &TCell, size: u32, font: &str, header: bool, last: bool) {
    x.push_str("<a:tc><a:txBody><a:bodyPr/><a:lstStyle/><a:p>");
    if c.right {
        x.push_str(r#"<a:pPr algn="r"/>"#);
    }
    if !c.text.is_empty() {
        run(x, &c.text, size, c.bold, c.colour, font);
    }
    let _ = write!(x, r#"<a:endParaRPr lang="zh-CN" altLang="en-US" sz="{}" dirty="0"/></a:p></a:txBody>"#, size * 100);
    let m = 3 * PT;
    let _ = write!(x, r#"<a:tcPr marL="{}" marR="{}" marT="{m}" marB="{m}" anchor="ctr">"#, 5 * PT, 5 * PT);
    border(x, "lnL", None);
    border(x, "lnR", None);
    border(x, "lnT", header.then_some(0x2F6EBA));
    border(x, "lnB", Some(if header || last { 0x2F6EBA } else { 0xD9D9D9 }));
    match c.fill {
        Some(f) => {
            let _ = write!(x, r#"<a:solidFill><a:srgbClr val="{f:06X}"/></a:solidFill>"#);
        }
        None => x.push_str("<a:noFill/>"),
    }
    x.push_str("</a:tcPr></a:tc>");
}

fn chart_frame(x: &mut String, id: usize, at: &Rect, rel: usize) {
    let _ = write!(
        x,
        r#"<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="{id}" name="Chart {id}"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>"#
    );
    xfrm(x, at, "p:xfrm");
    let _ = write!(
        x,
        r#"<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart"><c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" r:id="rId{rel}"/></a:graphicData></a:graphic></p:graphicFrame>"#
    );
}

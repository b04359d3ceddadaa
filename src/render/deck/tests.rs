//! The deck's layout rules: cut texts, continued tables, nothing outside the slide.

use super::plan::{cut, em, Frame, Rect, Shape};
use super::table::table_slides;
use crate::config::Lang;
use crate::metrics::defs::Unit;
use crate::report::{ColKind, Table, V};

const F: Frame = Frame { w: 12_192_000, h: 6_858_000 };

fn table(rows: usize, long: bool) -> Table {
    let text = |i: usize| {
        if long {
            format!(
                "第{i}行：{}",
                "客户反映宽带晚间频繁掉线，装维人员两次上门均未解决，要求赔偿并投诉至工信部。".repeat(3)
            )
        } else {
            format!("分公司{i}")
        }
    };
    Table {
        id: "t".into(),
        title: "各分公司指标".into(),
        columns: vec!["分公司".into(), "工单数".into(), "及时率".into()],
        kinds: vec![ColKind::Text, ColKind::Number, ColKind::Number],
        rows: (0..rows)
            .map(|i| {
                vec![V::Text(text(i)), V::Count(i as f64), V::Rate { v: 0.5, small: false, met: Some(i % 2 == 0) }]
            })
            .collect(),
        total: Some(vec![V::Text("合计".into()), V::Count(1.0), V::Num(2.0, Unit::Hours)]),
    }
}

fn inside(s: &Shape<'_>) -> bool {
    let at = match s {
        Shape::Text { at, .. } | Shape::Table { at, .. } | Shape::Chart { at, .. } => at,
    };
    at.x >= 0 && at.y >= 0 && at.x + at.w <= F.w && at.y + at.h <= F.h
}

#[test]
fn cut_texts_end_in_an_ellipsis_and_fit() {
    let s = "本月投诉量同比上升，主要集中在宽带故障与装机时限两类问题上";
    let c = cut(s, 10.0);
    assert!(c.ends_with('…'), "{c}");
    assert!(em(&c) <= 10.0, "{c}");
    assert_eq!(cut("短", 10.0), "短");
}

#[test]
fn a_long_table_continues_with_its_header_every_row_once_and_the_total_last() {
    let t = table(120, false);
    let slides = table_slides(Lang::Zh, &t, "话务", F, F.top(), Vec::new(), 10);
    assert!(slides.len() >= 2);
    let mut body = Vec::new();
    for (i, s) in slides.iter().enumerate() {
        assert_eq!(s.title, if i == 0 { "话务" } else { "话务（续）" });
        assert!(s.shapes.iter().all(inside), "slide {i}");
        for sh in &s.shapes {
            if let Shape::Table { table, .. } = sh {
                assert_eq!(table.rows[0].1[0].text, "分公司", "the header on every piece");
                body.extend(table.rows[1..].iter().map(|(_, c)| c[0].text.clone()));
            }
        }
    }
    let mut want: Vec<String> = (0..120).map(|i| format!("分公司{i}")).collect();
    want.push("合计".into());
    assert_eq!(body, want, "every row once, in order, the total last");
}

#[test]
fn a_table_cut_after_its_last_slide_says_so() {
    let t = table(400, true);
    let slides = table_slides(Lang::Zh, &t, "投诉", F, F.top(), Vec::new(), 2);
    assert_eq!(slides.len(), 2);
    let caption = slides[1].shapes.iter().find_map(|s| match s {
        Shape::Text { paras, .. } => Some(paras[0].text.clone()),
        _ => None,
    });
    assert!(caption.unwrap().contains("全部明细见Excel工作簿"), "the rest is in the workbook");
    for s in &slides {
        assert!(s.shapes.iter().all(inside));
        for sh in &s.shapes {
            if let Shape::Table { table, .. } = sh {
                // Long texts wrap to three lines at most, then are cut.
                assert!(
                    table.rows[1..]
                        .iter()
                        .filter(|(_, c)| c[0].text.starts_with('第'))
                        .all(|(_, c)| c[0].text.ends_with('…')),
                    "long texts are cut"
                );
            }
        }
    }
}

#[test]
fn packed_captions_take_a_second_line_instead_of_being_cut() {
    use super::table::{measure, packed};
    let mut a = table(5, false);
    a.columns = vec!["技能组".into(), "效应".into()];
    a.kinds = vec![ColKind::Text, ColKind::Number];
    a.rows = (0..5).map(|i| vec![V::Text(format!("组{i}")), V::Count(i as f64)]).collect();
    a.total = None;
    a.title = "人工呼入量较上期变化（技能组）".into();
    let mut b = a.clone();
    b.title = "短".into();
    let (ma, mb) = (measure(&a, F.width(), Lang::Zh), measure(&b, F.width(), Lang::Zh));
    let slide = packed(Lang::Zh, &[(&a, ma), (&b, mb)], "变化归因", F);
    assert!(slide.shapes.iter().all(inside));
    let captions: Vec<(&Rect, String)> = slide
        .shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Text { at, paras } => Some((at, paras[0].text.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(captions[0].1, "人工呼入量较上期变化（技能组）", "whole, on two lines");
    assert!(em(&captions[0].1) > em_fit_of(captions[0].0.w), "longer than one line");
    let tops: Vec<i64> = slide
        .shapes
        .iter()
        .filter_map(|s| match s {
            Shape::Table { at, .. } => Some(at.y),
            _ => None,
        })
        .collect();
    assert_eq!(tops[0], tops[1], "the tables start level");
    assert_eq!(tops[0], captions[0].0.y + captions[0].0.h, "below the two-line caption");
    assert!(captions[0].0.h >= 2 * super::plan::line_h(14));
}

/// Ems of 14-point type that fit a box `w` wide (less its insets).
fn em_fit_of(w: i64) -> f64 {
    (w - 14 * super::plan::PT) as f64 / (14.0 * super::plan::PT as f64)
}

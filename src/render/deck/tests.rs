//! The deck's layout rules.

use super::plan::{cut, em};

#[test]
fn cut_texts_end_in_an_ellipsis_and_fit() {
    let s = "本月投诉量同比上升，主要集中在宽带故障与装机时限两类问题上";
    let c = cut(s, 10.0);
    assert!(c.ends_with('…'), "{c}");
    assert!(em(&c) <= 10.0, "{c}");
    assert_eq!(cut("短", 10.0), "短");
}

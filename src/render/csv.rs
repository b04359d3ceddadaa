//! `metrics-YYYY-MM.csv` (SPEC §4.1): UTF-8 with BOM, fixed columns, injection-guarded text.

use crate::metrics::MetricRow;
use crate::period::Period;

/// The header line.
pub(crate) const HEADER: &str =
    "month,metric,branch,product,group,numerator,denominator,value,ci_low,ci_high,small_sample,target,met,prev_value,warning";

/// Format a number with at least 6 significant digits; integers without a decimal point.
pub(crate) fn number(v: f64) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{}", v as i64);
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).max(0) as usize;
    let s = format!("{v:.decimals$}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Guard a text cell against CSV injection and quote it when needed.
pub(crate) fn text(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn opt(v: Option<f64>) -> String {
    v.map(number).unwrap_or_default()
}

/// An amount in 元: to the fen, however large (2250.76, 1234567.5).
fn yuan(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite()).map(crate::narrative::yuan).unwrap_or_default()
}

fn opt_bool(v: Option<bool>) -> String {
    v.map(|b| b.to_string()).unwrap_or_default()
}

/// The whole file's bytes.
pub(crate) fn render(month: Period, rows: &[MetricRow]) -> Vec<u8> {
    let mut out = String::from("\u{FEFF}");
    out.push_str(HEADER);
    out.push('\n');
    for r in rows {
        let value = if r.metric.unit() == crate::metrics::defs::Unit::Yuan { yuan } else { opt };
        let fields = [
            month.to_string(),
            text(r.metric.as_str()),
            text(&r.branch),
            text(&r.product),
            text(&r.group.to_string()),
            value(r.numerator),
            opt(r.denominator),
            value(r.value),
            opt(r.ci_low),
            opt(r.ci_high),
            opt_bool(r.small_sample),
            value(r.target),
            opt_bool(r.met),
            value(r.prev_value),
            text(&r.warning),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_six_significant_digits() {
        assert_eq!(number(655.0), "655");
        assert_eq!(number(0.934379), "0.934379");
        assert_eq!(number(0.9343791234), "0.934379");
        assert_eq!(number(0.0123456789), "0.0123457");
        assert_eq!(number(0.95), "0.95");
        assert_eq!(number(123.456789), "123.457");
        assert_eq!(number(f64::NAN), "");
    }

    #[test]
    fn text_is_guarded_and_quoted() {
        assert_eq!(text("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(text("+1-2"), "'+1-2");
        assert_eq!(text("-"), "'-");
        assert_eq!(text("@a"), "'@a");
        assert_eq!(text("file=a.xlsx;sheet=S"), "file=a.xlsx;sheet=S");
        assert_eq!(text("a,b"), "\"a,b\"");
        assert_eq!(text("东区"), "东区");
    }
}

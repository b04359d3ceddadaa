//! `metrics-YYYY-MM.csv` (SPEC §4.1): UTF-8 with BOM, fixed columns, injection-guarded text.

use crate::catalog::MetricRow;
use crate::numbers::number;
use crate::period::Period;

/// The header line.
pub(crate) const HEADER: &str =
    "month,metric,branch,product,group,numerator,denominator,value,ci_low,ci_high,small_sample,target,met,prev_value,warning";

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
    v.filter(|v| v.is_finite()).map(crate::numbers::yuan).unwrap_or_default()
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
        let value = if r.metric.unit() == crate::catalog::defs::Unit::Yuan { yuan } else { opt };
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

/// Undo the CSV-injection guard of a text cell.
pub(crate) fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => s,
    }
}

/// A metrics CSV read back: the period label of its rows and the rows. Rows of metrics or
/// groups this version does not know (a newer svcq wrote them) are skipped and named in
/// `skipped`. Errors name the line and column.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    /// The `month` column (the period label), when every row agrees.
    pub period: Option<String>,
    /// The rows.
    pub rows: Vec<MetricRow>,
    /// Metric ids (or `id group`) skipped.
    pub skipped: std::collections::BTreeSet<String>,
}

/// Read a metrics CSV written by [`render`].
pub(crate) fn parse(bytes: &[u8]) -> Result<Parsed, String> {
    let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().from_reader(text);
    let headers = rdr.headers().map_err(|e| format!("line 1: {e}"))?.clone();
    if headers.iter().collect::<Vec<_>>().join(",") != HEADER {
        return Err(format!("line 1: not a metrics CSV header (expected {HEADER})"));
    }
    let mut out = Parsed::default();
    let mut periods = std::collections::BTreeSet::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("line {line}: {e}"))?;
        let f = |c: usize| rec.get(c).unwrap_or("");
        let num = |c: usize| -> Result<Option<f64>, String> {
            let v = f(c);
            if v.is_empty() {
                return Ok(None);
            }
            v.parse::<f64>()
                .map(Some)
                .map_err(|_| format!("line {line}, column `{}`: not a number: {v:?}", &headers[c]))
        };
        let flag = |c: usize| -> Result<Option<bool>, String> {
            match f(c) {
                "" => Ok(None),
                "true" => Ok(Some(true)),
                "false" => Ok(Some(false)),
                v => Err(format!("line {line}, column `{}`: not true or false: {v:?}", &headers[c])),
            }
        };
        periods.insert(f(0).to_string());
        let Ok(metric) = f(1).parse::<crate::catalog::MetricId>() else {
            out.skipped.insert(f(1).to_string());
            continue;
        };
        let Ok(group) = unguard(f(4)).parse::<crate::catalog::Group>() else {
            out.skipped.insert(format!("{} {}", f(1), f(4)));
            continue;
        };
        out.rows.push(MetricRow {
            metric,
            branch: unguard(f(2)).to_string(),
            product: unguard(f(3)).to_string(),
            group,
            numerator: num(5)?,
            denominator: num(6)?,
            value: num(7)?,
            ci_low: num(8)?,
            ci_high: num(9)?,
            small_sample: flag(10)?,
            target: num(11)?,
            met: flag(12)?,
            prev_value: num(13)?,
            warning: unguard(f(14)).to_string(),
        });
    }
    if periods.len() > 1 {
        let list: Vec<String> = periods.into_iter().collect();
        return Err(format!("rows of several periods: {}", list.join(", ")));
    }
    out.period = periods.into_iter().next();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_csv_parses_back_to_its_rows() {
        use crate::catalog::{Group, MetricId};
        let rows = vec![
            MetricRow {
                branch: "=东区".into(),
                group: Group::Channel("+工信部,x".into()),
                numerator: Some(3.0),
                denominator: Some(7.0),
                value: Some(3.0 / 7.0),
                small_sample: Some(true),
                met: Some(false),
                warning: "-1".into(),
                ..MetricRow::new(MetricId::CallsAnswerRate)
            },
            MetricRow::count(MetricId::ComplaintCount, Group::None, 12),
        ];
        let period: Period = "2026-10".parse().unwrap();
        let parsed = parse(&render(period, &rows)).unwrap();
        assert_eq!(parsed.period.as_deref(), Some("2026-10"));
        assert_eq!(parsed.rows[0].branch, "=东区");
        assert_eq!(parsed.rows[0].group, Group::Channel("+工信部,x".into()));
        assert_eq!(parsed.rows[0].numerator, Some(3.0));
        assert_eq!(parsed.rows[0].small_sample, Some(true));
        assert_eq!(parsed.rows[0].warning, "-1");
        assert_eq!(parsed.rows[1], rows[1]);
        let bad = "\u{FEFF}".to_string() + HEADER + "\n2026-10,calls.offered,,,,x,,1,,,,,,,\n";
        assert_eq!(parse(bad.as_bytes()).unwrap_err(), "line 2, column `numerator`: not a number: \"x\"");
        let newer = "\u{FEFF}".to_string() + HEADER + "\n2026-10,calls.new_thing,,,,1,,1,,,,,,,\n";
        assert!(parse(newer.as_bytes()).unwrap().skipped.contains("calls.new_thing"));
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

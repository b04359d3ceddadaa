//! Numbers as svcq writes them, below every stage that writes one: the metrics CSV's six
//! significant digits and amounts in 元 as analysts write them.

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
    if !s.contains('.') {
        // No decimals (|v| ≥ 100,000): the trailing zeros are the integer's own digits.
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An amount as analysts write it: 2250.76, 1520 (no .00).
pub(crate) fn yuan(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
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
        // Issue 28: 170460.18 was written "17046" (the integer's zeros trimmed as decimals).
        assert_eq!(number(170460.18), "170460");
        assert_eq!(number(100000.4), "100000");
        assert_eq!(number(1234500.25), "1234500");
        assert_eq!(number(99999.95), "99999.9");
        assert_eq!(number(-250000.25), "-250000");
    }

    proptest::proptest! {
        /// Every number written parses back to within its 6 significant digits (integers
        /// exactly), whatever its magnitude and sign.
        #[test]
        fn numbers_parse_back_within_six_significant_digits(
            mantissa in 1.0f64..10.0,
            exponent in -6i32..13,
            negative in proptest::bool::ANY,
            integral in proptest::bool::ANY,
        ) {
            let mut v = mantissa * 10f64.powi(exponent);
            if integral {
                v = v.round();
            }
            if negative {
                v = -v;
            }
            let written = number(v);
            let back: f64 = written.parse().map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{written:?}: {e}")))?;
            if v.fract() == 0.0 {
                proptest::prop_assert_eq!(back, v, "{}", written);
            } else {
                let magnitude = v.abs().log10().floor() as i32;
                let half_unit = 0.5 * 10f64.powi(magnitude - 5);
                proptest::prop_assert!((back - v).abs() <= half_unit * (1.0 + 1e-9) + 1e-9 * half_unit.max(1e-300),
                    "{} written {:?} parses to {}", v, written, back);
            }
        }
    }

    #[test]
    fn amounts_to_the_fen() {
        assert_eq!(yuan(2250.76), "2250.76");
        assert_eq!(yuan(1520.0), "1520");
        assert_eq!(yuan(1234567.5), "1234567.5");
        assert_eq!(yuan(100.0), "100");
    }
}

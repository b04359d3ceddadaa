//! Statistics: Wilson score interval, two-proportion z-test, percentiles.

/// z for a two-sided 95 % interval.
pub(crate) const Z95: f64 = 1.959_963_984_540_054;

/// The 95 % Wilson score interval of `k` successes in `n` trials (`None` when n = 0).
pub(crate) fn wilson(k: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Standard normal cumulative distribution.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * (1.0 + libm::erf(x / std::f64::consts::SQRT_2))
}

/// Two-sided p-value of the two-proportion z-test (pooled) for k1/n1 against k2/n2.
/// `None` when either sample is empty or the pooled proportion is 0 or 1.
pub(crate) fn two_proportion_p(k1: f64, n1: f64, k2: f64, n2: f64) -> Option<f64> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let pooled = (k1 + k2) / (n1 + n2);
    if pooled <= 0.0 || pooled >= 1.0 {
        return None;
    }
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let z = (k1 / n1 - k2 / n2) / se;
    Some(2.0 * (1.0 - normal_cdf(z.abs())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn wilson_matches_published_values() {
        // SPEC §4.1 example: 655 / 701 -> 0.913579 .. 0.950445
        let (lo, hi) = wilson(655.0, 701.0).unwrap();
        assert!((lo - 0.913579).abs() < 5e-6, "{lo}");
        assert!((hi - 0.950445).abs() < 5e-6, "{hi}");
        // 0 of 10: lower bound 0, upper 0.2775
        let (lo, hi) = wilson(0.0, 10.0).unwrap();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.277_533).abs() < 1e-5, "{hi}");
        assert_eq!(wilson(0.0, 0.0), None);
    }

    #[test]
    fn z_test() {
        assert!(close(normal_cdf(0.0), 0.5));
        assert!((normal_cdf(1.959_964) - 0.975).abs() < 1e-6);
        // 50/100 vs 50/100: p = 1
        assert!(close(two_proportion_p(50.0, 100.0, 50.0, 100.0).unwrap(), 1.0));
        // 60/100 vs 40/100: z = 2.828, p = 0.00468
        assert!((two_proportion_p(60.0, 100.0, 40.0, 100.0).unwrap() - 0.004_677_7).abs() < 1e-6);
        assert_eq!(two_proportion_p(0.0, 10.0, 0.0, 10.0), None);
    }
}

//! The columnar core (issue 10) computes every figure exactly as the row-struct core did.

use crate::util::Workdir;

#[test]
fn a_generated_100k_row_month_has_the_figures_of_the_row_struct_core() {
    let w = Workdir::new();
    let out = w.run(&["sample", "--month", "2026-10", "--out", "in", "--scale", "25", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("74850 calls, 18790 work orders, 7362 surveys"),
        "the generator's month changed; see tests/fixtures/columnar/README.md: {}",
        out.stdout
    );
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out", "-q"]);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    let all = std::fs::read_to_string(w.join("out/metrics-2026-10.csv")).expect("metrics CSV");
    // Rows newer than the fixture's build — incidents (issue 11), the assessment and the
    // escalations per branch and channel (issue 16), staffing (issue 12), the changes'
    // segments (issue 30) — are left out;
    // every other row is its.
    let newer = |l: &str| {
        let f: Vec<&str> = l.splitn(6, ',').collect();
        f.len() > 4
            && (f[1].starts_with("incident.")
                || f[1].starts_with("assess.")
                || f[1].starts_with("staffing.")
                || f[1].starts_with("meta.")
                || (f[1] == "complaint.escalated" && !f[2].is_empty() && f[4].starts_with("channel="))
                // The changes' segment rows (issue 30).
                || ["queue=", "cause=", "phenomenon="].iter().any(|p| f[4].starts_with(p))
                || (f[1] == "complaint.ontime_rate" && f[4].starts_with("department=")))
    };
    let got: String = all.split_inclusive('\n').filter(|l| !newer(l)).collect();
    assert!(all.contains("2026-10,assess.amount,,,,"), "the assessment total is written");
    assert!(all.contains("2026-10,incident.count,,,,10,"), "the 10 planted incidents are found");
    let want =
        std::fs::read_to_string(crate::util::fixtures().join("columnar/metrics-2026-10-scale25.csv")).expect("fixture");
    assert!(got.contains("dq.rows_read,,,,102496,"), "102,496 rows read");
    if got != want {
        let diff: Vec<String> = got
            .lines()
            .zip(want.lines())
            .filter(|(g, w)| g != w)
            .take(5)
            .map(|(g, w)| format!("got  {g}\nwant {w}"))
            .collect();
        panic!(
            "metrics differ from the row-struct core's ({} vs {} lines):\n{}",
            got.lines().count(),
            want.lines().count(),
            diff.join("\n")
        );
    }
}

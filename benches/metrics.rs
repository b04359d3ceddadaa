//! Metrics-stage benchmark: ingest a folder (not timed), then time `metrics::compute` alone
//! (median of RUNS) and report the process's peak RSS during the stage (the kernel's
//! high-water mark is reset after ingest through /proc/self/clear_refs).
//!
//! ```sh
//! cargo bench --bench metrics -- DIR MONTH [RUNS]
//! ```

use std::time::Instant;

fn vm_hwm_kb() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let [dir, month, rest @ ..] = args.as_slice() else {
        eprintln!("usage: cargo bench --bench metrics -- DIR MONTH [RUNS]");
        return;
    };
    let runs: usize = rest.first().and_then(|r| r.parse().ok()).unwrap_or(3);
    let month: svcq::period::Period = month.parse().unwrap();
    let config = svcq::config::Config::default();
    let t = Instant::now();
    let data = svcq::ingest::ingest(&[dir.into()], &config, month, Default::default()).unwrap();
    println!(
        "ingest: {:.2} s; {} calls, {} work orders, {} surveys; peak RSS so far {} MB",
        t.elapsed().as_secs_f64(),
        data.calls.len(),
        data.orders.len(),
        data.surveys.len(),
        vm_hwm_kb().unwrap_or(0) / 1024
    );
    let before = vm_hwm_kb().unwrap_or(0);
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let base = vm_hwm_kb().unwrap_or(0);
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        rows = svcq::metrics::compute(&data, &config, month).unwrap().rows.len();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let peak = vm_hwm_kb().unwrap_or(0);
    println!("metrics: {rows} rows, median {:.2} s of {runs} runs (all: {times:.2?})", times[runs / 2]);
    // Mass-fault incidents (SPEC §7.4) alone: one sort and one pass over the fault reports.
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..runs {
        let t = Instant::now();
        found = svcq::metrics::incident::detect(&data.orders, &config.incidents).len();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let mut st = Vec::new();
    let mut cells = 0;
    for _ in 0..runs {
        let t = Instant::now();
        cells = svcq::metrics::staffing::staffing(&data.calls, &config, month).cells.len();
        st.push(t.elapsed().as_secs_f64());
    }
    st.sort_by(f64::total_cmp);
    println!("staffing: {cells} day x interval cells, median {:.3} s of {runs} runs (all: {st:.3?})", st[runs / 2]);
    println!("incidents: {found} found, median {:.3} s of {runs} runs (all: {times:.3?})", times[runs / 2]);
    println!(
        "peak RSS during the metrics stage: {} MB (RSS after ingest {} MB, ingest peak {} MB)",
        peak / 1024,
        base / 1024,
        before / 1024
    );
}

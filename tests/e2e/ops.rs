//! Cron-grade operation: exit codes, the lock, the default month, quiet and verbose output,
//! and crash safety of the output folder.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::util::Workdir;

fn sample(w: &Workdir, month: &str, dir: &str, scale: &str) {
    let out = w.run(&["sample", "--month", month, "--out", dir, "--scale", scale]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn default_month_quiet_verbose_version_completions() {
    let w = Workdir::new();
    sample(&w, "2026-10", "in", "0.2");
    // SVCQ_TODAY=2026-11-23: the default month is 2026-10.
    let out = w.run(&["report", "--input", "in", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "", "-q prints nothing");
    assert!(w.join("out/metrics-2026-10.csv").exists() && w.join("out/service-quality-2026-10.xlsx").exists());
    let out = w.run(&["report", "--input", "in", "--out", "out", "-v"]);
    assert_eq!(out.code, 0);
    assert!(
        out.stderr.contains("reading the exports") && out.stderr.contains("computing the metrics"),
        "{}",
        out.stderr
    );
    assert!(out.stdout.contains("svcq report 2026-10: 7 files, 9 sheets read"), "{}", out.stdout);
    assert!(out.stdout.contains("wrote out/service-quality-2026-10.html"), "{}", out.stdout);
    assert!(out.stdout.lines().count() <= 8, "cron mail stays short: {}", out.stdout);
    let out = w.run(&["--version"]);
    assert_eq!(out.stdout.trim(), format!("svcq {}", env!("CARGO_PKG_VERSION")));
    let out = w.run(&["completions", "bash"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("_svcq") && out.stdout.contains("init-config"));
    let out = w.run(&["report", "--input", "in", "--bogus"]);
    assert_eq!(out.code, 2, "unknown flag is a usage error");
}

#[test]
fn a_second_run_on_the_same_folder_is_refused_naming_the_holder() {
    let w = Workdir::new();
    sample(&w, "2026-10", "in", "0.2");
    let held = svcq::lock::lock(&w.join("out")).unwrap();
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("is in use by another svcq run (pid "), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("pid {}", std::process::id())), "{}", out.stderr);
    assert!(!w.join("out/metrics-2026-10.csv").exists());
    drop(held);
    let out = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", "out"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

fn complete(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    match path.extension().and_then(|e| e.to_str()) {
        Some("xlsx") => zip::ZipArchive::new(std::io::Cursor::new(bytes)).is_ok(),
        Some("html") => String::from_utf8(bytes).is_ok_and(|s| s.trim_end().ends_with("</html>")),
        _ => String::from_utf8(bytes).is_ok_and(|s| s.contains("dq.conflicts,,,file=")),
    }
}

#[test]
fn killed_runs_leave_previous_outputs_intact_and_the_next_run_succeeds() {
    let w = Workdir::new();
    sample(&w, "2026-09", "prev", "0.2");
    sample(&w, "2026-10", "big", "15");
    let out = w.run(&["report", "--input", "prev", "--month", "2026-09", "--out", "out", "-q"]);
    assert_eq!(out.code, 0);
    let names = ["metrics-2026-09.csv", "service-quality-2026-09.xlsx", "service-quality-2026-09.html"];
    let before: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(w.join("out").join(n)).unwrap()).collect();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_svcq"))
            .args(["report", "--input", "big", "--month", "2026-10", "--out", "out", "-q"])
            .current_dir(w.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long a whole run takes here, then kill -9 at points spread over it.
    let t = Instant::now();
    assert!(run().wait().unwrap().success());
    let full = t.elapsed();
    for i in 0..5u32 {
        let _ = std::fs::remove_file(w.join("out/metrics-2026-10.csv"));
        let mut child = run();
        std::thread::sleep(full * (2 * i + 1) / 10);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        for (n, b) in names.iter().zip(&before) {
            assert_eq!(&std::fs::read(w.join("out").join(n)).unwrap(), b, "{n} unchanged after a kill");
        }
        for n in ["metrics-2026-10.csv", "service-quality-2026-10.xlsx", "service-quality-2026-10.html"] {
            let p = w.join("out").join(n);
            if p.exists() {
                assert!(complete(&p), "{n} is whole, never half-written");
            }
        }
    }
    let out = w.run(&["report", "--input", "big", "--month", "2026-10", "--out", "out", "-q"]);
    assert_eq!(out.code, 0, "the next run succeeds: {}", out.stderr);
    let leftovers: Vec<_> = std::fs::read_dir(w.join("out"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(".svcq-tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files of killed runs are cleaned up");
}

#[test]
fn a_closed_stdout_is_not_a_crash() {
    // `svcq report … | head -1` in a cron line: the reader leaves before the summary is done.
    let w = Workdir::new();
    sample(&w, "2026-10", "in", "0.2");
    let mut child = Command::new(env!("CARGO_BIN_EXE_svcq"))
        .args(["report", "--input", "in", "--month", "2026-10", "--out", "out"])
        .current_dir(w.path())
        .env("SVCQ_TODAY", "2026-11-23")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("internal error"), "{stderr}");
    assert!(matches!(out.status.code(), Some(0) | Some(3)), "{:?} {stderr}", out.status);
    assert!(w.join("out/manifest-2026-10.json").is_file(), "the run completed");
}

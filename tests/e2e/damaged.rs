//! Damaged workbooks (issue 17): each ends with exit 1 and a message naming the file, under
//! an address-space limit, never an abort. The fixtures are written by
//! `tests/fixtures/damaged/make-damaged.py` from the valid real-world fixtures.

use std::process::Command;

use crate::util::Workdir;

/// Run `svcq check` on one file under a 4 GiB address-space limit: (exit code, stderr).
pub(crate) fn check_limited(w: &Workdir, file: &std::path::Path) -> (Option<i32>, String) {
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 4194304 && exec \"$0\" check --input \"$1\" --month 2026-10")
        .arg(env!("CARGO_BIN_EXE_svcq"))
        .arg(file)
        .current_dir(w.path())
        .env("SVCQ_TODAY", "2026-11-23")
        .output()
        .expect("running svcq");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn damaged_workbooks_are_errors_naming_the_file_not_aborts() {
    let w = Workdir::new();
    let cases = [
        ("sst-unique-count.xlsx", "damaged xlsx file: xl/sharedStrings.xml declares uniqueCount=\"4294967295\""),
        ("dir-loop.xls", "damaged xls file: the directory chain loops back to sector"),
        ("stream-loop.xls", "damaged xls file: the Workbook stream chain loops back to sector"),
        ("rk-column.xls", "damaged xls file: a cell record at byte"),
        (
            "whitespace-bomb.xlsx",
            "damaged xlsx file: xl/worksheets/sheet1.xml inflates from 1044581 to 1073744791 bytes and holds a run of",
        ),
    ];
    for (name, message) in cases {
        let file = w.fixture(&format!("damaged/{name}"), name);
        let (code, stderr) = check_limited(&w, &file);
        assert_eq!(code, Some(1), "{name}: exit 1, not a signal: {stderr}");
        assert!(stderr.contains(name) && stderr.contains(message), "{name}: {stderr}");
        assert!(!stderr.contains("panicked") && !stderr.contains("memory allocation"), "{name}: {stderr}");
    }
    // The column is named as Excel would count it.
    let (_, stderr) = check_limited(&w, &w.join("rk-column.xls"));
    assert!(stderr.contains("column 19718, beyond an xls sheet's 256"), "{stderr}");
    // The valid files they were made from still read.
    for name in ["faults.xls", "surveys.xlsx"] {
        let file = w.fixture(&format!("realworld/{name}"), &format!("ok/{name}"));
        let (code, stderr) = check_limited(&w, &file);
        assert!(matches!(code, Some(0) | Some(3)), "{name}: {stderr}");
    }
}

//! Test helpers: a temporary work folder and a runner for the real `svcq` binary.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary folder in which the binary runs.
pub(crate) struct Workdir {
    dir: tempfile::TempDir,
}

/// The result of one run.
#[derive(Debug)]
pub(crate) struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Workdir {
    pub(crate) fn new() -> Workdir {
        Workdir { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn join(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Write a file (creating folders).
    pub(crate) fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Copy a fixture file from tests/fixtures into the work folder.
    pub(crate) fn fixture(&self, from: &str, to: &str) -> PathBuf {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(from);
        let bytes = std::fs::read(&src).unwrap_or_else(|e| panic!("reading {}: {e}", src.display()));
        self.write(to, bytes)
    }

    /// Run svcq with `args` in the work folder.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }

    /// Run svcq with `args` and extra environment variables.
    pub(crate) fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_svcq"))
            .args(args)
            .current_dir(self.path())
            .env("SVCQ_TODAY", "2026-11-23")
            .envs(env.iter().copied())
            .output()
            .expect("running svcq");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The text of an HTML page, tags dropped (entities left as written).
pub(crate) fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The fixtures folder.
pub(crate) fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// One row of a metrics CSV, by column name.
pub(crate) type CsvRow = BTreeMap<String, String>;

/// Read a metrics CSV (checks the BOM).
pub(crate) fn read_metrics(path: &Path) -> Vec<CsvRow> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "metrics CSV starts with a UTF-8 BOM");
    let mut rdr = csv::Reader::from_reader(&bytes[3..]);
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// The dq.* figures per `file=..;sheet=..` group: group → metric → value.
pub(crate) fn dq_by_sheet(rows: &[CsvRow]) -> BTreeMap<String, BTreeMap<String, u64>> {
    let mut m: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r["metric"].starts_with("dq.")) {
        m.entry(r["group"].clone()).or_default().insert(r["metric"].clone(), r["value"].parse().unwrap());
    }
    m
}

/// A zip's parts by name; with `nested`, an embedded workbook's parts as `name!part`.
pub(crate) fn zip_parts(bytes: &[u8], nested: bool) -> BTreeMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip file");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        if nested && name.ends_with(".xlsx") {
            out.extend(zip_parts(&b, true).into_iter().map(|(inner, ib)| (format!("{name}!{inner}"), ib)));
        } else {
            out.insert(name, b);
        }
    }
    out
}

/// Compare a zip with its golden copy part by part (`nested`: embedded workbooks too);
/// `SVCQ_BLESS=1` writes the golden copy instead.
pub(crate) fn assert_golden(got: &[u8], golden: &Path, nested: bool) {
    if std::env::var_os("SVCQ_BLESS").is_some() {
        std::fs::write(golden, got).unwrap();
        return;
    }
    let want = std::fs::read(golden).unwrap_or_else(|_| panic!("{} (bless with SVCQ_BLESS=1)", golden.display()));
    let (g, e) = (zip_parts(got, nested), zip_parts(&want, nested));
    assert_eq!(g.keys().collect::<Vec<_>>(), e.keys().collect::<Vec<_>>(), "the same parts");
    for (name, bytes) in &e {
        let mine = &g[name];
        if mine != bytes {
            let at = mine.iter().zip(bytes).position(|(a, b)| a != b).unwrap_or(mine.len().min(bytes.len()));
            let ctx =
                |b: &[u8]| String::from_utf8_lossy(&b[at.saturating_sub(120)..(at + 120).min(b.len())]).into_owned();
            panic!(
                "part {name} differs at byte {at}:\n got: …{}…\nwant: …{}…\n(re-bless with SVCQ_BLESS=1 if intended)",
                ctx(mine),
                ctx(bytes)
            );
        }
    }
}

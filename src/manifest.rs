//! Provenance (SPEC §7.8): `manifest-<period>.json` — the svcq version, the config and its
//! SHA-256, every input file with its size, SHA-256 and sheets (rows read and where they
//! went), every output with its SHA-256. No wall-clock time: the same inputs give the same
//! manifest.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::fingerprint::{hex, sha256, sha256_file};
use crate::model::Ledger;

/// The whole manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// svcq's version.
    pub svcq: String,
    /// The period's label.
    pub period: String,
    /// The config used.
    pub config: ConfigRef,
    /// The inputs, in the order they were read.
    pub inputs: Vec<InputRef>,
    /// The outputs written (the workbook, the page, the metrics CSV).
    pub outputs: Vec<FileRef>,
}

/// The config: a file, or the built-in defaults (`file` null).
#[derive(Debug, Clone, Serialize)]
pub struct ConfigRef {
    /// The file as given, or null for the built-in defaults.
    pub file: Option<String>,
    /// SHA-256 of its bytes (of the built-in defaults' text without a file).
    pub sha256: String,
}

/// One input file.
#[derive(Debug, Clone, Serialize)]
pub struct InputRef {
    /// As the ledger names it (relative to the input folder).
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Its sheets and their rows.
    pub sheets: Vec<SheetRef>,
}

/// One sheet's rows.
#[derive(Debug, Clone, Serialize)]
pub struct SheetRef {
    /// Sheet name (empty for CSV).
    pub sheet: String,
    /// calls / work_orders / surveys, or null when not classified.
    pub kind: Option<String>,
    /// Rows read.
    pub rows_read: u64,
    /// Rows used.
    pub used: u64,
    /// Out of the period.
    pub out_of_period: u64,
    /// Duplicates.
    pub duplicates: u64,
    /// Rejected.
    pub rejected: u64,
}

/// An output file.
#[derive(Debug, Clone, Serialize)]
pub struct FileRef {
    /// File name.
    pub file: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}
/// The inputs: each file the ledger read (`files` are the discovered files, display name and
/// path) with its size, SHA-256 (from `hashes`) and sheets from the ledger.
pub fn inputs(
    files: &[crate::ingest::InputFile],
    ledger: &Ledger,
    hashes: &Fingerprints,
) -> std::io::Result<Vec<InputRef>> {
    let mut order: Vec<&str> = Vec::new();
    for s in &ledger.sheets {
        if !order.contains(&s.file.as_str()) {
            order.push(&s.file);
        }
    }
    order
        .par_iter()
        .filter_map(|name| files.iter().find(|f| f.display == *name))
        .map(|f| {
            let (bytes, sha256) = hashes.get(&f.path)?;
            let sheets = ledger
                .sheets
                .iter()
                .filter(|s| s.file == f.display)
                .map(|s| SheetRef {
                    sheet: s.sheet.clone(),
                    kind: s.kind.map(|k| k.id().to_string()),
                    rows_read: s.rows_read,
                    used: s.used,
                    out_of_period: s.out_of_period,
                    duplicates: s.duplicates,
                    rejected: s.rejected,
                })
                .collect();
            Ok(InputRef { file: f.display.clone(), bytes, sha256, sheets })
        })
        .collect()
}

/// Input files' sizes and SHA-256, hashed in the background while the month is read and
/// computed: one thread, a megabyte at a time, that on Linux runs only on a core nothing
/// else wants (`SCHED_IDLE`). [`Fingerprints::get`] goes on from where the background got,
/// and never waits for it: a step the background holds (it may be starved by other work) is
/// redone by the caller and the background's copy dropped.
pub struct Fingerprints {
    files: Arc<Vec<(PathBuf, Mutex<Hashing>)>>,
}

/// Where one file's hash stands.
enum Hashing {
    Pending,
    Reading {
        file: std::fs::File,
        hasher: Sha256,
        bytes: u64,
    },
    /// The background is hashing a step (its state is with it).
    Busy,
    Done(Option<std::io::Result<(u64, String)>>),
}

/// Bytes hashed at a time.
const STEP: usize = 1 << 20;

impl Hashing {
    /// The state after hashing one more step of `path`.
    fn step(self, path: &Path, buf: &mut [u8]) -> Hashing {
        match self {
            Hashing::Pending | Hashing::Busy => match std::fs::File::open(path) {
                Ok(file) => Hashing::Reading { file, hasher: Sha256::new(), bytes: 0 },
                Err(e) => Hashing::Done(Some(Err(e))),
            },
            Hashing::Reading { mut file, mut hasher, bytes } => match file.read(buf) {
                Ok(0) => Hashing::Done(Some(Ok((bytes, hex(&hasher.finalize()))))),
                Ok(k) => {
                    hasher.update(&buf[..k]);
                    Hashing::Reading { file, hasher, bytes: bytes + k as u64 }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Hashing::Reading { file, hasher, bytes },
                Err(e) => Hashing::Done(Some(Err(e))),
            },
            done @ Hashing::Done(_) => done,
        }
    }
}

impl Fingerprints {
    /// Start hashing `paths` in the background.
    pub fn start(paths: impl IntoIterator<Item = PathBuf>) -> Fingerprints {
        let files: Arc<Vec<(PathBuf, Mutex<Hashing>)>> =
            Arc::new(paths.into_iter().map(|p| (p, Mutex::new(Hashing::Pending))).collect());
        let background = Arc::clone(&files);
        // A run never waits for this thread: it ends when the files are hashed, when the
        // caller has dropped the fingerprints, or with the process.
        let spawned = std::thread::Builder::new().name("svcq-hash".into()).spawn(move || {
            idle_priority();
            let mut buf = vec![0u8; STEP];
            for (path, slot) in background.iter() {
                while Arc::strong_count(&background) > 1 {
                    // Take the state out; hash the step with no lock held.
                    let state = std::mem::replace(&mut *lock(slot), Hashing::Busy);
                    if let Hashing::Done(_) = state {
                        *lock(slot) = state;
                        break;
                    }
                    let next = state.step(path, &mut buf);
                    let mut h = lock(slot);
                    if !matches!(*h, Hashing::Busy) {
                        // The caller took this file over meanwhile.
                        break;
                    }
                    let done = matches!(next, Hashing::Done(_));
                    *h = next;
                    if done {
                        break;
                    }
                }
            }
        });
        drop(spawned);
        Fingerprints { files }
    }

    /// The size and SHA-256 of `path` (one of the started paths, else hashed now).
    pub fn get(&self, path: &Path) -> std::io::Result<(u64, String)> {
        let Some((_, slot)) = self.files.iter().find(|(p, _)| p == path) else {
            return sha256_file(path);
        };
        // Take the file over: the background skips it from now on.
        let mut state =
            std::mem::replace(&mut *slot.lock().unwrap_or_else(PoisonError::into_inner), Hashing::Done(None));
        let mut buf = Vec::new();
        loop {
            match state {
                Hashing::Done(result) => return result.unwrap_or_else(|| sha256_file(path)),
                other => {
                    if buf.is_empty() {
                        buf = vec![0u8; STEP];
                    }
                    state = other.step(path, &mut buf);
                }
            }
        }
    }
}

/// `slot`'s lock (a panic elsewhere leaves the state usable).
fn lock(slot: &Mutex<Hashing>) -> std::sync::MutexGuard<'_, Hashing> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Lower the calling thread to `SCHED_IDLE` (Linux): it runs only when a core is otherwise
/// idle. Elsewhere, or if refused, the thread keeps its priority.
fn idle_priority() {
    #[cfg(target_os = "linux")]
    {
        use thread_priority::{NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy};
        let _ = thread_priority::set_thread_priority_and_policy(
            thread_priority::thread_native_id(),
            ThreadPriority::Min,
            ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Idle),
        );
    }
}

/// An output's reference from its bytes.
pub fn output(name: &str, bytes: &[u8]) -> FileRef {
    FileRef { file: name.to_string(), bytes: bytes.len() as u64, sha256: sha256(bytes) }
}

impl Manifest {
    /// Pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a manifest serializes");
        s.push('\n');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_known_texts() {
        // FIPS 180-2 examples.
        assert_eq!(sha256(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(sha256(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    /// The background hashes are the files' own: empty, under one step, several steps and a
    /// bit (taken before, during or after the background got to them), a missing file's
    /// error, and a path that was never started.
    #[test]
    fn fingerprints_are_the_files_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let sizes = [0usize, 1000, 2 * STEP + 17, 3 * STEP];
        let mut paths = Vec::new();
        for (k, n) in sizes.iter().enumerate() {
            let p = dir.path().join(format!("f{k}.csv"));
            let bytes: Vec<u8> = (0..*n).map(|i| (i * 31 + k) as u8).collect();
            std::fs::write(&p, &bytes).unwrap();
            paths.push((p, bytes));
        }
        let missing = dir.path().join("missing.csv");
        let started: Vec<PathBuf> = paths.iter().map(|(p, _)| p.clone()).chain([missing.clone()]).collect();
        for wait in [0, 5, 200] {
            let fp = Fingerprints::start(started.clone());
            std::thread::sleep(std::time::Duration::from_millis(wait));
            for (p, bytes) in &paths {
                assert_eq!(fp.get(p).unwrap(), (bytes.len() as u64, sha256(bytes)), "{} after {wait} ms", p.display());
            }
            assert!(fp.get(&missing).is_err());
            let other = dir.path().join("other.csv");
            std::fs::write(&other, b"abc").unwrap();
            assert_eq!(fp.get(&other).unwrap().1, sha256(b"abc"));
        }
    }
}

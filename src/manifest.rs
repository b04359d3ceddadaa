//! Provenance (SPEC §7.8): `manifest-<period>.json` — the svcq version, the config and its
//! SHA-256, every input file with its size, SHA-256 and sheets (rows read and where they
//! went), every output with its SHA-256. No wall-clock time: the same inputs give the same
//! manifest.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

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

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of bytes, hex.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Size and SHA-256 of a file, read in 1 MB blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<(u64, String)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((n, hex(&h.finalize())))
}

/// The inputs: each file the ledger read (`files` are the discovered files, display name and
/// path), hashed on both cores, with its sheets from the ledger.
pub fn inputs(files: &[crate::ingest::InputFile], ledger: &Ledger) -> std::io::Result<Vec<InputRef>> {
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
            let (bytes, sha256) = sha256_file(&f.path)?;
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
}

//! Discover: expand the `--input` arguments into the files to read (folders walked, files
//! of unknown extensions listed as skipped).

use std::path::{Path, PathBuf};

use super::IngestError;

/// One input file and the name it is shown under.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Path to open.
    pub path: PathBuf,
    /// Path relative to the input folder given (or the file name).
    pub display: String,
}

const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv", "txt", "htm", "html"];

/// A file left out, and why.
pub type Skipped = (String, String);

/// Expand the `--input` arguments into files, sorted by shown name within each argument.
/// Returns the files and the files skipped.
pub fn discover(inputs: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<Skipped>), IngestError> {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found = Vec::new();
            walk(input, input, &mut found, &mut skipped)?;
            found.sort_by(|a: &InputFile, b| a.display.cmp(&b.display));
            files.extend(found);
        } else if input.is_file() {
            let display =
                input.file_name().map_or_else(|| input.display().to_string(), |n| n.to_string_lossy().into_owned());
            files.push(InputFile { path: input.clone(), display });
        } else {
            return Err(IngestError::Missing(input.clone()));
        }
    }
    Ok((files, skipped))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<InputFile>, skipped: &mut Vec<Skipped>) -> Result<(), IngestError> {
    let list = |source| IngestError::List { path: dir.to_path_buf(), source };
    for entry in std::fs::read_dir(dir).map_err(list)? {
        let path = entry.map_err(list)?.path();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let display = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out, skipped)?;
        } else if name.starts_with("~$") {
            skipped.push((display, "Excel lock file (the workbook is open somewhere)".into()));
        } else {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
            if EXTENSIONS.contains(&ext.as_str()) {
                out.push(InputFile { path, display });
            } else {
                skipped.push((display, "not a spreadsheet or CSV file name".into()));
            }
        }
    }
    Ok(())
}

/// `*` and `?` wildcard match (whole string, case-insensitive).
pub fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*投诉*", "2009年7月投诉明细.xlsx"));
        assert!(wildcard("faults-??.csv", "FAULTS-07.csv"));
        assert!(!wildcard("faults-??.csv", "faults-7.csv"));
        assert!(wildcard("*", "x"));
        assert!(!wildcard("*.xls", "a.xlsx"));
    }
}

//! Atomic output: write to a temporary file in the target folder, sync, rename.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Write `bytes` to `path` atomically: readers see the old file or the new one, never half.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating folder {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".svcq-tmp-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("writing {}", path.display()))?;
    // Reports are shared: rw-r--r-- like any file the user writes (tempfile starts at 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("setting permissions of {}", path.display()))?;
    }
    tmp.as_file().sync_all().with_context(|| format!("syncing {}", path.display()))?;
    tmp.persist(path).with_context(|| format!("renaming the temporary file to {}", path.display()))?;
    Ok(())
}

/// A name made safe for a folder or file name on every system the reports travel to:
/// path separators, `: * ? " < > |` and control characters become `_`, leading dots and
/// trailing dots and spaces are dropped; nothing left is `_`.
pub(crate) fn safe_name(name: &str) -> String {
    let mapped: String =
        name.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let trimmed = mapped.trim_start_matches('.').trim_end_matches(['.', ' ']).trim_start();
    if trimmed.is_empty() {
        "_".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_name;

    #[test]
    fn names_become_safe_folder_names() {
        assert_eq!(safe_name("东区分公司"), "东区分公司");
        assert_eq!(safe_name("../东区/西区"), "_东区_西区");
        assert_eq!(safe_name("a:b*c?\"<>|\t"), "a_b_c______");
        assert_eq!(safe_name(".."), "_");
        assert_eq!(safe_name(" 城区. "), "城区");
        assert_eq!(safe_name(""), "_");
    }
}

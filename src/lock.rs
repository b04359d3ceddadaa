//! The output folder's lock: `<out>/.svcq.lock`, an advisory lock (flock) that the kernel
//! releases when the process ends, however it ends — so a run killed with kill -9 never
//! blocks the next one. The file names the holder for the message a second run prints.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The folder is locked by another run.
#[derive(Debug, thiserror::Error)]
#[error("output folder {} is in use by another svcq run ({holder}); wait for it to finish (lock file {})", .dir.display(), .path.display())]
pub struct Locked {
    /// The output folder.
    pub dir: PathBuf,
    /// The lock file.
    pub path: PathBuf,
    /// What the lock file says about its holder.
    pub holder: String,
}

/// A held lock; released on drop (or by the kernel when the process dies).
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

/// Take the lock of `dir` (created if missing).
pub fn lock(dir: &Path) -> anyhow::Result<OutputLock> {
    std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("creating output folder {}: {e}", dir.display()))?;
    let path = dir.join(".svcq.lock");
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("opening lock file {}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder =
                if holder.trim().is_empty() { "holder unknown".to_string() } else { holder.trim().to_string() };
            return Err(Locked { dir: dir.to_path_buf(), path, holder }.into());
        }
        Err(std::fs::TryLockError::Error(e)) => anyhow::bail!("locking {}: {e}", path.display()),
    }
    let info = format!("pid {}, started {}", std::process::id(), chrono::Local::now().format("%Y-%m-%d %H:%M:%S"));
    file.set_len(0)?;
    file.rewind()?;
    file.write_all(info.as_bytes())?;
    file.flush()?;
    // Temporary files left by a run that was killed while writing: nobody else can be
    // writing now (we hold the lock), so they are garbage.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".svcq-tmp-") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
    Ok(OutputLock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_lock_names_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".svcq-tmp-stale"), b"half a report").unwrap();
        let held = lock(dir.path()).unwrap();
        assert!(!dir.path().join(".svcq-tmp-stale").exists(), "stale temp files are removed");
        let err = lock(dir.path()).unwrap_err().to_string();
        assert!(err.contains("in use by another svcq run (pid "), "{err}");
        assert!(err.contains(&std::process::id().to_string()), "{err}");
        drop(held);
        lock(dir.path()).unwrap();
    }
}

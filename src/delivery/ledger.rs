//! `<out>/delivery-<period>.json`: each delivery tried — to whom, which scope, which files
//! (with their SHA-256), the result, the server's reply, the tries. A rerun sends only to
//! those without a successful entry for the same files.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// One delivery.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Entry {
    /// `mail`, `wecom`, `dingtalk` or `feishu`.
    pub kind: String,
    /// The address, or the robot as `kind:URL_VARIABLE` (never its URL: it holds a key).
    pub to: String,
    /// `whole` or a branch.
    pub scope: String,
    /// The files sent.
    pub attachments: Vec<Attached>,
    /// The SHA-256 of the scope's metrics CSV: the figures the mail or message tells.
    pub figures: String,
    /// `sent` or `failed`.
    pub result: String,
    /// The server's last reply.
    pub reply: String,
    /// Tries made.
    pub attempts: u32,
    /// When (local time).
    pub at: String,
}

/// A file sent, by name and SHA-256.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(super) struct Attached {
    /// The file's name.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// The period's deliveries.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Ledger {
    /// Every delivery tried, in order.
    pub entries: Vec<Entry>,
}

impl Ledger {
    /// Read the ledger (none yet: empty).
    pub(super) fn load(path: &Path) -> anyhow::Result<Ledger> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(anyhow::anyhow!("{}: {e}", path.display())),
        }
    }

    /// Write it (atomically).
    pub(super) fn save(&self, path: &Path) -> anyhow::Result<()> {
        let text = serde_json::to_string_pretty(self)?;
        crate::output::write_atomic(path, text.as_bytes())
    }

    /// Whether `to` already got `scope`'s report: the same files (by name) telling the same
    /// figures. A rerun on a later day rewrites the documents with a new generated date
    /// (their bytes differ) but the same figures: it sends nothing.
    pub(super) fn delivered(&self, to: &str, scope: &str, files: &[Attached], figures: &str) -> bool {
        let names = |a: &[Attached]| a.iter().map(|f| f.file.clone()).collect::<Vec<_>>();
        self.entries.iter().any(|e| {
            e.to == to
                && e.scope == scope
                && e.result == "sent"
                && e.figures == figures
                && names(&e.attachments) == names(files)
        })
    }

    /// Add an entry.
    pub(super) fn record(&mut self, e: Entry) {
        self.entries.push(e);
    }
}

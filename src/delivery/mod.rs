//! Delivery (SPEC §8.4): the written report taken to its readers — by mail, with the
//! documents attached, and by group robots (企业微信, 钉钉, 飞书) as a markdown digest — each
//! exactly once: `<out>/delivery-<period>.json` records who got which files, and a rerun
//! sends only to those without a successful entry for the same files.
//!
//! What a mail or a robot says comes from the report's digest (`digest-<period>.json`,
//! written with the documents), so `svcq send` needs nothing but the output folder.
//! Secrets come only from the environment and are never printed or written.

mod digest;
mod ledger;
mod mail;
mod robots;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub(crate) use digest::Digest;
use ledger::{Attached, Entry, Ledger};

use crate::config::{Config, OutputKind, Security};
use crate::UsageError;

/// One reader and what they get.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// `mail` or the robot's kind.
    pub(crate) kind: &'static str,
    /// The address, or `wecom:SVCQ_WECOM_URL` (the variable's name: the URL holds a key).
    pub(crate) to: String,
    /// `whole` or a branch.
    pub(crate) scope: String,
    /// The folder of the scope's documents and digest.
    pub(crate) folder: PathBuf,
    /// Which configured recipient or robot (index).
    pub(crate) index: usize,
}

/// The outcome of a delivery run.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Sent now.
    pub(crate) sent: Vec<String>,
    /// Already delivered with the same files (left alone).
    pub(crate) skipped: Vec<String>,
    /// Failed after the tries, with the server's reply.
    pub(crate) failed: Vec<(String, String)>,
    /// Written to the outbox (dry run).
    pub(crate) outbox: Vec<PathBuf>,
}

/// What to do.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The report's output folder.
    pub(crate) out: PathBuf,
    /// The period (`2026-10`, `2026-W44`, …), as in the file names.
    pub(crate) period: String,
    /// Write `.eml` and `.json` to `<out>/outbox/` instead of sending.
    pub(crate) dry_run: bool,
    /// Send again to those already served.
    pub(crate) resend: bool,
}

/// Checks made before anything is read: branch recipients need the branches' files, a
/// secure connection needs a host, the addresses must parse. `per_branch`: whether the run
/// writes (or wrote) the branches' own reports.
/// `live`: mails will really go (the password must be in the environment).
pub(crate) fn check(config: &Config, per_branch: bool, live: bool) -> Result<(), UsageError> {
    let d = &config.delivery;
    if d.recipients.is_empty() && d.webhooks.is_empty() {
        return Err(UsageError("--send: [delivery] has no recipients and no webhooks".into()));
    }
    let scopes = d.recipients.iter().map(|r| &r.scope).chain(d.webhooks.iter().map(|w| &w.scope));
    if let Some(branch) = scopes.into_iter().find(|s| *s != "whole") {
        if !per_branch {
            return Err(UsageError(format!(
                "delivery: a recipient's scope is the branch {branch}, whose own files are written only with --per-branch"
            )));
        }
    }
    if !d.recipients.is_empty() {
        if d.smtp.host.is_empty() {
            return Err(UsageError("delivery.smtp.host is empty".into()));
        }
        mail::mailbox(&d.from).map_err(|e| UsageError(format!("delivery.from {:?}: {e}", d.from)))?;
        for r in &d.recipients {
            mail::mailbox(&r.email).map_err(|e| UsageError(format!("delivery.recipients: {:?}: {e}", r.email)))?;
        }
        for k in &d.attach {
            if !config.report.outputs.contains(k) {
                return Err(UsageError(format!("delivery.attach names {k:?}, which report.outputs does not write")));
            }
        }
        if live && !d.smtp.user.is_empty() {
            secret(&d.smtp.password_env).map_err(|e| UsageError(format!("delivery.smtp.password_env: {e}")))?;
        }
        if d.smtp.security == Security::None && live {
            eprintln!("svcq: warning: delivery.smtp.security = \"none\": mail goes unencrypted, as the config says");
        }
    }
    Ok(())
}

/// The targets of the config, each with the folder of its scope's documents.
fn targets(config: &Config, out: &Path) -> Vec<Target> {
    let folder = |scope: &str| {
        if scope == "whole" {
            out.to_path_buf()
        } else {
            out.join("branches").join(crate::output::safe_name(scope))
        }
    };
    let mut t: Vec<Target> = config
        .delivery
        .recipients
        .iter()
        .enumerate()
        .map(|(index, r)| Target {
            kind: "mail",
            to: r.email.clone(),
            scope: r.scope.clone(),
            folder: folder(&r.scope),
            index,
        })
        .collect();
    t.extend(config.delivery.webhooks.iter().enumerate().map(|(index, w)| Target {
        kind: robots::name(w.kind),
        to: format!("{}:{}", robots::name(w.kind), w.url_env),
        scope: w.scope.clone(),
        folder: folder(&w.scope),
        index,
    }));
    t
}

/// The documents a mail carries: the configured kinds, in the scope's folder.
fn attachments(config: &Config, folder: &Path, period: &str) -> Vec<PathBuf> {
    let stem = &config.report.file_stem;
    config
        .delivery
        .attach
        .iter()
        .map(|k| {
            let ext = match k {
                OutputKind::Xlsx => "xlsx",
                OutputKind::Html => "html",
                OutputKind::Pptx => "pptx",
            };
            folder.join(format!("{stem}-{period}.{ext}"))
        })
        .collect()
}

/// Tries of one delivery, and the waits between them.
const TRIES: u32 = 3;

fn backoff(attempt: u32) -> Duration {
    let base = std::env::var("SVCQ_DELIVERY_BACKOFF_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(2000u64);
    Duration::from_millis(base * u64::from(attempt))
}

/// Deliver the period's report in `options.out` as `config.delivery` says.
pub(crate) fn send(config: &Config, options: &Options) -> anyhow::Result<Outcome> {
    use anyhow::Context;
    let ledger_path = options.out.join(format!("delivery-{}.json", options.period));
    let mut ledger = Ledger::load(&ledger_path)?;
    let mut outcome = Outcome::default();
    let mut pacing = robots::Pacing::default();
    for target in targets(config, &options.out) {
        let digest_path = target.folder.join(format!("digest-{}.json", options.period));
        let digest = Digest::load(&digest_path).with_context(|| {
            format!("the report of {} for {} is not in {}", target.scope, options.period, target.folder.display())
        })?;
        let files =
            if target.kind == "mail" { attachments(config, &target.folder, &options.period) } else { Vec::new() };
        let mut hashed = Vec::new();
        for f in &files {
            let bytes = std::fs::read(f).with_context(|| format!("reading the attachment {}", f.display()))?;
            hashed.push((f.clone(), crate::fingerprint::sha256(&bytes), bytes));
        }
        let sums: Vec<Attached> =
            hashed.iter().map(|(p, h, _)| Attached { file: file_name(p), sha256: h.clone() }).collect();
        let csv = target.folder.join(format!("metrics-{}.csv", options.period));
        let figures =
            crate::fingerprint::sha256(&std::fs::read(&csv).with_context(|| format!("reading {}", csv.display()))?);
        if !options.resend && !options.dry_run && ledger.delivered(&target.to, &target.scope, &sums, &figures) {
            outcome.skipped.push(target.to.clone());
            continue;
        }
        if options.dry_run {
            let dir = options.out.join("outbox");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let name = crate::output::safe_name(&format!("{}-{}-{}", target.kind, target.scope, target.to));
            let (path, bytes) = if target.kind == "mail" {
                let m = mail::message(config, &digest, &target.to, &hashed)?;
                (dir.join(format!("{name}.eml")), m.formatted())
            } else {
                let w = &config.delivery.webhooks[target.index];
                let body = robots::body(w.kind, &digest, None);
                (dir.join(format!("{name}.json")), body.into_bytes())
            };
            crate::output::write_atomic(&path, &bytes)?;
            outcome.outbox.push(path);
            continue;
        }
        let mut attempts = 0;
        let mut result: Result<String, String> = Err(String::new());
        while attempts < TRIES {
            attempts += 1;
            result = if target.kind == "mail" {
                mail::message(config, &digest, &target.to, &hashed)
                    .map_err(|e| e.to_string())
                    .and_then(|m| mail::send(&config.delivery.smtp, &m))
            } else {
                let w = &config.delivery.webhooks[target.index];
                robots::post(w, &digest, &mut pacing)
            };
            if result.is_ok() || attempts == TRIES {
                break;
            }
            std::thread::sleep(backoff(attempts));
        }
        let (ok, reply) = match result {
            Ok(r) => (true, r),
            Err(e) => (false, e),
        };
        ledger.record(Entry {
            kind: target.kind.to_string(),
            to: target.to.clone(),
            scope: target.scope.clone(),
            attachments: sums,
            figures,
            result: if ok { "sent" } else { "failed" }.to_string(),
            reply: reply.clone(),
            attempts,
            at: chrono::Local::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
        });
        // Written after each delivery: a crash later never makes a sent mail go again.
        ledger.save(&ledger_path)?;
        if ok {
            outcome.sent.push(target.to);
        } else {
            outcome.failed.push((target.to, reply));
        }
    }
    Ok(outcome)
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// A secret from the environment (never printed: only the variable's name is).
fn secret(var: &str) -> Result<String, String> {
    if var.is_empty() {
        return Err("no environment variable is configured for it".into());
    }
    std::env::var(var).map_err(|_| format!("the environment variable {var} is not set"))
}

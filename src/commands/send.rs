//! `svcq send`: deliver a report already written (SPEC §8.4); also the summary `report
//! --send` prints.

use std::path::Path;

use crate::delivery::{self, Outcome};
use crate::exit::Exit;

/// Deliver the period's report in `out`.
pub(super) fn run(
    out: &Path,
    period: &str,
    config: Option<&Path>,
    dry_run: bool,
    resend: bool,
) -> anyhow::Result<Exit> {
    let config = super::load_config(config)?;
    // A branch recipient needs the branches' files: written with --per-branch.
    let per_branch = out.join("branches").is_dir();
    delivery::check(&config, per_branch, !dry_run)?;
    let period: crate::period::Period =
        period.parse().map_err(|e| crate::UsageError(format!("--month {period}: {e}")))?;
    let _lock = crate::lock::lock(out)?;
    let outcome = delivery::send(
        &config,
        &delivery::Options { out: out.to_path_buf(), period: period.to_string(), dry_run, resend },
    )?;
    Ok(report(&outcome, Exit::Ok, false))
}

/// Print what was delivered; exit 4 when a delivery failed (it takes precedence over 3).
pub(super) fn report(o: &Outcome, exit: Exit, quiet: bool) -> Exit {
    if !quiet {
        for p in &o.outbox {
            say!("wrote {}", p.display());
        }
        if !o.sent.is_empty() {
            say!("sent to {}", o.sent.join(", "));
        }
        if !o.skipped.is_empty() {
            say!("already delivered (the ledger; --resend sends again): {}", o.skipped.join(", "));
        }
    }
    for (to, reply) in &o.failed {
        eprintln!("svcq: not delivered to {to}: {reply}");
    }
    if o.failed.is_empty() {
        exit
    } else {
        Exit::Undelivered
    }
}

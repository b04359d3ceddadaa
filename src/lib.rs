//! svcq turns a telecom operator's monthly customer-service exports into the monthly
//! service-quality report.
//!
//! The pipeline, one module per stage:
//! [`ingest`] (files → typed rows + ledger) → [`model`] (the month's records) →
//! [`metrics`] (metric rows) → [`render`] (metrics CSV; workbook, HTML and deck) →
//! [`delivery`] (mail and group robots).
//! [`sample`] writes synthetic exports whose true figures are known.

/// `println!` that stops quietly when stdout is closed (piped into `head`): a reader that left
/// is not an error of the run, and must not be a panic.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

pub mod catalog;
pub mod cli;
mod commands;
pub mod config;
mod delivery;
pub mod exit;
mod fingerprint;
mod history;
pub mod ingest;
pub mod lock;
pub mod manifest;
pub mod memory;
pub mod metrics;
pub mod model;
pub mod month;
mod narrative;
mod numbers;
mod output;
pub mod period;
mod render;
mod report;
pub mod sample;
mod targets;

/// A usage error found after argument parsing (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Install a panic hook that stays silent while third-party readers run on untrusted
/// input (their panics become "corrupt file" errors) and is short otherwise.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        if ingest::sheet::QUIET_PANIC.with(|q| q.get()) {
            return;
        }
        eprintln!("svcq: internal error (please report it): {info}");
    }));
}

/// Today's date; `SVCQ_TODAY=YYYY-MM-DD` overrides it (for tests and reruns).
pub fn today() -> chrono::NaiveDate {
    std::env::var("SVCQ_TODAY")
        .ok()
        .and_then(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

pub use commands::run;

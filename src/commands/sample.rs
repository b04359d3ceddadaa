//! `svcq sample`: synthetic exports whose true figures are known.

use crate::exit::Exit;
use crate::sample::{generate, SampleOptions};
use crate::UsageError;

/// Write the files and print one line saying what was written.
pub(super) fn run(options: SampleOptions) -> anyhow::Result<Exit> {
    if !(options.scale > 0.0 && options.scale <= 25000.0) {
        return Err(UsageError(format!("--scale must be between 0 and 25000, not {}", options.scale)).into());
    }
    let truth = generate(&options)?;
    say!(
        "svcq sample {}: wrote {} files to {} ({} calls, {} work orders, {} surveys)",
        options.month,
        truth.files.len(),
        options.out.display(),
        truth.calls,
        truth.orders,
        truth.surveys
    );
    Ok(Exit::Ok)
}

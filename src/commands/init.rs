//! `svcq init-config` and `svcq init-templates DIR`.

use std::path::Path;

use crate::exit::Exit;
use crate::{config, narrative, output, UsageError};

/// Print the default config, commented.
pub(super) fn config() -> anyhow::Result<Exit> {
    say!("{}", config::DEFAULT_CONFIG.strip_suffix('\n').unwrap_or(config::DEFAULT_CONFIG));
    Ok(Exit::Ok)
}

/// Copy the built-in templates into `dir` (refusing to overwrite any).
pub(super) fn templates(dir: &Path) -> anyhow::Result<Exit> {
    for (name, _) in narrative::BUILT_IN {
        let path = dir.join(name);
        if path.exists() {
            return Err(UsageError(format!("{} exists: not overwritten", path.display())).into());
        }
    }
    for (name, text) in narrative::BUILT_IN {
        output::write_atomic(&dir.join(name), text.as_bytes())?;
    }
    say!(
        "wrote {} templates to {}; use them with --templates {}",
        narrative::BUILT_IN.len(),
        dir.display(),
        dir.display()
    );
    Ok(Exit::Ok)
}

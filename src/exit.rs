//! Exit codes (SPEC §1).

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: report written (or check passed).
    Ok = 0,
    /// 1: fatal error, nothing written.
    Fatal = 1,
    /// 2: usage or config error.
    Usage = 2,
    /// 3: report written but data quality below the threshold.
    DataQuality = 3,
    /// 4: report written, but not every delivery succeeded (takes precedence over 3).
    Undelivered = 4,
}

impl Exit {
    /// The classification of an error chain: config and usage problems are 2, the rest 1.
    pub fn of_error(err: &anyhow::Error) -> Exit {
        for cause in err.chain() {
            if cause.downcast_ref::<crate::config::ConfigError>().is_some()
                || cause.downcast_ref::<crate::UsageError>().is_some()
                || matches!(
                    cause.downcast_ref::<crate::ingest::IngestError>(),
                    Some(crate::ingest::IngestError::Missing(_))
                )
            {
                return Exit::Usage;
            }
        }
        Exit::Fatal
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(Exit::Ok as u8, 0);
        assert_eq!(Exit::DataQuality as u8, 3);
        let usage = anyhow::Error::new(crate::UsageError("x".into())).context("while starting");
        assert_eq!(Exit::of_error(&usage), Exit::Usage);
        assert_eq!(Exit::of_error(&anyhow::anyhow!("disk full")), Exit::Fatal);
    }
}

//! `svcq definitions`: every metric's id, label and formula with the options in force.

use std::path::Path;

use crate::config::Lang;
use crate::exit::Exit;
use crate::metrics::definitions::definitions;

/// Print one line per metric: id, label, formula (tab-separated).
pub(super) fn run(config: Option<&Path>) -> anyhow::Result<Exit> {
    let config = super::load_config(config)?;
    for d in definitions(&config).iter() {
        let (label, formula) = match config.report.lang {
            Lang::Zh => (&d.zh, &d.formula_zh),
            Lang::En => (&d.en, &d.formula_en),
        };
        say!("{}\t{label}\t{formula}", d.id);
    }
    Ok(Exit::Ok)
}

//! The deck (SPEC §8.3): the report as the slides it is presented at the monthly meeting.
//!
//! One more renderer of the view model the workbook and the HTML read ([`crate::report`]); it
//! computes nothing. [`plan`] lays the sections out on 16:9 slides (long tables continue on
//! the next slide, long texts are cut with "…"), [`xml`] writes each slide's shapes (native
//! tables, text), [`chart`] each native chart (the workbook's chart XML, written by
//! rust_xlsxwriter, with its own embedded workbook for "Edit data"), and [`package`] the
//! presentation's parts: the built-in master, theme and layouts or a site's template.
//!
//! Why no pptx crate: see docs/outputs.md (the deck) — the chart parts are the workbook's,
//! a template needs the parts handled one by one anyway, and the rest is a few fixed parts.

mod chart;
mod package;
mod plan;
mod table;
mod xml;

use crate::report::Report;

/// What the config says about the deck.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options<'a> {
    /// The font of all text (East Asian and Latin).
    pub font: &'a str,
    /// A site's template (.pptx bytes and its name for messages), if any.
    pub template: Option<(&'a [u8], &'a str)>,
}

/// Why the deck could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DeckError {
    /// A chart's workbook.
    #[error("writing a chart's workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The zip.
    #[error("writing the deck: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing into memory.
    #[error("writing the deck: {0}")]
    Io(#[from] std::io::Error),
    /// The site's template is not a deck svcq can use.
    #[error("the deck template {file}: {why}")]
    Template {
        /// The template's name.
        file: String,
        /// What is wrong with it.
        why: String,
    },
}

/// Whether a site's template is a deck svcq can use (checked before anything is written).
pub(crate) fn check_template(bytes: &[u8], name: &str) -> Result<(), DeckError> {
    package::Base::template(bytes, name).map(|_| ())
}

/// Render the deck: the same report gives the same bytes.
pub(crate) fn render(report: &Report, options: &Options<'_>) -> Result<Vec<u8>, DeckError> {
    let base = match options.template {
        Some((bytes, name)) => package::Base::template(bytes, name)?,
        None => package::Base::builtin(options.font),
    };
    let slides = plan::plan(report, base.frame(), options.font);
    package::write(&base, report, &slides, options.font)
}

#[cfg(test)]
mod tests;

//! Renderers of the report view model: the workbook, the HTML report and its SVG charts, the deck (the
//! metrics CSV is written by [`crate::catalog::csv`], which history and roll-ups read back).

pub(crate) mod charts;
pub(crate) mod deck;
pub(crate) mod html;
pub(crate) mod xlsx;

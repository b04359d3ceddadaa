//! Renderers: the metrics CSV (and, as they land, the workbook and the HTML report).

pub mod csv;

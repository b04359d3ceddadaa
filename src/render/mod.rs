//! Renderers: the metrics CSV, the workbook (and, as it lands, the HTML report).

pub mod csv;
pub mod xlsx;

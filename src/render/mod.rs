//! Renderers: the metrics CSV, the workbook, the HTML report and its SVG charts.

pub(crate) mod charts;
pub(crate) mod csv;
pub(crate) mod html;
pub(crate) mod xlsx;

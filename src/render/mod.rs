//! Renderers: the metrics CSV, the workbook, the HTML report and its SVG charts.

pub mod charts;
pub mod csv;
pub mod html;
pub mod xlsx;

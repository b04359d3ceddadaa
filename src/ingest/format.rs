//! What a file is and how its rows are handed on: the formats recognised from a file's first
//! bytes (not its extension), the reading errors, and the [`RowVisitor`] every reader (the
//! workbook readers in [`super::sheet`], CSV in [`super::delimited`], web exports in
//! [`super::markup`]) hands its rows to.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use super::value::Cell;

/// A file that cannot be read as a spreadsheet.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{path}: cannot read the file: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The content is not a spreadsheet or CSV.
    #[error("{path}: not a spreadsheet: {what}")]
    NotSpreadsheet {
        /// The file.
        path: PathBuf,
        /// What it looks like instead.
        what: String,
    },
    /// A workbook whose structure is damaged (found before it reached its reader).
    #[error("{path}: damaged {format} file: {message}")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// xlsx or xls.
        format: &'static str,
        /// What is wrong, where.
        message: String,
    },
    /// A spreadsheet that its reader could not parse.
    #[error("{path}: corrupt or truncated {format} file: {message}")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// xlsx, xls or ods.
        format: &'static str,
        /// The reader's message.
        message: String,
    },
}

/// The format a file's content was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Office Open XML workbook (xlsx, xlsm).
    Xlsx,
    /// Excel binary workbook (xlsb).
    Xlsb,
    /// Excel 97–2003 (BIFF in a compound file).
    Xls,
    /// OpenDocument spreadsheet.
    Ods,
    /// Delimited text.
    Csv,
    /// An HTML page of tables (web-system exports named .xls).
    Html,
    /// XML Spreadsheet 2003 (web-system exports named .xls).
    Xml2003,
}

impl Format {
    /// Short name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
            Format::Html => "html",
            Format::Xml2003 => "xml",
        }
    }
}

/// Receives the rows of each sheet in order.
pub(crate) trait RowVisitor {
    /// A new sheet starts. `date1904`: plain numbers in date columns are 1904 serials.
    fn begin_sheet(&mut self, name: &str, format: Format, date1904: bool);
    /// One non-blank row; `row` is the row number as Excel shows it (1-based).
    fn row(&mut self, row: u32, cells: &[Cell<'_>]);
    /// The sheet ended.
    fn end_sheet(&mut self);
    /// About `n` rows follow (room can be made for them at once).
    fn rows_hint(&mut self, _n: usize) {}
}

pub(super) fn emit(visitor: &mut dyn RowVisitor, row: u32, cells: &[Cell<'_>]) {
    if cells.iter().any(|c| !c.is_blank()) {
        visitor.row(row, cells);
    }
}

/// The format of an open file, from its first bytes (the file is rewound).
pub(crate) fn sniff_file(path: &Path, file: &mut File) -> Result<Format, ReadError> {
    let io = |source| ReadError::Io { path: path.to_path_buf(), source };
    let mut head = [0u8; 8];
    let n = read_up_to(file, &mut head).map_err(io)?;
    file.rewind().map_err(io)?;
    sniff(path, &head[..n])
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Recognise the format from the first bytes.
pub(crate) fn sniff(path: &Path, head: &[u8]) -> Result<Format, ReadError> {
    let not = |what: &str| ReadError::NotSpreadsheet { path: path.to_path_buf(), what: what.to_string() };
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(Format::Xls);
    }
    if head.starts_with(b"PK\x03\x04") {
        return Ok(Format::Xlsx); // xlsx or ods: told apart by the reader
    }
    if head.starts_with(b"%PDF") {
        return Err(not("it is a PDF document"));
    }
    if head.starts_with(&[0x89, b'P', b'N', b'G']) || head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Err(not("it is an image"));
    }
    if head.starts_with(b"PK") {
        return Err(not("it is a zip archive but not a workbook"));
    }
    let text = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let first = text.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'<') {
        // HTML or XML: told apart (or refused) once the text is decoded.
        return Ok(Format::Html);
    }
    if head.contains(&0) && !(head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF])) {
        return Err(not("it is a binary file of an unknown kind"));
    }
    Ok(Format::Csv)
}

/// xlsx, xlsb and ods are all zip files: ods stores its `mimetype` entry first; xlsb has an
/// `xl/workbook.bin` part (falling back to the extension).
pub(super) fn zip_flavour(path: &Path) -> Format {
    if let Ok(mut f) = File::open(path) {
        let mut buf = [0u8; 80];
        if let Ok(n) = read_up_to(&mut f, &mut buf) {
            let s = &buf[..n];
            if s.windows(39).any(|w| w == b"application/vnd.oasis.opendocument.spr") {
                return Format::Ods;
            }
        }
        if f.rewind().is_ok() {
            if let Ok(mut zip) = zip::ZipArchive::new(BufReader::new(f)) {
                if zip.by_name("xl/workbook.bin").is_ok() {
                    return Format::Xlsb;
                }
            }
        }
    }
    match path.extension().and_then(|e| e.to_str()).map(|e| e.to_ascii_lowercase()) {
        Some(e) if e == "ods" => Format::Ods,
        Some(e) if e == "xlsb" => Format::Xlsb,
        _ => Format::Xlsx,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        let p = Path::new("x.xls");
        assert_eq!(sniff(p, &[0xD0, 0xCF, 0x11, 0xE0, 0, 0, 0, 0]).unwrap(), Format::Xls);
        assert_eq!(sniff(p, b"PK\x03\x04abcd").unwrap(), Format::Xlsx);
        assert_eq!(sniff(p, b"a,b,c\n").unwrap(), Format::Csv);
        // Markup is told apart (HTML, XML 2003, or neither) once decoded.
        assert_eq!(sniff(p, b"<html><t").unwrap(), Format::Html);
        assert_eq!(sniff(p, b"\xEF\xBB\xBF <table").unwrap(), Format::Html);
        assert!(sniff(p, b"%PDF-1.4").unwrap_err().to_string().contains("PDF"));
        assert!(sniff(p, b"\x00\x01\x02\x03").is_err());
        assert_eq!(sniff(p, b"\xFF\xFEa\x00").unwrap(), Format::Csv);
    }
}

//! Guards: what the workbook readers trust, checked before a file is handed to them, so a
//! damaged export is an error naming the file, never an allocation that aborts the process.
//!
//! calamine (0.38) trusts, among other things: the `uniqueCount` of an xlsx's shared-string
//! table (it reserves that many strings up front), the sector chains of an xls compound file
//! (a chain that loops back grows until memory runs out), and the declared dimensions and
//! cell positions of an xls sheet (it builds a dense grid from them); and quick-xml, under
//! calamine's xlsx and ods readers, buffers a whole text event (a zip bomb of whitespace
//! between two rows is one 1 GiB event). Each check below
//! compares such a declaration with what the file can really hold. The upstream report is in
//! docs/inputs.md ("Damaged files").

use std::io::{Read, Seek};

/// Sector-chain markers of the compound file format ([MS-CFB] 2.1).
const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
/// Streams shorter than this live in the mini stream.
const MINI_CUTOFF: usize = 4096;
/// Excel 97–2003 sheet limits.
const XLS_ROWS: u64 = 65_536;
const XLS_COLS: u64 = 256;
/// The shortest shared string an xlsx can hold, `<si/>`.
const MIN_SHARED_STRING_BYTES: u64 = 5;
/// Deflate cannot expand data more than about 1032 : 1.
const MAX_DEFLATE_RATIO: u64 = 1032;
/// The longest run of bytes between two markup characters (`<`, `>`) an XML part of a
/// workbook may hold: the XML reader buffers such a run as one event. A cell's text is at
/// most 32,767 characters (~160 KB escaped), so 16 MiB is damage or padding, never data.
const MAX_XML_RUN: u64 = 16 << 20;
/// A part inflating to more than this many times its compressed size is scanned for such a
/// run (spreadsheet XML compresses 4–15 : 1; whitespace or repeated bytes ~1000 : 1).
const SCAN_RATIO: u64 = 20;

/// Check a zip workbook (xlsx, ods, xlsb) before calamine opens it: the shared-string table
/// must not declare more strings than its part can hold, and no XML part that inflates far
/// beyond its compressed size may hold a run of text longer than [`MAX_XML_RUN`] (a zip bomb
/// of whitespace that the XML reader would buffer whole). A zip calamine cannot open is left
/// to calamine's message.
pub(crate) fn check_zip<R: Read + Seek>(reader: R) -> Result<(), String> {
    let Ok(mut zip) = zip::ZipArchive::new(reader) else { return Ok(()) };
    for i in 0..zip.len() {
        let Ok(mut entry) = zip.by_index(i) else { continue };
        let Ok(name) = entry.name().map(|n| n.to_string()) else { continue };
        let lower = name.to_ascii_lowercase();
        if !lower.ends_with(".xml") {
            continue;
        }
        let ratio = if entry.compression() == zip::CompressionMethod::Stored { 1 } else { MAX_DEFLATE_RATIO };
        let room = entry.size().min(entry.compressed_size().saturating_mul(ratio));
        if lower.ends_with("sharedstrings.xml") {
            let mut head = Vec::with_capacity(4096);
            // The <sst> tag opens the part; a damaged stream is calamine's to report.
            if (&mut entry).take(4096).read_to_end(&mut head).is_err() {
                continue;
            }
            if let Some(n) = sst_unique_count(&head) {
                if n > room / MIN_SHARED_STRING_BYTES {
                    return Err(format!(
                        "{name} declares uniqueCount=\"{n}\" shared strings, but the part holds {room} bytes \
                         (room for at most {} strings)",
                        room / MIN_SHARED_STRING_BYTES
                    ));
                }
            }
            drop(entry);
            let Ok(again) = zip.by_index(i) else { continue };
            entry = again;
        }
        // The zip reader stops at the declared size, so a part no bigger than the longest
        // run allowed, or one that inflates like real spreadsheet XML, needs no scan.
        if entry.size() > MAX_XML_RUN && entry.size() > entry.compressed_size().saturating_mul(SCAN_RATIO) {
            if let Some((at, run)) = longest_run_over(&mut entry, MAX_XML_RUN) {
                return Err(format!(
                    "{name} inflates from {} to {} bytes and holds a run of {run} or more bytes without markup \
                     at byte {at} (a cell holds at most 32,767 characters): a padded or damaged part",
                    entry.compressed_size(),
                    entry.size()
                ));
            }
        }
    }
    Ok(())
}

/// The first run of bytes containing neither `<` nor `>` longer than `limit`: (its start, the
/// bytes seen of it when the limit was passed). Read in 64 KiB pieces; a read error ends the
/// scan (calamine reports it).
fn longest_run_over<R: Read>(reader: &mut R, limit: u64) -> Option<(u64, u64)> {
    let mut buf = vec![0u8; 64 << 10];
    let (mut pos, mut start) = (0u64, 0u64);
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => n,
        };
        let piece = &buf[..n];
        if let Some(last) = memchr::memrchr2(b'<', b'>', piece) {
            // A run ending inside this piece: check the longest gap in it.
            let mut prev = start;
            for at in memchr::memchr2_iter(b'<', b'>', piece) {
                let here = pos + at as u64;
                if here - prev > limit {
                    return Some((prev, here - prev));
                }
                prev = here + 1;
            }
            start = pos + last as u64 + 1;
        }
        pos += n as u64;
        if pos - start > limit {
            return Some((start, pos - start));
        }
    }
}

/// The `uniqueCount` attribute of the `<sst>` start tag at the head of a shared-string part.
fn sst_unique_count(head: &[u8]) -> Option<u64> {
    let text = String::from_utf8_lossy(head);
    let start = text.find("<sst").or_else(|| text.find(":sst"))?;
    let tag = &text[start..start + text[start..].find('>')?];
    let at = tag.find("uniqueCount")? + "uniqueCount".len();
    let rest = tag[at..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let value = &rest[1..1 + rest[1..].find(quote)?];
    // A number too big for u64 is as damaged as a big one.
    Some(value.trim().parse::<u64>().unwrap_or(u64::MAX))
}

/// Check an xls (a compound file holding a BIFF workbook stream) before calamine parses it.
pub(crate) fn check_xls(bytes: &[u8]) -> Result<(), String> {
    // A header calamine cannot read is calamine's to report (it does so without harm).
    let Some(cfb) = Cfb::parse(bytes)? else { return Ok(()) };
    let dir_sectors = cfb.chain(cfb.dir_start, usize::MAX, "directory")?;
    let large = cfb.sector_size == 4096;
    let entries: Vec<Entry> =
        dir_sectors.iter().flat_map(|&s| cfb.sector(s).chunks_exact(128).map(|b| Entry::parse(b, large))).collect();
    let Some(root) = entries.first() else { return Err("the compound file has no root directory".into()) };
    let mini = if cfb.mini_fat_sectors > 0 {
        let stream = cfb.read(root.start, root.len, "mini stream")?;
        let fat_len = (cfb.mini_fat_sectors as usize).saturating_mul(cfb.sector_size);
        let fat = cfb.read(cfb.mini_fat_start, fat_len, "mini FAT")?;
        Some((stream, u32s(&fat).collect::<Vec<u32>>()))
    } else {
        None
    };
    // Only the workbook stream is read by calamine (besides the directory and the mini
    // stream above): damage elsewhere does not stop a file calamine can read.
    let workbook = match entries
        .iter()
        .skip(1)
        .find(|e| e.is_stream && (e.name.eq_ignore_ascii_case("Workbook") || e.name.eq_ignore_ascii_case("Book")))
    {
        Some(e) if e.len >= MINI_CUTOFF => Some(cfb.read(e.start, e.len, &format!("{} stream", e.name))?),
        Some(e) => match &mini {
            Some((stream, fat)) => Some(mini_read(stream, fat, e.start, e.len, &e.name)?),
            None => None,
        },
        None => None,
    };
    match workbook {
        Some(stream) => check_biff(&stream),
        None => Ok(()), // calamine reports the missing stream
    }
}

/// The parts of a compound file the checks need.
struct Cfb<'a> {
    bytes: &'a [u8],
    sector_size: usize,
    /// Sectors the file holds (a partial last sector counts).
    sectors: usize,
    fat: Vec<u32>,
    dir_start: u32,
    mini_fat_start: u32,
    mini_fat_sectors: u32,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u32s(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

impl<'a> Cfb<'a> {
    /// `None` when the header itself is unreadable (short, or an unknown sector size).
    fn parse(bytes: &'a [u8]) -> Result<Option<Cfb<'a>>, String> {
        if bytes.len() < 512 {
            return Ok(None);
        }
        let sector_size = match u16_at(bytes, 30) {
            9 => 512,
            12 => 4096,
            _ => return Ok(None),
        };
        let sectors = (bytes.len().saturating_sub(sector_size)).div_ceil(sector_size);
        let mut cfb = Cfb {
            bytes,
            sector_size,
            sectors,
            fat: Vec::new(),
            dir_start: u32_at(bytes, 0x30),
            mini_fat_start: u32_at(bytes, 0x3C),
            mini_fat_sectors: u32_at(bytes, 0x40),
        };
        // The FAT sectors: 109 in the header, the rest in the DIFAT chain.
        let mut fat_sectors: Vec<u32> = u32s(&bytes[0x4C..512]).collect();
        let mut difat = u32_at(bytes, 0x44);
        let mut seen = vec![false; sectors];
        while difat < DIFSECT {
            let i = difat as usize;
            if i >= sectors {
                return Err(format!("the DIFAT chain points to sector {difat}, beyond the end of the file"));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("the DIFAT chain loops back to sector {difat}"));
            }
            let s = cfb.sector(difat);
            let n = s.len() / 4;
            if n == 0 {
                break;
            }
            fat_sectors.extend(u32s(&s[..(n - 1) * 4]));
            difat = u32_at(s, (n - 1) * 4);
        }
        for id in fat_sectors.into_iter().filter(|id| *id < DIFSECT) {
            if id as usize >= sectors {
                return Err(format!("a FAT sector number ({id}) lies beyond the end of the file"));
            }
            let fat: Vec<u32> = u32s(cfb.sector(id)).collect();
            cfb.fat.extend(fat);
        }
        Ok(Some(cfb))
    }

    /// The bytes of a sector (shorter at the end of the file).
    fn sector(&self, id: u32) -> &'a [u8] {
        let start = (id as usize + 1).saturating_mul(self.sector_size).min(self.bytes.len());
        let end = start.saturating_add(self.sector_size).min(self.bytes.len());
        &self.bytes[start..end]
    }

    /// The sectors of a chain, enough for `len` bytes: every link within the file and the
    /// FAT, no sector twice.
    fn chain(&self, start: u32, len: usize, what: &str) -> Result<Vec<u32>, String> {
        let mut ids = Vec::new();
        let mut seen = vec![false; self.sectors];
        let mut id = start;
        let mut have = 0usize;
        while id != ENDOFCHAIN && have < len {
            let i = id as usize;
            if i >= self.sectors {
                return Err(format!("the {what} chain points to sector {id}, beyond the end of the file"));
            }
            if std::mem::replace(&mut seen[i], true) {
                return Err(format!("the {what} chain loops back to sector {id}"));
            }
            ids.push(id);
            have = have.saturating_add(self.sector_size);
            id = *self
                .fat
                .get(i)
                .ok_or_else(|| format!("the {what} chain reaches sector {id}, which has no FAT entry"))?;
        }
        Ok(ids)
    }

    /// A stream's bytes (at most `len`).
    fn read(&self, start: u32, len: usize, what: &str) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        for id in self.chain(start, len, what)? {
            let s = self.sector(id);
            out.extend_from_slice(&s[..s.len().min(len - out.len())]);
        }
        Ok(out)
    }
}

/// A stream in the mini stream (64-byte sectors).
fn mini_read(stream: &[u8], fat: &[u32], start: u32, len: usize, name: &str) -> Result<Vec<u8>, String> {
    let sectors = stream.len().div_ceil(64);
    let mut seen = vec![false; sectors];
    let (mut out, mut id) = (Vec::new(), start);
    while id != ENDOFCHAIN && out.len() < len {
        let i = id as usize;
        if i >= sectors {
            return Err(format!("the mini-stream chain of {name} points past the mini stream (sector {id})"));
        }
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("the mini-stream chain of {name} loops back to sector {id}"));
        }
        let s = &stream[i * 64..((i + 1) * 64).min(stream.len())];
        out.extend_from_slice(&s[..s.len().min(len - out.len())]);
        id = *fat.get(i).ok_or_else(|| format!("the mini-stream chain of {name} has no mini-FAT entry for {id}"))?;
    }
    Ok(out)
}

/// One directory entry.
struct Entry {
    name: String,
    is_stream: bool,
    start: u32,
    len: usize,
}

impl Entry {
    fn parse(b: &[u8], large_sectors: bool) -> Entry {
        let name_len = (u16_at(b, 64) as usize).min(64);
        let units: Vec<u16> = b[..name_len].chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let name = String::from_utf16_lossy(&units).trim_end_matches('\0').to_string();
        let len = if large_sectors {
            u64::from_le_bytes([b[120], b[121], b[122], b[123], b[124], b[125], b[126], b[127]])
        } else {
            u64::from(u32_at(b, 120))
        };
        Entry { name, is_stream: b[66] == 2, start: u32_at(b, 116), len: usize::try_from(len).unwrap_or(usize::MAX) }
    }
}

/// Cell records whose first four bytes are the row and the column.
const CELL_RECORDS: &[u16] = &[0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00D6, 0x00FD];

/// The workbook stream: every sheet's declared dimensions and every cell's column within an
/// xls sheet (65,536 rows × 256 columns).
fn check_biff(stream: &[u8]) -> Result<(), String> {
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let typ = u16_at(stream, at);
        let len = u16_at(stream, at + 2) as usize;
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        match typ {
            0x0200 => check_dimensions(data, at)?,
            t if CELL_RECORDS.contains(&t) && data.len() >= 4 => {
                let col = u16_at(data, 2);
                if u64::from(col) >= XLS_COLS {
                    return Err(format!(
                        "a cell record at byte {at} of the workbook stream is in column {}, beyond an xls sheet's 256",
                        u32::from(col) + 1
                    ));
                }
            }
            0x00BD if data.len() >= 6 => {
                let (first, last) = (u16_at(data, 2), u16_at(data, data.len() - 2));
                if u64::from(first.max(last)) >= XLS_COLS || first > last {
                    return Err(format!(
                        "a MULRK record at byte {at} of the workbook stream spans columns {}–{}",
                        u32::from(first) + 1,
                        u32::from(last) + 1
                    ));
                }
            }
            _ => {}
        }
        at += 4 + len;
    }
    Ok(())
}

/// A DIMENSIONS record as calamine reads it (first row, last row + 1, first column, last
/// column + 1; BIFF8 rows are 32-bit).
fn check_dimensions(data: &[u8], at: usize) -> Result<(), String> {
    let (rf, rl, cf, cl) = match data.len() {
        10 => (
            u64::from(u16_at(data, 0)),
            u64::from(u16_at(data, 2)),
            u64::from(u16_at(data, 4)),
            u64::from(u16_at(data, 6)),
        ),
        14 | 16 => (
            u64::from(u32_at(data, 0)),
            u64::from(u32_at(data, 4)),
            u64::from(u16_at(data, 8)),
            u64::from(u16_at(data, 10)),
        ),
        _ => return Ok(()), // calamine rejects other lengths itself
    };
    let bad = rl > XLS_ROWS || cl > XLS_COLS || (rl >= 1 && cl >= 1 && rf >= rl);
    if bad {
        return Err(format!(
            "the DIMENSIONS record at byte {at} of the workbook stream declares rows {}–{} and columns {}–{}, \
             outside an xls sheet (65,536 rows × 256 columns)",
            rf + 1,
            rl,
            cf + 1,
            cl
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_count_is_read_from_the_sst_tag() {
        let head = br#"<?xml version="1.0"?><sst xmlns="x" count="7" uniqueCount = '5'><si>"#;
        assert_eq!(sst_unique_count(head), Some(5));
        assert_eq!(sst_unique_count(br#"<x:sst uniqueCount="4294967295">"#), Some(4_294_967_295));
        assert_eq!(sst_unique_count(br#"<sst uniqueCount="99999999999999999999999">"#), Some(u64::MAX));
        assert_eq!(sst_unique_count(br#"<sst count="3">"#), None);
    }

    #[test]
    fn dimensions_outside_an_xls_sheet_are_damage() {
        let biff8 = |rf: u32, rl: u32, cf: u16, cl: u16| {
            let mut d = Vec::new();
            d.extend(rf.to_le_bytes());
            d.extend(rl.to_le_bytes());
            d.extend(cf.to_le_bytes());
            d.extend(cl.to_le_bytes());
            d.extend([0, 0]);
            d
        };
        assert!(check_dimensions(&biff8(0, 100, 0, 10), 0).is_ok());
        assert!(check_dimensions(&biff8(0, 0, 0, 0), 0).is_ok(), "an empty sheet");
        assert!(check_dimensions(&biff8(0, 65_536, 0, 256), 0).is_ok(), "a full sheet");
        assert!(check_dimensions(&biff8(0, 0xFFFF_FFFF, 0, 10), 0).is_err());
        assert!(check_dimensions(&biff8(0, 100, 0, 19_718), 0).is_err());
        assert!(check_dimensions(&biff8(10, 5, 0, 10), 0).is_err(), "first row after the last");
    }

    #[test]
    fn a_cell_beyond_column_iv_is_damage() {
        let record = |typ: u16, row: u16, col: u16| {
            let mut r = Vec::new();
            r.extend(typ.to_le_bytes());
            r.extend(10u16.to_le_bytes());
            r.extend(row.to_le_bytes());
            r.extend(col.to_le_bytes());
            r.extend([0u8; 6]);
            r
        };
        assert!(check_biff(&record(0x027E, 3, 255)).is_ok());
        let err = check_biff(&[record(0x027E, 3, 2), record(0x027E, 3, 19_717)].concat()).unwrap_err();
        assert!(err.contains("column 19718"), "{err}");
    }
}

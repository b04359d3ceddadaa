//! Ingest benchmark: svcq's ingest of one file against the floor of a bare read of the
//! same file (calamine's streaming cell reader for xlsx; encoding_rs + csv for text), in
//! one run, as a ratio. Run with the release profile:
//!
//! ```sh
//! cargo bench --bench ingest -- both  FILE [RUNS]   # floor and ingest, medians and ratio
//! cargo bench --bench ingest -- floor FILE|DIR      # one floor run (for peak memory; a folder: every file)
//! cargo bench --bench ingest -- ingest FILE         # one ingest run (for peak memory)
//! ```

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use calamine::{Reader, Xlsx};

fn floor(path: &Path) -> u64 {
    if path.is_dir() {
        // Every spreadsheet of the folder, one after the other.
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xlsx" || e == "csv"))
            .collect();
        files.sort();
        return files.iter().map(|f| floor(f)).sum();
    }
    let mut head = [0u8; 2];
    std::fs::File::open(path).unwrap().read_exact(&mut head).unwrap();
    if &head == b"PK" {
        let mut wb: Xlsx<_> = calamine::open_workbook(path).unwrap();
        let mut rows = 0u64;
        for name in wb.sheet_names() {
            let mut r = wb.worksheet_cells_reader(&name).unwrap();
            let mut last = u32::MAX;
            while let Some(c) = r.next_cell().unwrap() {
                let row = c.get_position().0;
                if row != last {
                    rows += 1;
                    last = row;
                }
                std::hint::black_box(c.get_value());
            }
        }
        rows
    } else {
        let bytes = std::fs::read(path).unwrap();
        let (text, _) = encoding_rs::GB18030.decode_with_bom_removal(&bytes);
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut rec = csv::StringRecord::new();
        let mut rows = 0u64;
        while rdr.read_record(&mut rec).unwrap() {
            rows += 1;
            std::hint::black_box(&rec);
        }
        rows
    }
}

fn ingest(path: &Path) -> u64 {
    let config = svcq::config::Config::default();
    let data =
        svcq::ingest::ingest(&[path.to_path_buf()], &config, "2026-10".parse().unwrap(), Default::default()).unwrap();
    data.ledger.total().rows_read
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let t = Instant::now();
    let r = f();
    (t.elapsed().as_secs_f64(), r)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let (mode, file) = match args.as_slice() {
        [m, f, ..] => (m.as_str(), PathBuf::from(f)),
        _ => {
            eprintln!("usage: cargo bench --bench ingest -- both|floor|ingest FILE [RUNS]");
            return;
        }
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3);
    match mode {
        "floor" => println!("floor rows {}", floor(&file)),
        "ingest" => println!("ingest rows read {}", ingest(&file)),
        _ => {
            let (mut f, mut i) = (Vec::new(), Vec::new());
            let (mut rows_f, mut rows_i) = (0, 0);
            for _ in 0..runs {
                let (t, r) = time(|| floor(&file));
                f.push(t);
                rows_f = r;
                let (t, r) = time(|| ingest(&file));
                i.push(t);
                rows_i = r;
            }
            let (mf, mi) = (median(f), median(i));
            println!("file {}", file.display());
            println!("floor : {rows_f} rows, median {mf:.2} s, {:.0} rows/s", rows_f as f64 / mf);
            println!("ingest: {rows_i} rows read, median {mi:.2} s, {:.0} rows/s", rows_i as f64 / mi);
            println!("ratio ingest/floor: {:.2} (median of {runs} runs)", mi / mf);
        }
    }
}

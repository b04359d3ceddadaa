//! `manifest-<period>.json` and the provenance table (SPEC §7.8).

use calamine::{Reader, Xlsx};
use sha2::{Digest, Sha256};

use crate::util::Workdir;

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_manifest_fingerprints_config_inputs_and_outputs_and_is_reproducible() {
    let w = Workdir::new();
    assert_eq!(w.run(&["sample", "--month", "2026-10", "--out", "in"]).code, 0);
    w.write("svcq.toml", "[report]\norganisation = \"资阳分公司\"\n");
    let run = |out: &str| {
        let o = w.run(&["report", "--input", "in", "--month", "2026-10", "--out", out]);
        assert!(o.code == 0 || o.code == 3, "{}", o.stderr);
        assert!(o.stdout.contains(&format!("wrote {out}/manifest-2026-10.json")), "{}", o.stdout);
        // The run time is in the summary (stdout) only.
        let first = o.stdout.lines().next().unwrap();
        let secs = first.rsplit("; ").next().unwrap().strip_suffix(" s").expect("run time");
        assert!(secs.parse::<f64>().is_ok(), "{first}");
        std::fs::read(w.join(&format!("{out}/manifest-2026-10.json"))).unwrap()
    };
    let (a, b) = (run("a"), run("b"));
    assert_eq!(a, b, "no wall-clock time: the same inputs give the same manifest");
    let m: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(m["period"], "2026-10");
    assert_eq!(m["svcq"], env!("CARGO_PKG_VERSION"));
    assert_eq!(m["config"]["file"], "svcq.toml");
    assert_eq!(m["config"]["sha256"], sha(&std::fs::read(w.join("svcq.toml")).unwrap()));
    // Every input file: its size and hash, and its sheets' rows add up to the ledger's.
    let inputs = m["inputs"].as_array().unwrap();
    let on_disk = std::fs::read_dir(w.join("in"))
        .unwrap()
        .filter(|e| !e.as_ref().unwrap().file_name().to_string_lossy().starts_with('.'));
    assert_eq!(inputs.len(), on_disk.count(), "every file read");
    let mut read = 0;
    for i in inputs {
        let bytes = std::fs::read(w.join("in").join(i["file"].as_str().unwrap())).unwrap();
        assert_eq!(i["bytes"], bytes.len() as u64);
        assert_eq!(i["sha256"], sha(&bytes));
        for s in i["sheets"].as_array().unwrap() {
            let n = |k: &str| s[k].as_u64().unwrap();
            assert_eq!(n("rows_read"), n("used") + n("out_of_period") + n("duplicates") + n("rejected"), "{s}");
            read += n("rows_read");
        }
    }
    let csv = std::fs::read_to_string(w.join("a/metrics-2026-10.csv")).unwrap();
    assert!(csv.contains(&format!("2026-10,dq.rows_read,,,,{read},")), "the ledger's rows read");
    // Every output, as written.
    let outputs = m["outputs"].as_array().unwrap();
    let names: Vec<&str> = outputs.iter().map(|o| o["file"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "service-quality-2026-10.xlsx",
            "service-quality-2026-10.html",
            "service-quality-2026-10.pptx",
            "metrics-2026-10.csv"
        ]
    );
    for o in outputs {
        let bytes = std::fs::read(w.join("a").join(o["file"].as_str().unwrap())).unwrap();
        assert_eq!(o["sha256"], sha(&bytes), "{}", o["file"]);
    }
    // The 数据质量 sheet shows the same fingerprints.
    let mut wb: Xlsx<_> = calamine::open_workbook(w.join("a/service-quality-2026-10.xlsx")).unwrap();
    let sheet = wb.worksheet_range("数据质量").unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c.starts_with("数据来源")), "provenance table");
    assert!(cells.contains(&"配置：svcq.toml".to_string()));
    for i in inputs {
        assert!(cells.contains(&i["sha256"].as_str().unwrap().to_string()), "{}", i["file"]);
    }
}

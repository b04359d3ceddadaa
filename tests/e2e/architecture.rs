//! The house has no loops (issue 28): every top-level module of `src/` uses only modules on a
//! lower line of the `layers` block in ARCHITECTURE.md. Uses are the `crate::…` paths (and
//! `use crate::{a, b}` groups) and the `super::…` paths that leave a module, in the code
//! outside comments and unit tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, lowest first, as ARCHITECTURE.md lists them (top line first).
fn layers(root: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = text.find("```layers\n").expect("a ```layers block in ARCHITECTURE.md") + "```layers\n".len();
    let end = start + text[start..].find("```").expect("the layers block ends");
    let mut v: Vec<Vec<String>> = text[start..end]
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect();
    v.reverse();
    v
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// `src/ingest/sheet.rs` → ["ingest", "sheet"]; `src/ingest/mod.rs` → ["ingest"].
fn module_of(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts
}

/// The code without comments and without the unit tests at the end.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines().map(|l| l.find("//").map_or(l, |at| &l[..at])).collect::<Vec<_>>().join("\n")
}

/// The top-level modules a file's code names: `crate::x`, `crate::{x, y}`, and `super::x`
/// paths that climb out of the file's own top-level module.
fn uses(module: &[String], code: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in code.match_indices("crate::") {
        if at > 0 && code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(|s| ident(s.trim())));
        } else {
            out.insert(ident(rest));
        }
    }
    for (at, _) in code.match_indices("super::") {
        if at > 0 && code[..at].ends_with("super::") {
            continue;
        }
        let mut rest = &code[at..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            up += 1;
            rest = r;
        }
        // A file's own module is `module`; `super` is its parent.
        if up >= module.len() {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| known.contains(m));
    out
}

#[test]
fn every_module_uses_only_lower_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let layers = layers(root);
    let level: BTreeMap<String, usize> =
        layers.iter().enumerate().flat_map(|(i, l)| l.iter().map(move |m| (m.clone(), i))).collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let tops: BTreeSet<String> = files.iter().filter_map(|f| module_of(&src, f).first().cloned()).collect();
    // Every module has its place, and the block names no module that is gone.
    let unplaced: Vec<&String> = tops.iter().filter(|m| !level.contains_key(*m)).collect();
    assert!(unplaced.is_empty(), "modules missing from ARCHITECTURE.md's layers: {unplaced:?}");
    let gone: Vec<&String> = level.keys().filter(|m| !tops.contains(*m)).collect();
    assert!(gone.is_empty(), "ARCHITECTURE.md's layers name modules that do not exist: {gone:?}");
    let mut wrong = Vec::new();
    let mut edges = 0;
    for f in &files {
        let module = module_of(&src, f);
        let Some(top) = module.first() else { continue };
        let text = std::fs::read_to_string(f).unwrap();
        for used in uses(&module, &code(&text), &tops) {
            if &used == top {
                continue;
            }
            edges += 1;
            if level[&used] >= level[top] {
                wrong.push(format!(
                    "{} ({top}, layer {}) uses {used} (layer {})",
                    f.display(),
                    level[top],
                    level[&used]
                ));
            }
        }
    }
    assert!(edges > 40, "the import scan found only {edges} uses: it is broken");
    assert!(wrong.is_empty(), "uses that go up or sideways:\n{}", wrong.join("\n"));
}

#[test]
fn the_scan_sees_each_form_of_use() {
    let known: BTreeSet<String> = ["config", "metrics", "report", "catalog"].iter().map(|s| s.to_string()).collect();
    let code = "use crate::{config, metrics::Row};\nlet x = crate::report::pct(1.0);\nuse super::super::catalog::X;";
    let m = vec!["metrics".to_string(), "fault".to_string()];
    let found = uses(&m, code, &known);
    assert_eq!(found, ["catalog", "config", "metrics", "report"].iter().map(|s| s.to_string()).collect());
    // One `super` from a submodule stays in its own top-level module.
    assert!(uses(&m, "use super::agg;", &known).is_empty());
}

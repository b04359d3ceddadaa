//! `svcq init-config` and `svcq init-templates DIR`.

use std::path::Path;

use anyhow::Context as _;

use crate::exit::Exit;
use crate::{config, narrative, output, UsageError};

/// Print the default config, commented; with `inputs`, the `[aliases.<kind>]` lines those
/// exports need (read with the defaults), each under a comment giving its evidence, and the
/// fields no column could be found for, commented out.
pub(super) fn config(inputs: &[std::path::PathBuf], month: Option<crate::month::Month>) -> anyhow::Result<Exit> {
    let text = config::DEFAULT_CONFIG.strip_suffix('\n').unwrap_or(config::DEFAULT_CONFIG);
    if inputs.is_empty() {
        say!("{text}");
        return Ok(Exit::Ok);
    }
    let month = crate::period::Period::month(month.unwrap_or_else(|| crate::month::Month::previous_of(crate::today())));
    let defaults = config::Config::default();
    let data = crate::ingest::ingest(inputs, &defaults, month, crate::ingest::IngestOptions::default())
        .context("reading the exports")?;
    let mut added = aliases_needed(&data.ledger);
    added.push_str(&files_needed(&data));
    let marker = "\n[aliases]\n";
    let out = match text.find(marker) {
        Some(at) if !added.is_empty() => {
            let cut = at + marker.len();
            format!("{}{}{}", &text[..cut], added, &text[cut..])
        }
        _ => text.to_string(),
    };
    say!("{out}");
    if added.is_empty() {
        eprintln!("svcq: every sheet of these exports reads with the defaults: nothing to add");
    }
    Ok(Exit::Ok)
}

/// The `[[files]]` entries the unreadable sheets without a branch column need: `branch =
/// "from_name"` where the file name holds exactly one branch name of the other inputs (the
/// title row is read too when the report runs), else commented with the names known.
fn files_needed(data: &crate::model::Dataset) -> String {
    use std::fmt::Write as _;
    let mut known: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    known.extend(data.calls.branch.values().iter().map(|b| b.to_string()));
    known.extend(data.orders.branch.values().iter().map(|b| b.to_string()));
    known.extend(data.surveys.branch.values().iter().map(|b| b.to_string()));
    let stem = |k: &str| k.strip_suffix("分公司").filter(|s| s.chars().count() >= 2).unwrap_or(k).to_string();
    let mut s = String::new();
    let mut seen = std::collections::BTreeSet::new();
    for u in data.ledger.unreadable.iter().filter(|u| u.missing.contains(&"branch")) {
        let sh = &data.ledger.sheets[u.sheet as usize];
        if !seen.insert(sh.file.clone()) {
            continue;
        }
        let hits: std::collections::BTreeSet<String> =
            known.iter().filter(|k| sh.file.contains(stem(k).as_str())).map(|k| stem(k)).collect();
        let _ = writeln!(s);
        if hits.len() == 1 {
            let b = hits.iter().next().cloned().unwrap_or_default();
            let _ =
                writeln!(s, "# {}: no branch column; its file name holds {b}, a branch of the other exports", sh.file);
            let _ = writeln!(s, "[[files]]\npattern = {:?}\nkind = {:?}\nbranch = \"from_name\"", sh.file, u.kind.id());
        } else {
            let names: Vec<&str> = known.iter().map(String::as_str).take(12).collect();
            let _ = writeln!(
                s,
                "# {}: no branch column, and its file name holds no one branch name of the other exports ({}): set it",
                sh.file,
                names.join(", ")
            );
            let _ = writeln!(s, "# [[files]]\n# pattern = {:?}\n# kind = {:?}\n# branch = \"…\"", sh.file, u.kind.id());
        }
    }
    s
}

/// The `[aliases.<kind>]` tables the unreadable sheets of `ledger` need: a proposed column
/// per missing field (with its evidence), or the field commented out when none was found.
fn aliases_needed(ledger: &crate::model::Ledger) -> String {
    use std::collections::BTreeMap;
    use std::fmt::Write as _;
    // kind -> field -> lines (the same field may be proposed in several files).
    let mut by_kind: BTreeMap<&str, BTreeMap<&str, Vec<String>>> = BTreeMap::new();
    let mut evidence: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
    let mut open: Vec<String> = Vec::new();
    for u in &ledger.unreadable {
        let sh = &ledger.sheets[u.sheet as usize];
        let place = if sh.format == "csv" { sh.file.clone() } else { format!("{} / {}", sh.file, sh.sheet) };
        for p in &sh.proposals {
            let headers = by_kind.entry(u.kind.id()).or_default().entry(p.field).or_default();
            if !headers.contains(&p.header) {
                headers.push(p.header.clone());
            }
            evidence
                .entry((u.kind.id(), p.field))
                .or_default()
                .push(format!("{place}, column {}: {}", p.column, p.evidence));
        }
        for m in u.missing.iter().filter(|m| **m != "branch" || !sh.proposals.is_empty()) {
            let found = m.split('|').any(|f| sh.proposals.iter().any(|p| p.field == f));
            if !found {
                open.push(format!(
                    "# [aliases.{}] {m} = [\"…\"]   # {place}: no column found for it (header row {}); name the column here",
                    u.kind.id(),
                    u.header_row
                ));
            }
        }
    }
    let mut s = String::new();
    for (kind, fields) in &by_kind {
        let _ = writeln!(s, "\n# Proposed by `svcq init-config --input` from the exports' columns (check each):");
        let _ = writeln!(s, "[aliases.{kind}]");
        for (field, headers) in fields {
            for e in &evidence[&(*kind, *field)] {
                let _ = writeln!(s, "# {e}");
            }
            let list: Vec<String> = headers.iter().map(|h| format!("{h:?}")).collect();
            let _ = writeln!(s, "{field} = [{}]", list.join(", "));
        }
    }
    if !open.is_empty() {
        let _ = writeln!(s, "\n# Not decided: no column of the export fits these fields.");
        for line in open {
            let _ = writeln!(s, "{line}");
        }
    }
    s
}

/// Copy the built-in templates into `dir` (refusing to overwrite any).
pub(super) fn templates(dir: &Path) -> anyhow::Result<Exit> {
    for (name, _) in narrative::BUILT_IN {
        let path = dir.join(name);
        if path.exists() {
            return Err(UsageError(format!("{} exists: not overwritten", path.display())).into());
        }
    }
    for (name, text) in narrative::BUILT_IN {
        output::write_atomic(&dir.join(name), text.as_bytes())?;
    }
    say!(
        "wrote {} templates to {}; use them with --templates {}",
        narrative::BUILT_IN.len(),
        dir.display(),
        dir.display()
    );
    Ok(Exit::Ok)
}

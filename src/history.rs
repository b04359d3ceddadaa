//! History: previous periods' metrics CSVs in the history folder (`metrics-<period>.csv`;
//! a weekly run never becomes "last month" of a monthly run). After a successful run
//! the month's file is stored there (replacing an earlier run of the same month);
//! month-over-month changes, trends and early warnings read it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::catalog::MetricKey;
use crate::period::Period;

/// The history file of a month: `<dir>/metrics-YYYY-MM.csv`.
pub(crate) fn path(dir: &Path, month: Period) -> PathBuf {
    dir.join(format!("metrics-{month}.csv"))
}

/// One stored value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stored {
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Value.
    pub value: Option<f64>,
}

/// The metrics of the months found in the history folder.
#[derive(Debug, Default)]
pub(crate) struct History {
    months: BTreeMap<Period, FxHashMap<MetricKey, Stored>>,
}

fn unguard(s: &str) -> String {
    crate::catalog::csv::unguard(s).to_string()
}

impl History {
    /// Read every `metrics-<period>.csv` in `dir` for periods of `before`'s kind before it (a missing
    /// folder is an empty history; unreadable files are skipped with a warning line).
    pub(crate) fn load(dir: &Path, before: Period) -> (History, Vec<String>) {
        let mut h = History::default();
        let mut warnings = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else { return (h, warnings) };
        let mut files: Vec<(Period, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let p: Period = name.strip_prefix("metrics-")?.strip_suffix(".csv")?.parse().ok()?;
                // Periods of the same kind only (runs of days: of the same length), before this one.
                let comparable = p.kind() == before.kind()
                    && (p.kind() != crate::period::PeriodKind::Range || p.days() == before.days());
                (comparable && p.last_day() < before.first_day()).then_some((p, e.path()))
            })
            .collect();
        files.sort();
        for (month, path) in files {
            match read_file(&path) {
                Ok(rows) => {
                    h.months.insert(month, rows);
                }
                Err(e) => warnings.push(format!("history file {} skipped: {e}", path.display())),
            }
        }
        (h, warnings)
    }

    /// Whether a month is in the history.
    pub(crate) fn has(&self, month: Period) -> bool {
        self.months.contains_key(&month)
    }

    /// How many periods the history holds.
    pub(crate) fn len(&self) -> usize {
        self.months.len()
    }

    /// The whole-centre values of a per-day metric (`group = day=…`) over every stored period.
    pub(crate) fn daily(&self, metric: crate::catalog::MetricId) -> Vec<(chrono::NaiveDate, f64)> {
        let mut out: Vec<(chrono::NaiveDate, f64)> = self
            .months
            .values()
            .flat_map(|m| m.iter())
            .filter(|(k, _)| k.metric == metric && k.branch.is_empty() && k.product.is_empty())
            .filter_map(|(k, v)| match (&k.group, v.value) {
                (crate::catalog::Group::Day(d), Some(x)) => Some((*d, x)),
                _ => None,
            })
            .collect();
        out.sort_by_key(|a| a.0);
        out
    }

    /// The history of one branch as if it were the whole: its rows become the totals (and stay
    /// its branch rows); other branches' rows and the whole's are left out.
    pub(crate) fn for_branch(&self, branch: &str) -> History {
        let months = self
            .months
            .iter()
            .map(|(p, rows)| {
                let mut out = FxHashMap::default();
                for (k, v) in rows.iter().filter(|(k, _)| k.branch == branch) {
                    out.insert(MetricKey { branch: String::new(), ..k.clone() }, *v);
                    out.insert(k.clone(), *v);
                }
                (*p, out)
            })
            .collect();
        History { months }
    }

    /// Every stored row of a period (none when the period is not in history).
    pub(crate) fn rows(&self, month: Period) -> impl Iterator<Item = (&MetricKey, &Stored)> {
        self.months.get(&month).into_iter().flat_map(|m| m.iter())
    }

    /// A stored value.
    pub(crate) fn get(&self, month: Period, key: &MetricKey) -> Option<Stored> {
        self.months.get(&month).and_then(|m| m.get(key)).copied()
    }

    /// The series of a row over the `n` months ending with `month` (oldest first): the
    /// stored value, or `None` where the month is not in history or has no such row.
    /// `current` is this month's value (not yet in history).
    pub(crate) fn series(
        &self,
        key: &MetricKey,
        month: Period,
        n: usize,
        current: Option<f64>,
    ) -> Vec<(Period, Option<f64>)> {
        let mut out = Vec::with_capacity(n);
        let mut m = month;
        for i in 0..n {
            let v = if i == 0 { current } else { self.get(m, key).and_then(|s| s.value) };
            out.push((m, v));
            m = m.prev();
        }
        out.reverse();
        out
    }
}

fn read_file(path: &Path) -> Result<FxHashMap<MetricKey, Stored>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
    let mut rdr = csv::Reader::from_reader(text);
    let headers = rdr.headers().map_err(|e| e.to_string())?.clone();
    let idx = |name: &str| headers.iter().position(|h| h == name).ok_or(format!("no column {name}"));
    let (im, ib, ip, ig) = (idx("metric")?, idx("branch")?, idx("product")?, idx("group")?);
    let (inum, iden, ival) = (idx("numerator")?, idx("denominator")?, idx("value")?);
    let mut out = FxHashMap::default();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let f = |i: usize| rec.get(i).unwrap_or("");
        let num = |i: usize| f(i).parse::<f64>().ok();
        // Rows of metrics or groups this version does not know (a newer or older svcq
        // wrote them) have nothing to compare with: they are left out.
        let (Ok(metric), Ok(group)) = (unguard(f(im)).parse(), unguard(f(ig)).parse()) else { continue };
        out.insert(
            MetricKey { metric, branch: unguard(f(ib)), product: unguard(f(ip)), group },
            Stored { numerator: num(inum), denominator: num(iden), value: num(ival) },
        );
    }
    Ok(out)
}

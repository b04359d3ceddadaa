//! `svcq sample`: a deterministic generator of realistic, messy monthly exports.
//!
//! It writes hotline calls, fault / install / complaint work orders and callback surveys the
//! way real systems export them (title rows above the header, merged titles, several sheets,
//! an explanatory sheet that is not data, header variants with units and full-width
//! brackets, mixed date forms, numeric phone numbers, GBK CSV, overlapping exports with
//! duplicates and conflicting re-exports, rows of neighbouring months, and a few bad rows).
//! Every row's fate is decided here, so the true ledger is known: it is written to the
//! hidden file `.truth.txt` in the output folder (ingest skips hidden files), one line
//! per sheet: `file|sheet|read|used|out_of_period|duplicates|rejected`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use chrono::{Duration, NaiveDateTime};

use crate::month::Month;
use sinks::{Enc, FileOut, Val};

mod calls;
mod orders;
mod sinks;
mod surveys;

/// File formats for `svcq sample`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SampleFormat {
    /// xlsx for calls and work orders, GBK CSV for surveys (what a real month looks like).
    Mixed,
    /// Every file xlsx.
    Xlsx,
    /// Every file CSV (calls UTF-8, the rest GBK).
    Csv,
    /// xlsx within Excel 97 limits (≤ 65,536 rows per sheet), ready to save as .xls.
    XlsCompatible,
    /// Every workbook an HTML page of tables named .xls (GBK, as web systems write them).
    HtmlXls,
    /// Every workbook an XML Spreadsheet 2003 file named .xls.
    XmlXls,
}

/// Options of one run.
pub struct SampleOptions {
    /// The month the exports are for.
    pub month: Month,
    /// Output folder.
    pub out: PathBuf,
    /// Size multiplier (1 = a few thousand rows).
    pub scale: f64,
    /// File formats.
    pub format: SampleFormat,
    /// Random seed.
    pub seed: u64,
    /// Calls per file (default: two files at small scale, 400,000 per file at large scale).
    pub calls_per_file: Option<usize>,
}

/// The true accounting of one written sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SheetTruth {
    /// File name.
    pub file: String,
    /// Sheet name (CSV: file stem).
    pub sheet: String,
    /// Data rows written below the header.
    pub read: u64,
    /// Rows the month uses.
    pub used: u64,
    /// Rows of other months.
    pub out_of_period: u64,
    /// Repeated rows.
    pub duplicates: u64,
    /// Bad rows.
    pub rejected: u64,
}

/// What was written.
#[derive(Debug, Default)]
pub struct Truth {
    /// Files written.
    pub files: Vec<String>,
    /// Per sheet.
    pub sheets: Vec<SheetTruth>,
    /// Calls used in the month.
    pub calls: u64,
    /// Work orders used in the month.
    pub orders: u64,
    /// Surveys used in the month.
    pub surveys: u64,
}

impl Truth {
    /// The `.truth.txt` text.
    pub fn to_text(&self) -> String {
        let mut s = String::from("# file|sheet|read|used|out_of_period|duplicates|rejected\n");
        for t in &self.sheets {
            let _ = writeln!(
                s,
                "{}|{}|{}|{}|{}|{}|{}",
                t.file, t.sheet, t.read, t.used, t.out_of_period, t.duplicates, t.rejected
            );
        }
        s
    }

    /// Parse a `.truth.txt` text.
    pub fn parse(text: &str) -> Vec<SheetTruth> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .filter_map(|l| {
                let f: Vec<&str> = l.split('|').collect();
                let n = |i: usize| f.get(i).and_then(|v| v.parse().ok());
                Some(SheetTruth {
                    file: f.first()?.to_string(),
                    sheet: f.get(1)?.to_string(),
                    read: n(2)?,
                    used: n(3)?,
                    out_of_period: n(4)?,
                    duplicates: n(5)?,
                    rejected: n(6)?,
                })
            })
            .collect()
    }
}

/// SplitMix64: a small, fast, portable PRNG; the same seed gives the same files everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
    /// Weighted pick: weights need not sum to 1.
    fn weighted<'a, T>(&mut self, v: &'a [(T, f64)]) -> &'a T {
        let total: f64 = v.iter().map(|x| x.1).sum();
        let mut x = self.unit() * total;
        for (item, w) in v {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &v[v.len() - 1].0
    }
    /// Log-normal-ish positive value with the given median and spread.
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        // Box–Muller
        let (u1, u2) = (self.unit().max(1e-12), self.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        median * (sigma * z).exp()
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Fate {
    Used,
    OutOfPeriod,
    Duplicate,
    Rejected,
}

/// The hour-of-day profile of calls and orders: (hour, weight).
const HOUR_WEIGHTS: &[(i64, f64)] = &[
    (8, 6.0),
    (9, 10.0),
    (10, 11.0),
    (11, 10.0),
    (12, 6.0),
    (13, 6.0),
    (14, 9.0),
    (15, 9.0),
    (16, 8.0),
    (17, 7.0),
    (18, 5.0),
    (19, 5.0),
    (20, 4.0),
    (21, 3.0),
    (22, 1.0),
    (7, 1.5),
    (23, 0.5),
];

/// What a complaint says and how it was settled, in the words of the exports.
fn complaint_text(r: &mut Rng, category: &str) -> (String, String) {
    let n = 10 + r.below(90);
    let (content, result): (String, &str) = match category {
        "费用争议" => {
            let result = format!("经核查为客户误点订购的增值业务，已退订并退费{n}元，客户表示认可。");
            return (format!("客户反映近期话费比平时多扣{n}元，称未订购任何增值业务，要求核实并退还。"), result);
        }
        "网络质量" => (
            r.pick(&[
                "宽带晚上频繁掉线，已报修多次仍未解决，客户情绪激动。",
                "家中手机信号差，室内基本无法通话，要求尽快处理。",
                "宽带网速远低于签约速率，测速只有十几兆。",
            ])
            .to_string(),
            "已安排网络优化人员上门测试，调整设备后恢复正常，客户满意。",
        ),
        "装维服务" => (
            r.pick(&["装维人员预约后未按时上门，客户等待半天。", "装维人员上门态度生硬，未清理施工垃圾。"]).to_string(),
            "已向客户致歉，对装维人员进行考核并加强培训。",
        ),
        "营业服务" => (
            "营业厅排队时间过长，工作人员解释不清套餐内容。".into(),
            "已向客户解释套餐内容并致歉，营业厅增加高峰时段窗口。",
        ),
        "业务办理" => {
            (format!("客户{n}天前申请办理宽带移机，至今未办理完成。"), "已协调装维部门加急处理，移机已完成。")
        }
        _ => ("光猫使用不到半年即损坏，要求免费更换。".into(), "已为客户免费更换光猫。"),
    };
    (content, result.to_string())
}

/// The place-name part of a branch's site names: 雁江分公司 → 雁江.
fn site_stem(branch: &str) -> &str {
    branch.trim_end_matches("分公司")
}

const BRANCHES: &[&str] = &[
    "城区分公司",
    "东区分公司",
    "西区分公司",
    "北区分公司",
    "雁江分公司",
    "安岳分公司",
    "乐至分公司",
    "简阳分公司",
    "南区分公司",
    "高新分公司",
    "临江分公司",
    "石桥分公司",
    "丹山分公司",
    "龙台分公司",
    "通贤分公司",
    "石羊分公司",
];

/// A work order as generated (kept to link surveys and to write re-exports).
#[derive(Clone)]
struct GenOrder {
    id: String,
    branch: usize,
    vals: Vec<Val>,
    completed_col: Option<usize>,
    completed: Option<NaiveDateTime>,
    in_period: bool,
}

struct Gen<'a> {
    o: &'a SampleOptions,
    rng: Rng,
    branches: Vec<&'static str>,
    /// Per-branch quality skew, so branches differ visibly.
    skill: Vec<f64>,
    truth: Truth,
    /// In-period orders by type, for surveys.
    survey_targets: Vec<(String, usize)>,
}

/// Write a month of sample exports into `o.out`.
pub fn generate(o: &SampleOptions) -> anyhow::Result<Truth> {
    std::fs::create_dir_all(&o.out).with_context(|| format!("creating {}", o.out.display()))?;
    let rng = Rng(o.seed ^ (o.month.year as u64 * 100 + o.month.month as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    let nb = if o.scale >= 50.0 { 16 } else { 8 };
    let branches: Vec<&'static str> = BRANCHES[..nb].to_vec();
    // Branch skill is fixed by the seed, not the month, so months are comparable.
    let mut skill_rng = Rng(o.seed);
    let skill = (0..nb).map(|_| skill_rng.unit()).collect();
    let mut g = Gen { o, rng, branches, skill, truth: Truth::default(), survey_targets: Vec::new() };
    g.calls()?;
    g.faults()?;
    g.installs()?;
    g.complaints()?;
    g.surveys()?;
    let text = g.truth.to_text();
    std::fs::write(o.out.join(".truth.txt"), text).context("writing .truth.txt")?;
    Ok(g.truth)
}

impl Gen<'_> {
    fn n(&self, base: f64) -> usize {
        (base * self.o.scale).round().max(1.0) as usize
    }

    fn stamp(&self) -> String {
        format!("{}{:02}", self.o.month.year, self.o.month.month)
    }

    /// A time in the month with a daytime-heavy hour profile; `day` fixes the day.
    fn time_on(&mut self, day: i64) -> NaiveDateTime {
        let hour = *self.rng.weighted(HOUR_WEIGHTS);
        let secs = hour * 3600 + self.rng.below(3600) as i64;
        self.o.month.start() + Duration::days(day) + Duration::seconds(secs)
    }

    fn time_in_month(&mut self) -> NaiveDateTime {
        let day = self.rng.below(self.o.month.days() as usize) as i64;
        self.time_on(day)
    }

    fn branch(&mut self) -> usize {
        // Bigger branches first: city branches carry more traffic.
        let weights: Vec<(usize, f64)> = (0..self.branches.len()).map(|i| (i, 1.0 / (1.0 + i as f64 * 0.25))).collect();
        *self.rng.weighted(&weights)
    }

    fn file(&self, name: &str, csv_enc: Enc) -> FileOut {
        FileOut::new(name.to_string(), self.o.format, csv_enc)
    }

    /// The most rows one sheet of orders or surveys holds: a workbook's sheet limit; a CSV
    /// has none, so a large `--scale` grows every kind of record in proportion.
    fn rows_per_sheet(&self) -> usize {
        match self.o.format {
            SampleFormat::XlsCompatible => 65_000,
            SampleFormat::Csv => usize::MAX,
            _ => 1_000_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A re-export repeats about 1% of a file: with many files, the duplicates grow with the
    /// calls, not with the calls times the number of files (a 30-file month once had 6% of
    /// its calls duplicated, a 6-file month 0.8%).
    #[test]
    fn overlapping_call_exports_repeat_a_share_of_each_file() {
        let dir = tempfile::tempdir().unwrap();
        let o = SampleOptions {
            month: "2026-10".parse().unwrap(),
            out: dir.path().to_path_buf(),
            scale: 1.0,
            format: SampleFormat::Csv,
            seed: 7,
            calls_per_file: Some(200),
        };
        let truth = generate(&o).unwrap();
        let calls: Vec<&SheetTruth> = truth.sheets.iter().filter(|s| s.file.starts_with("话务明细")).collect();
        assert_eq!(calls.len(), 15, "3,000 calls at 200 a file");
        // Every file after the first repeats the previous file's last 2 rows (1% of 200; the
        // old rule repeated 5 a file whatever its size), less any of them that were bad rows.
        for s in &calls[1..] {
            assert!((1..=2).contains(&s.duplicates), "{}: {} duplicates", s.file, s.duplicates);
        }
        assert_eq!(calls[0].duplicates, 0);
    }
}

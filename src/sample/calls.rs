//! Hotline call records: calls spread over the month's hours, agents on shift, the files
//! and their re-exports.

use chrono::{Datelike, Duration, NaiveDateTime, Timelike};

use super::sinks::{date_val, t, DateStyle, Enc, Val};
use super::*;

impl Gen<'_> {
    pub(super) fn calls(&mut self) -> anyhow::Result<()> {
        let n = self.n(3000.0);
        let days = self.o.month.days();
        let nfiles = match self.o.calls_per_file {
            Some(k) => n.div_ceil(k.clamp(1, self.rows_per_sheet())),
            None => {
                let per_file = if self.o.format == SampleFormat::XlsCompatible { 60_000 } else { 400_000 };
                n.div_ceil(per_file).max(2)
            }
        };
        let header = |answer_word: &str| {
            [
                "呼叫流水号",
                "来电时间",
                "分公司",
                "技能组",
                "坐席工号",
                "主叫号码",
                answer_word,
                "通话时长(秒)",
                "等待时长（秒）",
                "是否一次解决",
            ]
            .map(t)
        };
        let callers: usize = (n as f64 * 0.8) as usize + 10;
        let mut seq = 0usize;
        let mut carry: Vec<Vec<Val>> = Vec::new();
        for f in 0..nfiles {
            let name = format!("话务明细-{}-{:02}.xlsx", self.stamp(), f + 1);
            // As CSV: GBK and UTF-8 with BOM alternate, as different call systems write them.
            let mut out = self.file(&name, if f % 2 == 0 { Enc::Gbk } else { Enc::Utf8Bom });
            out.sheet("话务明细")?;
            if f == 0 {
                out.sink.title(&format!("{}年{}月人工话务明细", self.o.month.year, self.o.month.month), 10)?;
                out.sink.blank();
            }
            let text_dates = f % 2 == 1;
            out.sink.row(&header(if f % 2 == 0 { "是否接通" } else { "人工接通" }))?;
            // The previous file's last rows again: overlapping exports.
            for vals in carry.drain(..) {
                out.data(&vals, Fate::Duplicate)?;
            }
            let d0 = days * f as i64 / nfiles as i64;
            let d1 = days * (f as i64 + 1) / nfiles as i64;
            let count = n / nfiles + usize::from(f < n % nfiles);
            if f == 0 {
                // A few calls of the last evening of the previous month.
                for _ in 0..self.n(12.0) {
                    let when = self.o.month.start() - Duration::minutes(1 + self.rng.below(300) as i64);
                    let vals = self.call_row(&mut seq, when, callers, text_dates, 1_000_000);
                    out.data(&vals, Fate::OutOfPeriod)?;
                }
            }
            // A re-export repeats the last 1% of a file (at most 5 rows per unit of scale): the
            // duplicates grow with the calls, not with the calls times the number of files.
            let overlap = self.n(5.0).min((count / 100).max(1));
            let mut rows = Vec::with_capacity(count);
            for _ in 0..count {
                let day = d0 + self.rng.below((d1 - d0).max(1) as usize) as i64;
                rows.push(self.time_on(day));
            }
            rows.sort();
            for (i, when) in rows.into_iter().enumerate() {
                let bad = self.rng.chance(0.002);
                let mut vals = self.call_row(&mut seq, when, callers, text_dates, i);
                if bad {
                    match self.rng.below(3) {
                        0 => vals[1] = t(format!("{}-{:02}-32 09:15", self.o.month.year, self.o.month.month)),
                        1 => vals[8] = t("约30秒"),
                        _ => vals[1] = Val::Empty,
                    }
                }
                let fate = if bad { Fate::Rejected } else { Fate::Used };
                out.data(&vals, fate)?;
                if !bad && f + 1 < nfiles && i + overlap >= count {
                    carry.push(vals);
                }
            }
            if f + 1 == nfiles {
                for _ in 0..self.n(10.0) {
                    let when = self.o.month.end() + Duration::minutes(self.rng.below(600) as i64);
                    let vals = self.call_row(&mut seq, when, callers, text_dates, 1_000_000);
                    out.data(&vals, Fate::OutOfPeriod)?;
                }
            }
            out.finish(&self.o.out, &mut self.truth)?;
        }
        self.truth.calls = self.truth.sheets.iter().map(|s| s.used).sum();
        Ok(())
    }

    fn call_row(
        &mut self,
        seq: &mut usize,
        when: NaiveDateTime,
        callers: usize,
        text_dates: bool,
        i: usize,
    ) -> Vec<Val> {
        *seq += 1;
        let b = self.branch();
        let answer_p = 0.86 + 0.12 * self.skill[b];
        let answered = self.rng.chance(answer_p);
        let wait = if answered {
            self.rng.lognormal(4.0 + 5.0 * (1.0 - self.skill[b]), 0.8).min(600.0).round()
        } else {
            (5.0 + self.rng.unit() * 110.0).round()
        };
        let talk = if answered { (30.0 + self.rng.lognormal(150.0, 0.8)).min(3600.0).round() } else { 0.0 };
        let caller = 13_300_000_000u64 + (self.rng.below(callers) as u64 * 7919) % 99_999_999;
        let date = if text_dates {
            date_val(when, if i.is_multiple_of(3) { DateStyle::Slash } else { DateStyle::Dash })
        } else {
            date_val(when, DateStyle::Cell)
        };
        let answered_val = if text_dates {
            Val::Num(if answered { 1.0 } else { 0.0 })
        } else {
            t(if answered { "是" } else { "否" })
        };
        let resolved = if answered { t(if self.rng.chance(0.82) { "是" } else { "否" }) } else { Val::Empty };
        vec![
            t(format!("C{}{:08}", when.format("%Y%m%d"), *seq)),
            date,
            t(self.branches[b]),
            t(*self.rng.pick(&["宽带", "移动", "固话", "政企", "综合"])),
            Val::Num(1000.0 + (self.rng.below(1_000_000) % self.agent_pool(when)) as f64),
            Val::Num(caller as f64),
            answered_val,
            Val::Num(talk),
            Val::Num(wait),
            resolved,
        ]
    }

    /// How many agents answer in the hour of `when` (SPEC §7.6's sample): about three times
    /// the traffic plus four, but on weekday mornings 09:00–11:00 only 0.8 of it — an
    /// understaffed morning the staffing section shows.
    fn agent_pool(&self, when: NaiveDateTime) -> usize {
        let total: f64 = HOUR_WEIGHTS.iter().map(|w| w.1).sum();
        let weight = HOUR_WEIGHTS.iter().find(|w| w.0 == i64::from(when.hour())).map_or(0.5, |w| w.1);
        // Erlangs in a 30-minute interval: calls per day × the hour's share ÷ 2 × ~200 s ÷ 1800 s.
        let calls_per_day = 3000.0 * self.o.scale / f64::from(self.o.month.days() as u32);
        let erlangs = calls_per_day * weight / total / 2.0 * 200.0 / 1800.0;
        let morning = (9..11).contains(&when.hour()) && when.weekday().num_days_from_monday() < 5;
        let pool = if morning { erlangs * 0.8 } else { erlangs * 3.0 + 4.0 };
        (pool.round() as usize).max(1)
    }
}

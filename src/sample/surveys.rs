//! Callback surveys of the month's completed orders.

use chrono::Duration;

use super::sinks::{date_val, t, DateStyle, Enc, Val};
use super::*;

impl Gen<'_> {
    pub(super) fn surveys(&mut self) -> anyhow::Result<()> {
        let n = self.n(300.0).min(self.rows_per_sheet());
        let enc = Enc::Gbk;
        let name = if self.o.format == SampleFormat::Mixed || self.o.format == SampleFormat::Csv {
            format!("回访明细-{}.csv", self.stamp())
        } else {
            format!("回访明细-{}.xlsx", self.stamp())
        };
        let mut out = self.file(&name, enc);
        out.sheet("回访明细")?;
        out.sink.row(
            &[
                "回访流水号",
                "关联工单号",
                "分公司",
                "回访时间",
                "回访结果",
                "满意度",
                "处理及时",
                "服务态度",
                "不满意原因",
            ]
            .map(t),
        )?;
        let targets = std::mem::take(&mut self.survey_targets);
        for i in 0..n {
            let (order_id, b) =
                if targets.is_empty() { (String::new(), 0) } else { targets[self.rng.below(targets.len())].clone() };
            let roll = self.rng.unit();
            let when = if roll < 0.01 {
                self.o.month.start() - Duration::hours(3 + self.rng.below(40) as i64)
            } else {
                self.time_in_month()
            };
            let contacted = self.rng.chance(0.6);
            let result =
                if contacted { "成功" } else { *self.rng.pick(&["无人接听", "关机", "拒访", "失败"]) };
            let satisfied_p = 0.88 + 0.11 * self.skill[b];
            let (sat, timely, attitude, reason) = if contacted {
                let s = self.rng.chance(satisfied_p);
                let sat = if self.rng.chance(0.05) {
                    t(if s { "5" } else { "2" })
                } else if s {
                    t(*self.rng.pick(&["非常满意", "满意", "满意", "基本满意"]))
                } else {
                    t(*self.rng.pick(&["一般", "不满意", "非常不满意"]))
                };
                let timely = t(if self.rng.chance(satisfied_p) { "是" } else { "否" });
                let att = t(if self.rng.chance(satisfied_p + 0.03) { "满意" } else { "不满意" });
                let reason = if s {
                    Val::Empty
                } else {
                    t(*self.rng.pick(&[
                        "维修不及时",
                        "多次上门未解决",
                        "费用解释不清",
                        "=HYPERLINK(\"http://x\",\"点此\")",
                    ]))
                };
                (sat, timely, att, reason)
            } else {
                (Val::Empty, Val::Empty, Val::Empty, Val::Empty)
            };
            // Branch left empty: filled from the work order; a few cannot be.
            let branch_roll = self.rng.unit();
            let (branch, order_val, rejected) = if branch_roll < 0.05 {
                (Val::Empty, t(order_id.clone()), false)
            } else if branch_roll < 0.053 {
                (Val::Empty, t(format!("WX{:08}", 90_000_000 + i)), true)
            } else {
                (t(self.branches[b]), t(order_id.clone()), false)
            };
            let mut vals = vec![
                t(format!("HF{}{:06}", when.format("%Y%m"), i + 1)),
                order_val,
                branch,
                date_val(when, if i % 2 == 0 { DateStyle::Slash } else { DateStyle::Dash }),
                t(result),
                sat,
                timely,
                attitude,
                reason,
            ];
            let bad_time = !rejected && self.rng.chance(0.004);
            if bad_time {
                vals[3] = t("十月五日");
            }
            let fate = if rejected || bad_time {
                Fate::Rejected
            } else if self.o.month.contains(when) {
                Fate::Used
            } else {
                Fate::OutOfPeriod
            };
            out.data(&vals, fate)?;
        }
        out.finish(&self.o.out, &mut self.truth)?;
        self.truth.surveys = self.truth.sheets.last().map_or(0, |s| s.used);
        Ok(())
    }
}

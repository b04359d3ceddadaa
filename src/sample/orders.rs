//! Work orders: faults (with mass-fault incidents), installs and complaints.

use chrono::{Duration, NaiveDateTime};

use super::sinks::{date_val, t, DateStyle, Enc, FileOut, Val};
use super::*;

impl Gen<'_> {
    fn order_header() -> Vec<Val> {
        [
            "工单编号",
            "工单类型",
            "所属分公司",
            "产品",
            "用户号码",
            "受理时间",
            "承诺时间",
            "修复时间",
            "责任部门",
            "故障现象",
            "故障原因",
            "是否预处理",
            "局站",
        ]
        .map(t)
        .to_vec()
    }

    pub(super) fn faults(&mut self) -> anyhow::Result<()> {
        let n = self.n(420.0);
        let file_name = format!("故障工单-{}.xlsx", self.stamp());
        let mut main = self.file(&file_name, Enc::Gbk);
        let mut supplement: Vec<(GenOrder, Fate)> = Vec::new();
        let sheets: [(&str, &[(&str, f64)]); 2] = [
            ("宽带故障", &[("E8", 5.0), ("E8-2", 2.0), ("E6", 1.0), ("E9", 2.0), ("ADSL", 3.0), ("iTV", 1.0)]),
            ("固话及C网故障", &[("固话", 2.0), ("C网", 1.0)]),
        ];
        let mut seq = 0;
        let mut customers: Vec<Vec<String>> = vec![Vec::new(); 8];
        for (si, (sheet, products)) in sheets.iter().enumerate() {
            if main.csv && si > 0 {
                main.finish(&self.o.out, &mut self.truth)?;
                main = self.file(&format!("故障工单-{}-{}.csv", self.stamp(), sheet), Enc::Gbk);
            }
            main.sheet(sheet)?;
            main.sink
                .title(&format!("资阳电信{}年{}月{}工单明细", self.o.month.year, self.o.month.month, sheet), 12)?;
            main.sink.blank();
            main.sink.row(&Self::order_header())?;
            let count = if si == 0 { n * 4 / 5 } else { n - n * 4 / 5 };
            let count = count.min(self.rows_per_sheet());
            for _ in 0..count {
                let pi = {
                    let idx: Vec<(usize, f64)> = products.iter().enumerate().map(|(i, p)| (i, p.1)).collect();
                    *self.rng.weighted(&idx)
                };
                let product = products[pi].0;
                let slot = (si * 6 + pi) % customers.len();
                // Out of period: reported in the days before the month, or on the 1st of the next.
                let fate_roll = self.rng.unit();
                let created = if fate_roll < 0.02 {
                    self.o.month.start() - Duration::hours(1 + self.rng.below(240) as i64)
                } else if fate_roll < 0.025 {
                    self.o.month.end() + Duration::hours(self.rng.below(20) as i64)
                } else {
                    self.time_in_month()
                };
                let in_period = self.o.month.contains(created);
                let b = self.branch();
                let repeat = self.rng.chance(0.03 + 0.06 * (1.0 - self.skill[b])) && !customers[slot].is_empty();
                let customer = if repeat {
                    let c = &customers[slot];
                    c[self.rng.below(c.len())].clone()
                } else {
                    // New customers are drawn from pools that grow with the month past the
                    // province's size (a group has 30 provinces' customers, not one's): with
                    // fixed pools, chance collisions made repeat customers grow with the
                    // square of the reports. A province month and smaller draw as before.
                    let pools = (self.o.scale / 667.0).ceil().max(1.0) as usize;
                    let id = match product {
                        "固话" => format!("0832{:07}", self.rng.below(9_999_999 * pools)),
                        "C网" => format!("{}", 13_308_000_000u64 + self.rng.below(999_999 * pools) as u64),
                        _ => format!(
                            "zy{}{:07}",
                            product.to_lowercase().replace('-', ""),
                            self.rng.below(9_999_999 * pools)
                        ),
                    };
                    customers[slot].push(id.clone());
                    id
                };
                seq += 1;
                let mut order = self.fault_order(seq, b, product, &customer, created);
                order.in_period = in_period;
                let bad = self.rng.chance(0.005);
                if bad {
                    match self.rng.below(3) {
                        0 => order.vals[4] = t("-"),
                        1 => order.vals[5] = t(format!("{}-{:02}-32 09:00", self.o.month.year, self.o.month.month)),
                        _ => order.vals[2] = Val::Empty,
                    }
                    main.data(&order.vals, Fate::Rejected)?;
                    continue;
                }
                // Re-exports: an identical copy, or a copy completed later (a conflict).
                let roll = self.rng.unit();
                if in_period && roll < 0.015 {
                    main.data(&order.vals, if in_period { Fate::Used } else { Fate::OutOfPeriod })?;
                    supplement.push((order.clone(), Fate::Duplicate));
                } else if in_period && roll < 0.02 && order.completed.is_some() {
                    // The main export has the earlier completion: its row is the duplicate.
                    main.data(&order.vals, Fate::Duplicate)?;
                    let mut later = order.clone();
                    let done = order.completed.map(|d| d + Duration::minutes(30 + self.rng.below(600) as i64));
                    later.vals[order.completed_col.unwrap_or(7)] = done.map_or(Val::Empty, Val::Date);
                    supplement.push((later, Fate::Used));
                } else {
                    main.data(&order.vals, if in_period { Fate::Used } else { Fate::OutOfPeriod })?;
                }
                if in_period {
                    self.survey_targets.push((order.id.clone(), order.branch));
                }
            }
            if si == 0 {
                self.incidents(&mut main, &mut customers[0], &mut seq)?;
            }
        }
        if !main.csv {
            // A sheet of notes that is not data: reported as matching no kind.
            main.sheet("说明")?;
            main.sink.row(&[t("本表由综合服务保障系统导出，仅供内部质量分析使用。")])?;
            main.sink.row(&[t("导出时间"), t(format!("{}-01 02:00", self.o.month.next()))])?;
        }
        main.finish(&self.o.out, &mut self.truth)?;
        let mut sup = self.file(&format!("故障工单-补充导出-{}.xlsx", self.stamp()), Enc::Gbk);
        sup.sheet("Sheet1")?;
        sup.sink.row(&Self::order_header())?;
        for (order, fate) in supplement {
            sup.data(&order.vals, fate)?;
        }
        sup.finish(&self.o.out, &mut self.truth)?;
        Ok(())
    }

    /// Mass faults (SPEC §7.4): bursts of E8 reports at one site, a few minutes apart, all
    /// restored together; one customer in five had reported before (a repeat caused by the
    /// outage). Then a near miss: a burst one customer short of `incidents.min_customers`.
    fn incidents(&mut self, main: &mut FileOut, known: &mut Vec<String>, seq: &mut usize) -> anyhow::Result<()> {
        let n = (2.0 * self.o.scale.sqrt()).round().max(1.0) as usize;
        let days = self.o.month.days() as usize;
        for k in 0..=n {
            let near_miss = k == n;
            let b = self.branch();
            let site = format!("{}{}", site_stem(self.branches[b]), 5300 + k);
            let customers = if near_miss { 19 } else { 20 + self.rng.below(30) };
            let day = self.rng.below(days.saturating_sub(2).max(1)) as i64;
            let mut created = self.o.month.start()
                + Duration::days(day)
                + Duration::hours(8 + self.rng.below(10) as i64)
                + Duration::minutes(self.rng.below(60) as i64);
            let restored_after = Duration::minutes(90 + self.rng.below(240) as i64);
            let restored = created + restored_after;
            let phenomenon = *self.rng.pick(&["无法上网", "频繁掉线"]);
            let mut seen = std::collections::HashSet::new();
            for _ in 0..customers {
                let earlier =
                    (!known.is_empty() && self.rng.chance(0.2)).then(|| known[self.rng.below(known.len())].clone());
                let customer = if let Some(c) = earlier.filter(|c| !seen.contains(c)) {
                    c
                } else {
                    let id = format!("zye8{:07}", self.rng.below(9_999_999));
                    known.push(id.clone());
                    id
                };
                seen.insert(customer.clone());
                *seq += 1;
                let mut order = self.fault_order(*seq, b, "E8", &customer, created);
                // Restored together when the site comes back (the last report may be later).
                let done = restored.max(created + Duration::minutes(10));
                order.vals[7] = Val::Date(done);
                order.vals[9] = t(phenomenon);
                order.vals[10] = t("设备故障");
                order.vals[12] = t(site.clone());
                main.data(&order.vals, Fate::Used)?;
                self.survey_targets.push((order.id.clone(), order.branch));
                created += Duration::minutes(1 + self.rng.below(12) as i64);
            }
        }
        Ok(())
    }

    fn fault_order(&mut self, seq: usize, b: usize, product: &str, customer: &str, created: NaiveDateTime) -> GenOrder {
        let skill = self.skill[b];
        let hours = self.rng.lognormal(4.0 + 6.0 * (1.0 - skill), 0.8).min(24.0 * 12.0);
        let mut completed = Some(created + Duration::seconds((hours * 3600.0) as i64));
        if self.rng.chance(0.03) || completed.is_some_and(|c| c >= self.o.month.end() + Duration::days(1)) {
            completed = None; // still open at export time
        }
        let phenomena: &[&str] = match product {
            "固话" => &["无拨号音", "杂音", "单通", "无法呼出"],
            "C网" => &["无信号", "通话断续", "无法上网"],
            "iTV" => &["IPTV无画面", "画面卡顿", "无法开机"],
            _ => &["无法上网", "网速慢", "频繁掉线", "无法拨号"],
        };
        let causes: &[(&str, f64)] = &[
            ("查中自复", 17.0),
            ("用户方网线故障", 15.0),
            ("光电转换器故障", 9.0),
            ("光猫故障", 12.0),
            ("线路故障", 14.0),
            ("设备故障", 8.0),
            ("不明原因", 4.0),
            ("用户原因", 10.0),
            ("欠费停机", 3.0),
        ];
        let id = format!("GZ{}{:07}", created.format("%Y%m"), seq);
        let commit =
            if self.rng.chance(0.1) { date_val(created + Duration::hours(24), DateStyle::Cell) } else { Val::Empty };
        let customer_val = if product == "C网" { Val::Num(customer.parse().unwrap_or(0.0)) } else { t(customer) };
        let done_val = completed.map_or_else(|| if self.rng.chance(0.5) { Val::Empty } else { t("NULL") }, Val::Date);
        let vals = vec![
            t(id.clone()),
            t(*self.rng.pick(&["故障", "障碍", "宽带故障", "申告"])),
            t(self.branches[b]),
            t(product),
            customer_val,
            date_val(created, DateStyle::Cell),
            commit,
            done_val,
            t(format!("{}装维部", self.branches[b].trim_end_matches("分公司"))),
            t(*self.rng.pick(phenomena)),
            if completed.is_some() { t(*self.rng.weighted(causes)) } else { Val::Empty },
            t(if self.rng.chance(0.3 + 0.4 * skill) { "是" } else { "否" }),
            // Broadband reports mostly name their access site; phones are placed by number.
            if !matches!(product, "固话" | "C网") && self.rng.chance(0.6) {
                t(format!("{}{}", site_stem(self.branches[b]), 5000 + self.rng.below(200)))
            } else {
                Val::Empty
            },
        ];
        GenOrder { id, branch: b, vals, completed_col: Some(7), completed, in_period: true }
    }

    pub(super) fn installs(&mut self) -> anyhow::Result<()> {
        let n = self.n(200.0).min(self.rows_per_sheet());
        let other = self.n(30.0);
        let mut out = self.file(&format!("装移机工单-{}.xlsx", self.stamp()), Enc::Gbk);
        out.sheet("装移机")?;
        out.sink.row(
            &["工单号", "工单类型", "分公司", "产品类型", "业务号码", "派单时间", "预约时间", "竣工时间", "处理部门"]
                .map(t),
        )?;
        for i in 0..n + other {
            let b = self.branch();
            let created = self.time_in_month();
            let is_other = i >= n;
            let kind = if is_other { "拆机" } else { *self.rng.pick(&["新装", "移机", "装移机", "新装"]) };
            let product = *self.rng.pick(&["E8", "E8", "E9", "iTV", "固话", "E6"]);
            let appointed = !is_other && self.rng.chance(0.93 + 0.05 * self.skill[b]);
            let appt = created + Duration::hours(24 + 24 * self.rng.below(4) as i64);
            let date_only = self.rng.chance(0.3);
            let appt_val = if !appointed {
                Val::Empty
            } else if date_only {
                t(appt.format("%Y-%m-%d").to_string())
            } else {
                date_val(appt, DateStyle::Cell)
            };
            let deadline = if date_only { appt.date().and_hms_opt(23, 59, 59).unwrap_or(appt) } else { appt };
            let late = self.rng.chance(0.01 + 0.06 * (1.0 - self.skill[b]));
            let done = if late {
                deadline + Duration::hours(2 + self.rng.below(72) as i64)
            } else {
                appt - Duration::minutes(30 + self.rng.below(600) as i64)
            };
            let done = done.max(created + Duration::hours(1));
            let done_val =
                if self.rng.chance(0.05) || done >= self.o.month.end() { Val::Empty } else { Val::Date(done) };
            let style = if i % 4 == 0 { DateStyle::Chinese } else { DateStyle::Cell };
            let mut vals = vec![
                t(format!("ZJ{}{:06}", created.format("%Y%m"), i + 1)),
                t(kind),
                t(self.branches[b]),
                t(product),
                Val::Num(18_000_000_000.0 + self.rng.below(900_000_000) as f64),
                date_val(created, style),
                appt_val,
                done_val,
                t(format!("{}客户经理部", self.branches[b].trim_end_matches("分公司"))),
            ];
            let bad = self.rng.chance(0.004);
            if bad {
                vals[6] = t("待定");
            }
            out.data(&vals, if bad { Fate::Rejected } else { Fate::Used })?;
            if !bad && !is_other {
                self.survey_targets.push((vals[0].text(), b));
            }
        }
        out.finish(&self.o.out, &mut self.truth)?;
        Ok(())
    }

    pub(super) fn complaints(&mut self) -> anyhow::Result<()> {
        let n = self.n(100.0).min(self.rows_per_sheet());
        let mut out = self.file(&format!("投诉工单-{}.xlsx", self.stamp()), Enc::Gbk);
        out.sheet("投诉明细")?;
        out.sink.title(&format!("{}年{}月投诉工单明细", self.o.month.year, self.o.month.month), 12)?;
        out.sink.row(
            &[
                "受理单号",
                "单据类型",
                "区县分公司",
                "业务品牌",
                "客户号码",
                "受理时间",
                "要求完成时间",
                "归档时间",
                "承办部门",
                "投诉来源",
                "投诉分类",
                "是否有理由",
                "一次关单",
                "投诉内容",
                "处理结果",
                "回单规范",
                "人为差错",
            ]
            .map(t),
        )?;
        let channels: &[(&str, f64)] = &[
            ("10000号", 60.0),
            ("营业厅", 12.0),
            ("网上营业厅", 8.0),
            ("工信部", 1.5),
            ("省公司", 3.0),
            ("集团网站", 2.0),
            ("总经理热线", 2.5),
            ("12315", 1.0),
        ];
        let categories: &[(&str, f64)] = &[
            ("费用争议", 25.0),
            ("网络质量", 22.0),
            ("装维服务", 18.0),
            ("营业服务", 12.0),
            ("业务办理", 14.0),
            ("产品质量", 9.0),
        ];
        for i in 0..n {
            let b = self.branch();
            let created = self.time_in_month();
            let channel = *self.rng.weighted(channels);
            let dept = if self.rng.chance(0.25) {
                (*self.rng.pick(&["城区公众客户部", "客户服务部", "网络运维部"])).to_string()
            } else {
                self.branches[b].to_string()
            };
            let hours = self.rng.lognormal(12.0 + 16.0 * (1.0 - self.skill[b]), 0.6);
            let done = created + Duration::seconds((hours * 3600.0) as i64);
            let done_val =
                if done >= self.o.month.end() || self.rng.chance(0.02) { Val::Empty } else { Val::Date(done) };
            let style = if i % 5 == 0 { DateStyle::Compact } else { DateStyle::Cell };
            // Drawn in the order the row's cells were drawn before the texts existed.
            let product = *self.rng.pick(&["E8", "E9", "C网", "固话", "iTV"]);
            let customer = Val::Num(13_300_000_000.0 + self.rng.below(99_999_999) as f64);
            let category = *self.rng.weighted(categories);
            // The texts and the §7.1 flags come from their own stream, so every other column
            // (and every later file) is what it was before they existed.
            let mut words = Rng(self.o.seed ^ 0x7E57_CA5E ^ (i as u64).wrapping_mul(0x9E37_79B9));
            let (content, result) = complaint_text(&mut words, category);
            let closed = !matches!(done_val, Val::Empty);
            let vals = vec![
                t(format!("TS{}{:05}", created.format("%Y%m"), i + 1)),
                t("投诉"),
                t(self.branches[b]),
                t(product),
                customer,
                date_val(created, style),
                Val::Empty,
                done_val,
                t(dept),
                t(channel),
                t(category),
                t(if self.rng.chance(0.35) { "是" } else { "否" }),
                t(if self.rng.chance(0.85) { "是" } else { "否" }),
                t(content),
                if closed { t(result) } else { Val::Empty },
                if closed { t(if words.chance(0.9) { "是" } else { "否" }) } else { Val::Empty },
                t(if words.chance(0.06) { "是" } else { "否" }),
            ];
            out.data(&vals, Fate::Used)?;
            self.survey_targets.push((vals[0].text(), b));
        }
        out.finish(&self.o.out, &mut self.truth)?;
        self.truth.orders = self.truth.sheets.iter().filter(|s| s.file.contains("工单")).map(|s| s.used).sum();
        Ok(())
    }
}

#!/usr/bin/env python3
"""A peer for issue 33: what a data engineer would write instead of svcq, in polars (Python).

Computes the first-round metric set (SPEC §3: calls, install, fault, complaint, survey; per
branch and for the whole; install and fault per product too) from a folder of CSV exports as
`svcq sample --format csv` writes them (GBK or UTF-8 with BOM, title rows above the header,
aliased headers, mixed date-time forms, duplicates across files, rows of other months), and
writes one tidy CSV. No workbook, no HTML, no deck: the first round's figures only.

Tuned (session 14; the same 498 figures, byte-identical CSV): the files read on two threads,
dates parsed in their common form once and the other forms only where it fails, duplicates
dropped with `is_first_distinct`, repeat callers sorted on the number's 64-bit hash.

Usage: python3 benches/peers/polars_metrics.py DIR 2026-10 OUT.csv
Needs: pip install polars
"""

import glob
import io
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import polars as pl

ALIASES = {
    "call_id": ["呼叫流水号", "流水号", "呼叫ID", "话单号"],
    "start_time": ["来电时间", "呼入时间", "开始时间", "呼叫时间", "进线时间"],
    "answered": ["是否接通", "接通标志", "人工接通"],
    "talk": ["通话时长(秒)", "通话时长"],
    "wait": ["等待时长（秒）", "等待时长(秒)", "等待时长", "排队时长"],
    "resolved": ["是否一次解决", "一次解决"],
    "caller": ["主叫号码", "来电号码"],
    "order_id": ["工单号", "工单编号", "受理单号"],
    "order_type": ["工单类型", "单据类型"],
    "product": ["产品", "业务品牌", "产品类型"],
    "customer": ["用户号码", "客户号码", "业务号码"],
    "created": ["受理时间", "派单时间", "建单时间"],
    "deadline": ["承诺时间", "预约时间", "要求完成时间"],
    "completed": ["修复时间", "竣工时间", "归档时间", "完成时间"],
    "survey_id": ["回访流水号"],
    "surveyed": ["回访时间"],
    "contacted": ["回访结果", "是否接通"],
    "satisfaction": ["满意度"],
    "branch": ["分公司", "所属分公司", "区县分公司"],
}
# After normalising 2026/10/5, 2026.10.05 and 2026年10月5日 8时5分 to dashes and colons.
FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y%m%d%H%M%S", "%Y-%m-%d"]
TRUE = ["是", "1", "Y", "y", "成功", "接通", "true", "√"]
SATISFIED = ["非常满意", "满意", "基本满意"]
FAULT = ["故障", "障碍", "申告", "报障", "修障", "宽带故障"]
INSTALL = ["装机", "新装", "装移机", "移机", "开通"]


def read(path):
    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    lines = text.split("\n", 25)
    for skip, line in enumerate(lines[:20]):
        cells = [c.strip() for c in line.strip("\r").split(",")]
        if sum(1 for c in cells if any(c in a for a in ALIASES.values())) >= 3:
            break
    else:
        return None
    # Bytes, not a str: polars parses them on every core.
    df = pl.read_csv(io.BytesIO(text.encode("utf-8")), skip_rows=skip, infer_schema=False, truncate_ragged_lines=True)
    rename = {}
    for col in df.columns:
        for field, names in ALIASES.items():
            if col.strip() in names and field not in rename.values():
                rename[col] = field
                break
    return df.select(list(rename)).rename(rename)


def dt(col):
    """Every date form of the exports: normalised to dashes and colons, then four formats."""
    s = (
        pl.col(col).str.strip_chars()
        .str.replace_all(r"[/.年月]", "-")
        .str.replace_all("日", "")
        .str.replace_all("时", ":")
        .str.replace_all("分", "")
    )
    return pl.coalesce([s.str.to_datetime(f, strict=False) for f in FORMATS])


def with_dt(df, col, out):
    """`out` = `col` as a date-time: the common form parsed once over the column, the
    few other forms (`dt`) only on the rows it leaves empty."""
    df = df.with_columns(pl.col(col).str.to_datetime(FORMATS[0], strict=False).alias(out))
    miss = df.select((pl.col(out).is_null() & pl.col(col).is_not_null()).arg_true()).to_series()
    if len(miss):
        fixed = df[col].gather(miss).to_frame().select(dt(col)).to_series()
        df = df.with_columns(df[out].scatter(miss, fixed))
    return df


def rate(num, den):
    return pl.when(den > 0).then(num / den).otherwise(None)


def by_branch(df, aggs, products=False):
    whole = df.select(aggs).with_columns(branch=pl.lit(""), product=pl.lit(""))
    parts = [whole, df.group_by("branch").agg(aggs).with_columns(product=pl.lit(""))]
    if products:
        parts.append(df.group_by("product").agg(aggs).with_columns(branch=pl.lit("")))
    cols = ["branch", "product"] + [c for c in whole.columns if c not in ("branch", "product")]
    return pl.concat([p.select(cols) for p in parts])


def main(folder, month, out):
    t0 = time.perf_counter()
    start = pl.datetime(int(month[:4]), int(month[5:]), 1)
    end_y, end_m = (int(month[:4]) + (int(month[5:]) == 12), int(month[5:]) % 12 + 1)
    end = pl.datetime(end_y, end_m, 1)
    calls, orders, surveys = [], [], []
    paths = sorted(glob.glob(os.path.join(folder, "*.csv")))
    # Decoding holds the interpreter's lock, polars' parsing does not: two files at a time.
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        frames = list(pool.map(read, paths))
    for df in frames:
        if df is None:
            continue
        if "start_time" in df.columns:
            calls.append(df)
        elif "surveyed" in df.columns:
            surveys.append(df)
        elif "order_id" in df.columns:
            orders.append(df)
    t_read = time.perf_counter()
    calls = pl.concat(calls, how="diagonal")
    calls = calls.filter(pl.col("call_id").is_first_distinct())
    calls = with_dt(calls, "start_time", "t").filter((pl.col("t") >= start) & (pl.col("t") < end))
    calls = calls.with_columns(
        talk=pl.col("talk").cast(pl.Float64, strict=False),
        wait=pl.col("wait").cast(pl.Float64, strict=False),
    ).with_columns(
        ans=pl.col("answered").is_in(TRUE) | (pl.col("talk") > 0),
    )
    call_aggs = [
        pl.len().alias("calls.offered"),
        rate(pl.col("ans").sum(), pl.len()).alias("calls.answer_rate"),
        rate((pl.col("ans") & (pl.col("wait") <= 20)).sum(), pl.len()).alias("calls.service_level"),
        pl.col("wait").filter(pl.col("ans")).mean().alias("calls.asa_seconds"),
        pl.col("talk").filter(pl.col("ans")).mean().alias("calls.aht_seconds"),
        rate((pl.col("resolved") == "是").sum(), (pl.col("ans") & pl.col("resolved").is_not_null()).sum()).alias("calls.fcr_rate"),
    ]
    m_calls = by_branch(calls, call_aggs)
    # Repeat callers: another call from the same number within 48 hours. Sorted by the
    # number's hash and time, a call's neighbours are the same caller's calls before and
    # after (a 64-bit hash: sorting integers, not text; a collision in 2 M numbers is ~1e-7).
    same_prev = pl.col("k") == pl.col("k").shift(1)
    same_next = pl.col("k") == pl.col("k").shift(-1)
    hours = lambda a, b: (a - b).dt.total_hours() <= 48
    rc = calls.select("caller", "t", "branch").filter(pl.col("caller").is_not_null())
    rc = rc.with_columns(k=pl.col("caller").hash()).sort(["k", "t"]).with_columns(
        rep=(same_prev & hours(pl.col("t"), pl.col("t").shift(1))).fill_null(False)
        | (same_next & hours(pl.col("t").shift(-1), pl.col("t"))).fill_null(False),
        caller_no=(~same_prev.fill_null(False)).cum_sum(),
    )
    rc = rc.group_by("caller_no").agg(pl.col("branch").first(), pl.col("rep").any())
    m_rc = by_branch(rc, [rate(pl.col("rep").sum(), pl.len()).alias("calls.repeat_caller_rate")])

    orders = pl.concat(orders, how="diagonal")
    for col, name in [("created", "c"), ("deadline", "d"), ("completed", "done")]:
        orders = with_dt(orders, col, name)
    orders = orders.sort("done", nulls_last=False).unique("order_id", keep="last", maintain_order=False)
    orders = orders.filter((pl.col("c") >= start) & (pl.col("c") < end))
    kind = (
        pl.when(pl.col("order_type").is_in(FAULT)).then(pl.lit("fault"))
        .when(pl.col("order_type").is_in(INSTALL)).then(pl.lit("install"))
        .when(pl.col("order_type") == "投诉").then(pl.lit("complaint"))
        .otherwise(pl.lit("other"))
    )
    orders = orders.with_columns(kind=kind, product=pl.col("product").fill_null("未分类"))
    sla = pl.when(pl.col("kind") == "fault").then(24).when(pl.col("kind") == "complaint").then(48).otherwise(None)
    orders = orders.with_columns(
        due=pl.coalesce([pl.col("d"), pl.col("c") + pl.duration(hours=sla)]),
    ).with_columns(
        ontime=pl.col("done").is_not_null() & (pl.col("done") <= pl.col("due")),
        pending=pl.col("done").is_null() & (pl.col("due") >= end),
        hours=(pl.col("done") - pl.col("c")).dt.total_seconds() / 3600.0,
    )
    inst = orders.filter(pl.col("kind") == "install")
    m_inst = by_branch(inst, [
        pl.len().alias("install.orders"),
        rate(pl.col("d").is_not_null().sum(), pl.len()).alias("install.appointment_rate"),
        rate((pl.col("d").is_not_null() & pl.col("ontime")).sum(), (pl.col("d").is_not_null() & ~pl.col("pending")).sum()).alias("install.ontime_rate"),
    ], products=True)
    fault = orders.filter(pl.col("kind") == "fault")
    reports = fault.group_by(["branch", "product", "customer"]).len()
    m_fault = by_branch(fault, [
        pl.len().alias("fault.reports"),
        pl.col("customer").n_unique().alias("fault.customers"),
        rate(pl.col("ontime").sum(), (~pl.col("pending")).sum()).alias("fault.restore_ontime_rate"),
        pl.col("hours").mean().alias("fault.mean_restore_hours"),
        pl.col("hours").median().alias("fault.restore_hours_p50"),
        pl.col("hours").quantile(0.9).alias("fault.restore_hours_p90"),
    ], products=True)
    m_rep = by_branch(reports, [
        (pl.col("len") >= 2).sum().alias("fault.repeat_customers"),
        rate((pl.col("len") >= 2).sum(), pl.len()).alias("fault.repeat_rate"),
    ], products=True)
    comp = orders.filter(pl.col("kind") == "complaint")
    m_comp = by_branch(comp, [
        pl.len().alias("complaint.count"),
        rate(pl.col("ontime").sum(), (~pl.col("pending")).sum()).alias("complaint.ontime_rate"),
        pl.col("hours").mean().alias("complaint.mean_handle_hours"),
    ])
    surveys = pl.concat(surveys, how="diagonal")
    surveys = surveys.filter(pl.col("survey_id").is_first_distinct())
    surveys = with_dt(surveys, "surveyed", "t").filter((pl.col("t") >= start) & (pl.col("t") < end))
    surveys = surveys.with_columns(ok=pl.col("contacted").is_in(TRUE))
    m_surv = by_branch(surveys, [
        pl.len().alias("survey.attempted"),
        rate(pl.col("ok").sum(), pl.len()).alias("survey.contact_rate"),
        rate((pl.col("ok") & pl.col("satisfaction").is_in(SATISFIED)).sum(), (pl.col("ok") & pl.col("satisfaction").is_not_null()).sum()).alias("survey.satisfaction_rate"),
    ])
    tidy = []
    for m in [m_calls, m_rc, m_inst, m_fault, m_rep, m_comp, m_surv]:
        tidy.append(m.unpivot(index=["branch", "product"], variable_name="metric", value_name="value").with_columns(pl.col("value").cast(pl.Float64)))
    result = pl.concat(tidy)
    result.write_csv(out)
    t_end = time.perf_counter()
    print(f"polars {pl.__version__}: read {t_read - t0:.2f} s, metrics {t_end - t_read:.2f} s, total {t_end - t0:.2f} s, {result.height} rows", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])

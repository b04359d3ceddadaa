#!/usr/bin/env python3
"""A peer for issue 33: the first-round metric set in DuckDB SQL (see polars_metrics.py for
what is computed and from what). Python finds each file's header row and transcodes GBK to
UTF-8 (DuckDB reads UTF-8); everything else is SQL.

Tuned once (session 14): each file's body written as it is under the mapped header (no split
into lines), dates parsed in their common form first and the other forms only where it fails.
`first(branch)` of a caller is DuckDB's any row: the repeat-caller rate per branch moves in the
fifth decimal from run to run (the whole's does not).

Usage: python3 benches/peers/duckdb_metrics.py DIR 2026-10 OUT.csv
Needs: pip install duckdb
"""

import glob
import os
import sys
import tempfile
import time

import duckdb

sys.path.insert(0, os.path.dirname(__file__))
from polars_metrics import ALIASES  # noqa: E402  the same header aliases

TRUE = "('是','1','Y','y','成功','接通','true','√')"


def header(text):
    for skip, line in enumerate(text.split("\n", 25)[:20]):
        cells = [c.strip() for c in line.strip("\r").split(",")]
        if sum(1 for c in cells if any(c in a for a in ALIASES.values())) >= 3:
            return skip, cells
    return None, None


def main(folder, month, out):
    t0 = time.perf_counter()
    tmp = tempfile.mkdtemp()
    kinds = {"calls": [], "orders": [], "surveys": []}
    for path in sorted(glob.glob(os.path.join(folder, "*.csv"))):
        raw = open(path, "rb").read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        skip, cells = header(text)
        if skip is None:
            continue
        mapped = []
        for c in cells:
            field = next((f for f, names in ALIASES.items() if c in names), None)
            mapped.append(field if field and field not in mapped else f"x{len(mapped)}")
        # The body after the header row as it is (one find, no split into lines), under
        # the mapped header.
        at = 0
        for _ in range(skip + 1):
            at = text.index("\n", at) + 1
        utf8 = os.path.join(tmp, f"{len(os.listdir(tmp))}.csv")
        with open(utf8, "w", encoding="utf-8") as f:
            f.write(",".join(mapped) + "\n")
            f.write(text[at:])
        kind = "calls" if "start_time" in mapped else "surveys" if "surveyed" in mapped else "orders"
        kinds[kind].append(utf8)
    con = duckdb.connect()
    y, m = int(month[:4]), int(month[5:])
    start, end = f"{y}-{m:02d}-01", f"{y + (m == 12)}-{m % 12 + 1:02d}-01"
    # The common form first; the other forms (normalised, four formats) only where it fails
    # (COALESCE evaluates its later arguments only for the rows still NULL).
    dt = lambda c: (  # noqa: E731
        f"coalesce(try_strptime({c}, '%Y-%m-%d %H:%M:%S'), try_strptime(regexp_replace(replace(replace(replace(trim({c}), '日', ''), '时', ':'), '分', ''), '[/.年月]', '-', 'g'),"
        " ['%Y-%m-%d %H:%M:%S', '%Y-%m-%d %H:%M', '%Y%m%d%H%M%S', '%Y-%m-%d']))"
    )
    for kind, files in kinds.items():
        con.execute(
            f"CREATE TABLE raw_{kind} AS SELECT * FROM read_csv({files!r}, header=true, delim=',', quote='\"', escape='\"',"
            " all_varchar=true, union_by_name=true, null_padding=true, ignore_errors=true, strict_mode=false)"
        )
    t_read = time.perf_counter()
    con.execute(f"""
    CREATE TABLE calls AS SELECT * FROM (
      SELECT *, {dt('start_time')} AS t, try_cast(talk AS DOUBLE) AS talk_s, try_cast(wait AS DOUBLE) AS wait_s
      FROM raw_calls QUALIFY row_number() OVER (PARTITION BY call_id) = 1)
    WHERE t >= DATE '{start}' AND t < DATE '{end}';
    CREATE TABLE orders AS SELECT *,
      CASE WHEN order_type IN ('故障','障碍','申告','报障','修障','宽带故障') THEN 'fault'
           WHEN order_type IN ('装机','新装','装移机','移机','开通') THEN 'install'
           WHEN order_type = '投诉' THEN 'complaint' ELSE 'other' END AS kind
    FROM (SELECT *, {dt('created')} AS c, {dt('deadline')} AS d, {dt('completed')} AS done
          FROM raw_orders QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY done DESC NULLS LAST) = 1)
    WHERE c >= DATE '{start}' AND c < DATE '{end}';
    CREATE TABLE o AS SELECT *, coalesce(product, '未分类') AS prod,
      coalesce(d, c + CASE kind WHEN 'fault' THEN INTERVAL 24 HOUR WHEN 'complaint' THEN INTERVAL 48 HOUR END) AS due,
      epoch(done - c) / 3600.0 AS hours FROM orders;
    CREATE TABLE surveys AS SELECT * FROM (
      SELECT *, {dt('surveyed')} AS t FROM raw_surveys QUALIFY row_number() OVER (PARTITION BY survey_id) = 1)
    WHERE t >= DATE '{start}' AND t < DATE '{end}';
    """)
    q = f"""
    WITH c AS (SELECT *, (answered IN {TRUE} OR talk_s > 0) AS ans FROM calls),
    rc AS (SELECT caller, first(branch) AS branch, bool_or(rep) AS rep FROM (
             SELECT caller, branch,
               coalesce(t - lag(t) OVER w <= INTERVAL 48 HOUR, false)
                 OR coalesce(lead(t) OVER w - t <= INTERVAL 48 HOUR, false) AS rep
             FROM calls WHERE caller IS NOT NULL WINDOW w AS (PARTITION BY caller ORDER BY t))
           GROUP BY caller),
    f AS (SELECT *, done IS NOT NULL AND done <= due AS ontime, done IS NULL AND due >= DATE '{end}' AS pending FROM o)
    SELECT coalesce(branch, '') AS branch, '' AS product, 'calls.offered' AS metric, count(*)::DOUBLE AS value FROM c GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'calls.answer_rate', avg(ans::INT) FROM c GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'calls.service_level', avg((ans AND wait_s <= 20)::INT) FROM c GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'calls.asa_seconds', avg(wait_s) FILTER (ans) FROM c GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'calls.aht_seconds', avg(talk_s) FILTER (ans) FROM c GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'calls.fcr_rate', avg((resolved = '是')::INT) FILTER (ans AND resolved IS NOT NULL) FROM c GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'calls.repeat_caller_rate', avg(rep::INT) FROM rc GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'install.orders', count(*) FROM f WHERE kind = 'install' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'install.appointment_rate', avg((d IS NOT NULL)::INT) FROM f WHERE kind = 'install' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'install.ontime_rate', avg(ontime::INT) FILTER (d IS NOT NULL AND NOT pending) FROM f WHERE kind = 'install' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'fault.reports', count(*) FROM f WHERE kind = 'fault' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'fault.customers', count(DISTINCT customer) FROM f WHERE kind = 'fault' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'fault.restore_ontime_rate', avg(ontime::INT) FILTER (NOT pending) FROM f WHERE kind = 'fault' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'fault.mean_restore_hours', avg(hours) FROM f WHERE kind = 'fault' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'fault.restore_hours_p50', quantile_cont(hours, 0.5) FROM f WHERE kind = 'fault' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'fault.restore_hours_p90', quantile_cont(hours, 0.9) FROM f WHERE kind = 'fault' GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), coalesce(prod, ''), 'fault.repeat_rate', avg((n >= 2)::INT)
      FROM (SELECT branch, prod, customer, count(*) AS n FROM f WHERE kind = 'fault' GROUP BY ALL) GROUP BY GROUPING SETS ((), (branch), (prod))
    UNION ALL SELECT coalesce(branch, ''), '', 'complaint.count', count(*) FROM f WHERE kind = 'complaint' GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'complaint.ontime_rate', avg(ontime::INT) FILTER (NOT pending) FROM f WHERE kind = 'complaint' GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'complaint.mean_handle_hours', avg(hours) FROM f WHERE kind = 'complaint' GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'survey.attempted', count(*) FROM surveys GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'survey.contact_rate', avg((contacted IN {TRUE})::INT) FROM surveys GROUP BY ROLLUP(branch)
    UNION ALL SELECT coalesce(branch, ''), '', 'survey.satisfaction_rate', avg((satisfaction IN ('非常满意','满意','基本满意'))::INT)
      FILTER (contacted IN {TRUE} AND satisfaction IS NOT NULL) FROM surveys GROUP BY ROLLUP(branch)
    """
    n = con.execute(f"COPY ({q}) TO '{out}' (HEADER)").fetchone()
    import shutil

    shutil.rmtree(tmp, ignore_errors=True)
    t_end = time.perf_counter()
    print(f"duckdb {duckdb.__version__}: read {t_read - t0:.2f} s, metrics {t_end - t_read:.2f} s, total {t_end - t0:.2f} s, {n[0] if n else '?'} rows", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])

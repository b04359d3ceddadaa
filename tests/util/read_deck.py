#!/usr/bin/env python3
"""Read a deck back with an independent reader (python-pptx, openpyxl) and print it as JSON.

Used by tests/e2e/deck.rs: svcq writes the deck, this reads it. For every slide: its layout,
title and shapes (kind, position, size); a table's cell texts; a chart's type, categories and
series values from the chart part, and the same series read from the chart's embedded
workbook (what PowerPoint's "Edit data" shows), through the range the series refers to.

Usage: python3 read_deck.py DECK.pptx
Needs: pip install python-pptx==1.0.2 openpyxl
"""

import io
import json
import re
import sys

import openpyxl
from openpyxl.utils import range_boundaries
from pptx import Presentation

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def sheet_values(wb, formula):
    """The values of a range like 'Sheet'!$B$3:$B$10 in the embedded workbook."""
    m = re.match(r"^'?(.*?)'?!(.+)$", formula)
    if not m:
        return None
    name, rng = m.group(1).replace("''", "'"), m.group(2).replace("$", "")
    if name not in wb.sheetnames:
        return None
    ws = wb[name]
    c1, r1, c2, r2 = range_boundaries(rng)
    out = []
    for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True):
        out.extend(row)
    return out


def chart_of(shape):
    chart = shape.chart
    wb = None
    try:
        blob = chart.part.chart_workbook.xlsx_part.blob
        wb = openpyxl.load_workbook(io.BytesIO(blob), data_only=True)
    except Exception as e:  # noqa: BLE001 - reported, not hidden
        wb_error = str(e)
    else:
        wb_error = None
    series = []
    categories = []
    for plot in chart.plots:
        cats = [str(c) for c in plot.categories]
        if not categories:
            categories = cats
        for s in plot.series:
            f = s._element.find(f"{C}val/{C}numRef/{C}f")
            in_sheet = sheet_values(wb, f.text) if (wb is not None and f is not None) else None
            series.append(
                {
                    "name": s.name,
                    "values": [None if v is None else float(v) for v in s.values],
                    "categories": cats,
                    "formula": None if f is None else f.text,
                    "sheet_values": in_sheet,
                }
            )
    return {
        "type": str(chart.chart_type).split(" ")[0],
        "title": chart.chart_title.text_frame.text if chart.has_title else "",
        "categories": categories,
        "series": series,
        "workbook_error": wb_error,
    }


def main(path):
    prs = Presentation(path)
    out = {"width": prs.slide_width, "height": prs.slide_height, "slides": []}
    for slide in prs.slides:
        title = slide.shapes.title.text_frame.text if slide.shapes.title is not None else None
        shapes = []
        for sh in slide.shapes:
            d = {
                "name": sh.name,
                "x": sh.left,
                "y": sh.top,
                "w": sh.width,
                "h": sh.height,
                "placeholder": sh.is_placeholder,
            }
            if sh.has_chart:
                d["kind"] = "chart"
                d["chart"] = chart_of(sh)
            elif sh.has_table:
                d["kind"] = "table"
                d["cells"] = [[c.text for c in row.cells] for row in sh.table.rows]
            elif sh.has_text_frame:
                d["kind"] = "text"
                d["text"] = [p.text for p in sh.text_frame.paragraphs]
            else:
                d["kind"] = "other"
            shapes.append(d)
        out["slides"].append({"layout": slide.slide_layout.name, "title": title, "shapes": shapes})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])

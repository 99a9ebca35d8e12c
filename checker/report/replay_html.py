"""The replay report as one self-contained HTML page (inline CSS and SVG, no script): the
summary per trail, alarm and filter, and a chart of captured versus missed events per day.
Deterministic, like every other format; everything shown is escaped."""

from __future__ import annotations

from typing import Any

from checker.report import tool_info
from checker.report.html import TEMPLATES

CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 960, 220, 2


def day_chart(days: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked bars (captured, unknown, missed) per day, as SVG rectangles."""
    if not days:
        return {"bars": [], "width": CHART_WIDTH, "height": CHART_HEIGHT, "max": 0}
    top = max(d["captured"] + d["unknown"] + d["missed"] for d in days) or 1
    width = max(4.0, (CHART_WIDTH - BAR_GAP * len(days)) / len(days))
    bars = []
    for i, d in enumerate(days):
        x = i * (width + BAR_GAP)
        y = float(CHART_HEIGHT)
        rects = []
        for kind in ("captured", "unknown", "missed"):
            h = CHART_HEIGHT * d[kind] / top
            y -= h
            rects.append({"kind": kind, "y": round(y, 2), "h": round(h, 2), "n": d[kind]})
        bars.append({"day": d["day"], "x": round(x, 2), "w": round(width, 2), "rects": rects})
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "max": top}


def render_replay(summary: Any) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
    )  # fmt: skip
    doc = summary.to_json()
    return env.get_template("replay.html.j2").render(
        tool=tool_info(), s=doc, chart=day_chart(doc["days"])
    )

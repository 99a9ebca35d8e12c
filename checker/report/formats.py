"""One report by format name: `render(fmt, report, options)`. Each format's module is imported
only when that format is asked for (`scan` of one file must not import the HTML templates)."""

from __future__ import annotations

from collections.abc import Iterable

from checker.report import ScanReport, TextOptions

FORMATS = ("text", "json", "sarif", "junit", "markdown", "html")


def render_chunks(
    fmt: str, report: ScanReport, options: TextOptions | None = None
) -> Iterable[str]:
    """`render`'s text, in pieces for the formats that a large scan makes large (JSON, SARIF),
    so that it is written as it is made."""
    if fmt == "json":
        from checker.report import json_report

        return json_report.chunks(report)
    if fmt == "sarif":
        from checker.report import sarif

        return sarif.chunks(report)
    return (render(fmt, report, options),)


def render(fmt: str, report: ScanReport, options: TextOptions | None = None) -> str:
    if fmt == "text":
        from checker.report import text

        return text.render(report, options)
    if fmt == "json":
        from checker.report import json_report

        return json_report.render(report)
    if fmt == "sarif":
        from checker.report import sarif

        return sarif.render(report)
    if fmt == "junit":
        from checker.report import junit

        return junit.render(report)
    if fmt == "markdown":
        from checker.report import markdown

        return markdown.render(report)
    if fmt == "html":
        from checker.report import html

        return html.render(report)
    raise ValueError(f"unknown format {fmt!r}")

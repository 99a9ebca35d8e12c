"""The HTML report: self-contained, escaped, every section present, and it opens in a browser."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import replace
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    FieldSelector,
    Selectors,
    Trail,
    Unknown,
)
from checker.report import ScanReport
from checker.report.html import render, view
from checker.report.trail_cards import describe_selectors, trail_card
from tests.report.ci_sample import check_golden, sample_report

CHROMIUM = "/usr/bin/chromium"

TRAIL = Trail(
    id="arn:aws:cloudtrail:us-east-1:111122223333:trail/main",
    name="main",
    arn="arn:aws:cloudtrail:us-east-1:111122223333:trail/main",
    account_id="111122223333",
    home_region="us-east-1",
    is_multi_region=True,
    log_file_validation=True,
    selectors=Selectors("advanced", advanced=(
        AdvancedSelector((FieldSelector("eventCategory", equals=("Management",)),)),
        AdvancedSelector((
            FieldSelector("eventCategory", equals=("Data",)),
            FieldSelector("resources.type", equals=("AWS::S3::Object",)),
            FieldSelector("readOnly", equals=("false",)),
            FieldSelector("resources.ARN", starts_with=("arn:aws:s3:::payroll/",)),
        )),
    )),
)  # fmt: skip

COMPLIANCE = {
    "framework": "CIS-AWS-5.0", "slug": "cis-aws-5.0", "title": "CIS AWS Foundations 5.0",
    "summary": {"fail": 1, "unknown": 0, "pass": 1, "not_covered": 1},
    "controls": [
        {"id": "3.1", "title": "CloudTrail is enabled in all Regions", "rules": ["CT001"],
         "status": "pass", "why": "CT001 pass"},
        {"id": "3.2", "title": "Log file validation is enabled", "rules": ["CT002"],
         "status": "fail", "why": "CT002 fails on aws_cloudtrail.main"},
        {"id": "3.9", "title": "VPC flow logs", "rules": [], "status": "not_covered",
         "why": "no trailcheck rule judges this control"},
    ],
}  # fmt: skip

NOT_CHECKED = [
    {"account": "111122223333", "region": "us-east-1", "call": "s3:GetBucketPolicy",
     "target": "trail-logs", "error": "AccessDenied", "message": "Access Denied",
     "reason": "s3:GetBucketPolicy on trail-logs failed: AccessDenied"},
]  # fmt: skip


def audit_report(**extra: Any) -> ScanReport:
    base = sample_report()
    west = replace(
        TRAIL,
        id="arn:aws:cloudtrail:us-west-2:111122223333:trail/<west>",
        name="<west>",
        is_logging=Unknown("cloudtrail:GetTrailStatus failed: Throttling"),
        is_multi_region=False,
        selectors=Selectors.default(),
    )
    merged = {
        **base.extra,
        "trails": [trail_card(TRAIL), trail_card(west)],
        "not_checked": NOT_CHECKED,
        "compliance": COMPLIANCE,
        "audit": {"accounts": [{"account_id": "111122223333", "role_arn": None,
                                "status": "partial", "regions": ["us-east-1", "eu-west-1"]}],
                  "event_data_stores": []},
        **extra,
    }  # fmt: skip
    return replace(base, extra=merged)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("src", "href") and value and not value.startswith("#"):
                self.urls.append(value)


def parse(page: str) -> _Collect:
    p = _Collect()
    p.feed(page)
    return p


def test_self_contained_and_sections_present() -> None:
    page = render(audit_report())
    doc = parse(page)
    assert {
        "summary",
        "coverage-heatmap",
        "trails",
        "findings",
        "compliance",
        "not-checked",
    } <= doc.ids
    assert "script" not in doc.tags and "link" not in doc.tags and "img" not in doc.tags
    assert doc.urls == []  # no external asset, no link out
    assert "@media print" in page


def test_everything_is_escaped() -> None:
    page = render(audit_report())
    assert "<west>" not in page and "&lt;west&gt;" in page
    assert "<multi-region>" not in page  # from a finding message of the sample


def test_summary_and_worst_first() -> None:
    v = view(audit_report())
    assert v["summary"]["fail"] == 6 and v["verdict"] == "fail"
    severities = [f["severity"] for f in v["worst"] if f["status"] == "fail"]
    order = ["critical", "high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index)
    assert v["worst"][0]["rule_id"] == "CT120"  # the critical failure leads


def test_heatmap_cells() -> None:
    v = view(audit_report())
    cov = v["coverage"]
    assert cov["regions"] == ["us-east-1", "eu-west-1"]
    (unit,) = cov["units"]
    assert unit["unit"] == "infra"
    assert [r["id"] for r in unit["rows"]] == ["root-sign-in", "stop-logging"]  # critical only
    root = unit["rows"][0]["cells"]
    assert [c["cls"] for c in root] == ["alarm", "miss"]
    page = render(audit_report())
    assert 'class="cell alarm"' in page and 'class="cell miss"' in page


def test_coverage_not_computed_still_has_the_element() -> None:
    report = replace(
        audit_report(), extra={k: v for k, v in audit_report().extra.items() if k != "coverage"}
    )
    page = render(report)
    assert 'id="coverage-heatmap"' in page and "Coverage not computed" in page


def test_findings_grouped_by_severity_with_remediation() -> None:
    v = view(audit_report())
    assert [s["severity"] for s in v["severities"]] == ["critical", "high", "medium", "low"]
    high = next(s for s in v["severities"] if s["severity"] == "high")
    ct003 = next(r for r in high["rules"] if r["rule_id"] == "CT003")
    assert [fix["label"] for fix in ct003["remediation"]] == ["Terraform", "CloudFormation"]
    page = render(audit_report())
    assert "# fix CT003" in page and "<pre>" in page


def test_trail_cards_in_plain_words() -> None:
    page = render(audit_report())
    assert "S3 object writes under arn:aws:s3:::payroll/" in page
    assert "all management events (read and write)" in page
    assert "logging unknown" in page  # the west trail's status could not be read


def test_compliance_and_not_checked() -> None:
    page = render(audit_report())
    assert "CIS AWS Foundations 5.0" in page and "not covered" in page
    assert "s3:GetBucketPolicy" in page and "AccessDenied" in page


def test_a_scan_report_says_what_it_lacks() -> None:
    page = render(sample_report(coverage=False))
    assert "Coverage not computed" in page
    assert "This report carries no trail details." in page
    assert "does not come from a live audit" in page


def test_deterministic_and_golden() -> None:
    first, second = render(audit_report()), render(audit_report())
    assert first == second
    check_golden("report.html", first)


def test_describe_selectors_examples() -> None:
    assert describe_selectors(Selectors.default())[0].startswith(
        "all management events (read and write)"
    )
    everything = (DataResource("AWS::S3::Object", ("arn:aws:s3",)),)
    basic = Selectors(
        "basic", basic=(BasicSelector("ReadOnly", True, everything, ("kms.amazonaws.com",)),)
    )
    assert describe_selectors(basic) == [
        "read-only management events, except events from kms.amazonaws.com",
        "S3 object reads in all buckets",
    ]
    nothing = Selectors("basic", basic=(BasicSelector("All", False),))
    assert describe_selectors(nothing) == ["nothing (no management events and no data resources)"]
    assert describe_selectors(Unknown("denied")) == ["not known: denied"]


def test_every_bucket_of_another_partition_reads_as_every_bucket() -> None:
    """`arn:aws-cn:s3` (the China value for all buckets) showed as "under arn:aws-cn:s3"."""
    for value in ("arn:aws-cn:s3", "arn:aws-us-gov:s3:::"):
        everything = (DataResource("AWS::S3::Object", (value,)),)
        basic = Selectors("basic", basic=(BasicSelector("WriteOnly", False, everything),))
        assert describe_selectors(basic) == ["S3 object writes in all buckets"], value


def test_service_error_bodies_never_reach_the_page() -> None:
    """What could not be checked shows the error code and a short message, not a raw body."""
    body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>'
            "Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>" + "h" * 300
            + "</HostId></Error>")  # fmt: skip
    entries = [
        {**NOT_CHECKED[0], "message": body},
        {**NOT_CHECKED[0], "call": "logs:DescribeLogGroups", "error": "HTTP 502",
         "message": "<html><body><h1>502 Bad Gateway</h1>" + "<p>proxy</p>" * 50 + "</body>"},
        {**NOT_CHECKED[0], "call": "kms:GetKeyPolicy", "error": "ThrottlingException",
         "message": "Rate exceeded " * 40},
    ]  # fmt: skip
    page = render(audit_report(not_checked=entries))
    section = page.split('id="not-checked"')[1]
    assert "RequestId" not in section and "HostId" not in section and "&lt;" not in section
    assert "AccessDenied" in section and "Access Denied" in section
    assert "502 Bad Gateway" not in section and "HTTP 502" in section
    assert "Rate exceeded Rate exceeded" in section and "…" in section  # cut short


# ---------------------------------------------------------------------------------------------
# In a real browser. Chromium is a test requirement (.ci/run installs Debian's package); where it
# is missing the browser tests are skipped with a reason that tests/conftest.py repeats in the
# summary, and TRAILCHECK_REQUIRE_BROWSER=1 (set by .ci/run) makes the absence a failure.


def _chromium() -> str:
    path = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path is None:
        reason = ("BROWSER TEST NOT RUN: Chromium is not installed (Debian: apt-get install "
                  "chromium; .ci/run installs it)")  # fmt: skip
        if os.environ.get("TRAILCHECK_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _run_chromium(binary: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args,
    ]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def test_opens_in_headless_chromium(tmp_path: Path) -> None:
    binary = _chromium()
    page = tmp_path / "report.html"
    page.write_text(render(audit_report()), encoding="utf-8")
    url = page.as_uri()

    dom = _run_chromium(binary, tmp_path, "--enable-logging=stderr", "--v=0", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = parse(dom.stdout)
    assert "coverage-heatmap" in rendered.ids and "trails" in rendered.ids
    assert re.search(r'<td class="cell alarm"', dom.stdout)
    assert "Uncaught" not in dom.stderr and "CONSOLE" not in dom.stderr

    shot = tmp_path / "report.png"
    snap = _run_chromium(
        binary,
        tmp_path,
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        "--hide-scrollbars",
        url,
    )
    assert snap.returncode == 0, snap.stderr[-2000:]
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank image

    pdf = tmp_path / "report.pdf"
    printed = _run_chromium(
        binary, tmp_path, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url
    )
    assert printed.returncode == 0, printed.stderr[-2000:]
    assert pdf.read_bytes()[:5] == b"%PDF-"


# Appended to the page: every element that sticks out of the page's main column (or out of the
# window), other than inside the heatmap's own scroll box, is reported into the DOM.
_OVERFLOW_PROBE = """<script>
(function () {
  var main = document.querySelector("main").getBoundingClientRect();
  var out = [];
  document.querySelectorAll("main *").forEach(function (el) {
    if (el.closest(".heatmap-wrap") || el.closest("details:not([open])")) { return; }
    var r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) { return; }
    if (r.right > main.right + 1 || r.left < main.left - 1 || el.scrollWidth > el.clientWidth + 1
        && getComputedStyle(el).overflowX === "visible" && el.tagName !== "TABLE") {
      out.push(el.tagName + "." + el.className + ": " + el.textContent.slice(0, 60));
    }
  });
  if (document.documentElement.scrollWidth > window.innerWidth) {
    out.push("page scrolls sideways");
  }
  var p = document.createElement("pre");
  p.id = "overflow-probe";
  p.textContent = JSON.stringify(out);
  document.body.appendChild(p);
})();
</script>"""

# no hyphen after the Region: nothing a browser would break the line at on its own
LONG_ARN = ("arn:aws:cloudtrail:ap-southeast-2:111122223333:trail/OrganizationAuditTrailOfTheWhole"
            "EstateWithAVeryLongName0123456789abcdef0123456789abcdef")  # fmt: skip


@pytest.mark.parametrize("width", [1280, 700])
def test_nothing_overflows_in_headless_chromium(tmp_path: Path, width: int) -> None:
    """A screenshot at two widths: long ARNs wrap inside their cells, no element sticks out of
    the page, the page never scrolls sideways, and a service's raw error body never shows."""
    binary = _chromium()
    raw_body = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
                "<Message>Access Denied</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>")
    report = audit_report(
        trails=[trail_card(replace(TRAIL, id=LONG_ARN, arn=LONG_ARN))],
        not_checked=[{**NOT_CHECKED[0], "target": LONG_ARN.replace("cloudtrail", "s3"),
                      "message": raw_body}],
    )  # fmt: skip
    long_finding = replace(report.findings[0], resource=LONG_ARN, message="see " + LONG_ARN)
    report = replace(report, findings=(long_finding, *report.findings[1:]))
    page = render(report).replace("</body>", _OVERFLOW_PROBE + "</body>")
    assert LONG_ARN in page
    html = tmp_path / "report.html"
    html.write_text(page, encoding="utf-8")
    dom = _run_chromium(binary, tmp_path, f"--window-size={width},3000", "--dump-dom",
                        html.as_uri())  # fmt: skip
    assert dom.returncode == 0, dom.stderr[-2000:]
    probe = re.search(r'<pre id="overflow-probe">(.*?)</pre>', dom.stdout, re.DOTALL)
    assert probe is not None, "the probe did not run"
    assert json.loads(unescape(probe.group(1))) == []
    # what could not be checked: the error code and AWS's short message, not the raw body
    section = dom.stdout.split('id="not-checked"')[1].split("</section>")[0]
    assert "AccessDenied" in section and "Access Denied" in section
    assert "RequestId" not in section and "&lt;Error" not in section and "<Error" not in section
    shot = tmp_path / "report.png"
    snap = _run_chromium(binary, tmp_path, f"--screenshot={shot}", f"--window-size={width},2400",
                         "--hide-scrollbars", html.as_uri())  # fmt: skip
    assert snap.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"



def test_findings_of_several_units_name_their_unit(capsys: pytest.CaptureFixture[str]) -> None:
    """As the text and Markdown reports: two stages that use one module give findings alike but
    for their unit, so each finding names its unit; a one-unit scan's page names none."""
    shared = Path(__file__).resolve().parents[2] / "fixtures/regressions/shared-module-units"
    main(["scan", str(shared), "--no-config", "--format", "html"])
    page = capsys.readouterr().out
    found = re.findall(r'<div class="small muted">unit: ([^<]*)</div>', page)
    units = [u.rsplit("/", 2)[-2:] for u in found]
    # every finding shown appears once per stage
    assert units.count(["stages", "live"]) == units.count(["stages", "test"]) > 0
    assert len(units) == 2 * units.count(["stages", "live"])
    main(["scan", str(shared / "stages" / "live"), "--no-config", "--format", "html"])
    assert "unit: " not in capsys.readouterr().out

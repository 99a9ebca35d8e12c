from __future__ import annotations

import xml.etree.ElementTree as ET

from checker.findings import Finding
from checker.report import ScanReport
from checker.report.formats import render
from tests.report.ci_sample import TF, check_golden, finding, sample_report


def _parse(report: ScanReport) -> ET.Element:
    return ET.fromstring(render("junit", report).encode("utf-8"))


def _case(root: ET.Element, classname_prefix: str, name: str) -> ET.Element:
    for case in root.iter("testcase"):
        if case.get("classname", "").startswith(classname_prefix) and case.get("name") == name:
            return case
    raise AssertionError(f"no testcase {classname_prefix} {name}")


def test_golden() -> None:
    check_golden("report.junit.xml", render("junit", sample_report()))


def test_counts() -> None:
    root = _parse(sample_report())
    suite = root.find("testsuite")
    assert suite is not None
    # 11 findings, each a different (rule, resource, file): 1 pass, 6 fail, 1 unknown, 3 suppressed
    for element in (root, suite):
        assert element.get("tests") == "11"
        assert element.get("failures") == "6"
        assert element.get("skipped") == "4"
        assert element.get("errors") == "0"
    assert len(list(root.iter("testcase"))) == 11


def test_testcases() -> None:
    root = _parse(sample_report())
    failed = _case(root, "CT002 log-file-validation", "aws_cloudtrail.main")
    failure = failed.find("failure")
    assert failure is not None and failure.get("type") == "medium"
    assert f"{TF}:12: Log file validation is off" in (failure.text or "")
    unknown = _case(root, "CT030", "aws_kms_key.trail").find("skipped")
    assert unknown is not None and unknown.get("message", "").startswith("unknown: key arn:")
    suppressed = _case(root, "CT020", "aws_s3_bucket.logs").find("skipped")
    assert suppressed is not None
    assert "copies go to the audit account's locked bucket" in suppressed.get("message", "")
    passed = _case(root, "CT004", "aws_cloudtrail.main")
    assert list(passed) == []


def test_one_testcase_per_rule_and_resource() -> None:
    findings = (
        finding("CT002", "fail", "aws_cloudtrail.main", TF, 12, "first problem"),
        finding("CT002", "fail", "aws_cloudtrail.main", TF, 20, "second problem"),
        finding("CT002", "unknown", "aws_cloudtrail.main", TF, 22, "cannot tell"),
    )
    root = _parse(ScanReport(findings, ()))
    cases = list(root.iter("testcase"))
    assert len(cases) == 1 and root.get("tests") == "1" and root.get("failures") == "1"
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("message", "").startswith("2 failures")
    assert f"{TF}:12: first problem" in (failure.text or "")
    assert f"{TF}:20: second problem" in (failure.text or "")


def test_control_characters_still_parse() -> None:
    bad = Finding("CT002", "log-file-validation", "fail", "medium", "res\x01", TF, 1,
                  "bell\x07 & <x>")
    root = _parse(ScanReport((bad,), ()))
    failure = next(root.iter("failure"))
    assert failure.get("message") == "bell? & <x>"


def test_empty_report() -> None:
    root = _parse(ScanReport((), ()))
    assert root.get("tests") == "0" and root.find("testsuite") is not None

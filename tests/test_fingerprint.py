from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from checker.findings import Finding
from checker.fingerprint import fingerprint, normalize_message, scope_of

BASE = Finding("CT002", "log-file-validation", "fail", "medium", "aws_cloudtrail.main",
               "envs/prod/main.tf", 12, "Log file validation is off (set on line 12).")


def test_normalize_drops_line_references_only() -> None:
    assert normalize_message("see main.tf:12 and t.yaml:3:4") == "see main.tf and t.yaml"
    assert normalize_message("selector on line 14, column 3") == "selector on line"
    assert normalize_message("lines 3-5  are   odd") == "lines are odd"
    assert normalize_message("retention is 30 days, below 365") == "retention is 30 days, below 365"


def test_scope() -> None:
    assert scope_of("envs/prod/main.tf") == "envs/prod"
    assert scope_of("envs/prod/trail.tf.json") == "envs/prod"
    assert scope_of("main.tf") == "."
    assert scope_of("stack/trail.yaml") == "stack/trail.yaml"


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=100_000))
def test_line_moves_keep_the_fingerprint(line: int, mentioned: int) -> None:
    message = f"Log file validation is off (set on line {mentioned})."
    moved = replace(BASE, line=line, message=message)
    assert fingerprint(moved) == fingerprint(BASE)


def test_moving_between_files_of_a_module_keeps_the_fingerprint() -> None:
    assert fingerprint(replace(BASE, file="envs/prod/trail.tf")) == fingerprint(BASE)


def test_what_changes_the_fingerprint() -> None:
    others = [
        replace(BASE, rule_id="CT003"),
        replace(BASE, resource="aws_cloudtrail.other"),
        replace(BASE, message="Log file validation is unknown."),
        replace(BASE, file="envs/dev/main.tf"),  # same address in another module
    ]
    prints = {fingerprint(f) for f in others}
    assert len(prints) == len(others) and fingerprint(BASE) not in prints
    assert len(fingerprint(BASE)) == 64

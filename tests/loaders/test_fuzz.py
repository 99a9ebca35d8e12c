"""Fuzzing every loader family, and the log reader of `simulate --events`: mutated copies of the
fixtures never make an exception escape.

Each example takes a fixture of one input family, damages it the way real files get damaged
(a span cut out, a span repeated, bytes or characters of the format's syntax inserted, a line
ending changed), and scans it through the real entry point. Whatever the damage, the scan must
finish without an internal error: bad input is a CT000 naming the file. The example budget is
fixed and the examples are derandomized, so the suite stays fast and repeatable; a longer
campaign is `TRAILCHECK_FUZZ_EXAMPLES=2000 python -m pytest tests/loaders/test_fuzz.py`.
Inputs that once crashed are kept in fixtures/fuzz/ and replayed by test_regression_inputs.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.engine import evaluate, has_internal_errors, load_rules
from checker.loaders import LoadOptions, load_paths

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
EXAMPLES = int(os.environ.get("TRAILCHECK_FUZZ_EXAMPLES", "40"))
CAMPAIGN = "TRAILCHECK_FUZZ_EXAMPLES" in os.environ  # random examples, for a longer search

FAMILIES: dict[str, list[Path]] = {
    "terraform": sorted(FIXTURES.glob("example/*.tf")) + sorted(FIXTURES.glob("regressions/*/*.tf"))
    + [FIXTURES / "terraform/tfjson/main.tf.json"],
    "cloudformation": [FIXTURES / "cloudformation/complete.yaml",
                       FIXTURES / "cloudformation/intrinsics-long.json",
                       FIXTURES / "cloudformation/intrinsics-short.yaml"],
    "serverless": [FIXTURES / "serverless/function-events/serverless.yml",
                   FIXTURES / "serverless/audit-service/serverless.yml"],
    "plan": [FIXTURES / "terraform/plan/plan.json", FIXTURES / "equivalence/plan.json"],
    "awscli": sorted((FIXTURES / "awscli/joined").glob("*.json")),
    "snapshot": [FIXTURES / "snapshot/account.json"],
    "events": [FIXTURES / "eventbridge/cloudtrail-records.json"],
}  # fmt: skip
# Characters that matter to each syntax: the mutations insert these far more than letters.
SYNTAX = {
    "terraform": '{}[]()"=:.,$%~*#/\\\n<>?!&|-0123456789 ',
    "cloudformation": '{}[]":,-!&*|>#%@`\n \t0123456789',
    "serverless": '{}[]":,-!&*|>#%@`$()\'\n \t0123456789',
    "plan": '{}[]":,\\\n 0123456789-.eE',
    "awscli": '{}[]":,\\\n 0123456789-.eE',
    "snapshot": '{}[]":,\\\n 0123456789-.eE',
    "events": '{}[]":,\\\n 0123456789-.eE',
}


def _rules() -> list[object]:
    return list(load_rules())


RULES = _rules()


@st.composite
def mutated(draw: st.DrawFn, family: str) -> tuple[Path, bytes]:
    source = draw(st.sampled_from(FAMILIES[family]))
    data = bytearray(source.read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        i = draw(st.integers(0, len(data) - 1))
        j = draw(st.integers(i, min(len(data), i + 64)))
        kind = draw(st.sampled_from(["cut", "repeat", "insert", "byte", "crlf", "nest"]))
        if kind == "cut":
            del data[i:j]
        elif kind == "repeat":
            data[i:i] = data[i:j] * draw(st.integers(1, 3))
        elif kind == "insert":
            text = draw(st.text(alphabet=SYNTAX[family], min_size=1, max_size=8))
            data[i:i] = text.encode()
        elif kind == "byte":
            data[i] = draw(st.integers(0, 255))
        elif kind == "crlf":
            data = bytearray(bytes(data).replace(b"\n", b"\r\n"))
        else:  # deep nesting, the way a generator gone wrong writes it
            opener, closer = draw(st.sampled_from([(b"[", b"]"), (b"{", b"}"), (b"(", b")")]))
            depth = draw(st.integers(50, 5000))
            data[i:i] = opener * depth + closer * depth
    return source, bytes(data)


def _replay(tmp: Path, source: Path, data: bytes) -> None:
    """`simulate --events` on a damaged log file: a clear error or a summary, never a crash."""
    from checker.replay.engine import Options
    from checker.replay.run import replay_inputs
    from checker.simulator.replay import ReplayError

    target = tmp / source.name
    target.write_bytes(data)
    estate = load_paths([str(FIXTURES / "example")])
    try:
        run = replay_inputs(estate, [str(target)], engine="python", options=Options(keep=5))
    except ReplayError as e:
        assert source.name in str(e) or target.name in str(e), e  # names the file
        return
    # a damaged record is rejected by name, never simulated as if it were an event
    for result in run.results:
        event = result["event"]
        assert event["eventSource"] and event["eventName"], event


def _scan(tmp: Path, source: Path, data: bytes) -> None:
    folder = tmp / "case"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir()
    target = folder / source.name
    target.write_bytes(data)
    estate = load_paths([str(folder)], LoadOptions(cwd=str(tmp)))
    for d in estate.diagnostics:
        if d.rule_id == "CT000":
            assert d.location.file, d  # every input error names its file
    findings = evaluate(estate, RULES)  # type: ignore[arg-type]
    assert not has_internal_errors(findings), [f.message for f in findings
                                               if f.message.startswith("internal error")]


def _fuzz(family: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=not CAMPAIGN, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(case=mutated(family))
    def run(tmp_path_factory: pytest.TempPathFactory, case: tuple[Path, bytes]) -> None:
        source, data = case
        check = _replay if family == "events" else _scan
        check(tmp_path_factory.mktemp(family), source, data)

    run.hypothesis.inner_test.__name__ = f"fuzz_{family}"  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_no_exception_escapes_a_loader(
    family: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    assert all(p.is_file() for p in FAMILIES[family]), FAMILIES[family]
    _fuzz(family)(tmp_path_factory)  # type: ignore[func-returns-value]


REGRESSIONS = sorted(p for p in (FIXTURES / "fuzz").rglob("*")
                     if p.is_file() and p.name != "README.md")  # fmt: skip


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_regression_inputs(path: Path, tmp_path: Path) -> None:
    """Inputs the fuzzer once crashed on."""
    _scan(tmp_path, path, path.read_bytes())

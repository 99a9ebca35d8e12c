"""An input that cannot be read is skipped whole, named with its place and why, and counted; the
other inputs are replayed as if it were not there, by both engines alike (design.md, "Exit codes":
an input that cannot be read is reported and the rest still processed; exit code 2)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from checker.cli import main
from checker.replay.engine import Options, Run
from checker.replay.feed import Feeder, spool_dir
from checker.replay.run import replay_inputs
from checker.replay.sources import LogObject
from tests.replay.helpers import by_event_id, estate, write_jsonl
from tests.simulator.test_capture_properties import PLAIN

pytest.importorskip("duckdb")

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "fixtures" / "replay" / "logs"
DELIVERY = LOGS / "218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json"
GZIPPED = LOGS / "218007301253_CloudTrail_us-east-1_20230710T1150Z_1vnLavRRp0ek1mP4.json.gz"
CONFIG = REPO / "fixtures" / "replay" / "config"
ENGINES = ("python", "duckdb")
EST = estate([PLAIN], ['{ $.eventName = "StopLogging" }'])


def _compact(path: Path) -> bytes:
    """A delivery file as CloudTrail writes it: compact JSON (the feeder's fast path)."""
    return json.dumps(json.loads(path.read_text()), separators=(",", ":")).encode()


def _damage(kind: str, folder: Path) -> tuple[Path, dict[str, Any]]:
    """A damaged copy of a real delivery file, and what the report must say of it."""
    data = _compact(DELIVERY)
    records = json.loads(data)["Records"]
    if kind == "truncated-gzip":
        whole = gzip.compress(data)
        path = folder / "cut.json.gz"
        path.write_bytes(whole[: len(whole) // 2])
        return path, {"problem": "not a valid gzip file (the file is truncated)"}
    if kind == "corrupt-gzip":
        whole = bytearray(gzip.compress(data))
        whole[-8] ^= 0xFF  # the CRC
        path = folder / "crc.json.gz"
        path.write_bytes(bytes(whole))
        return path, {"problem": "not a valid gzip file"}
    if kind == "not-utf8":
        path = folder / "latin1.json"
        path.write_bytes(data.replace(b'"eventName":"', b'"eventName":"\xe9', 1))
        return path, {"line": 1, "problem": "not UTF-8 text (invalid byte 0xe9)"}
    if kind == "invalid-json":
        path = folder / "broken.json"
        path.write_bytes(data.replace(b'},{"eventVersion"', b'},{"eventVersion":,', 1))
        return path, {"line": 1, "problem": "not valid JSON"}
    if kind == "invalid-json-line":
        path = folder / "lines.jsonl"
        lines = [json.dumps(r, separators=(",", ":")) for r in records]
        lines.insert(3, '{"eventVersion": "1.08", "eventName": ')
        path.write_text("\n".join(lines) + "\n")
        return path, {"line": 4, "problem": "not valid JSON"}
    if kind == "not-an-object":
        path = folder / "array.json"
        path.write_text(json.dumps([records[0], 7, records[1]]))
        return path, {"problem": "record 2 is a JSON int, not an object"}
    if kind == "empty":
        path = folder / "empty.json.gz"
        path.write_bytes(b"")
        return path, {"problem": "the file is empty; expected CloudTrail records"}
    if kind == "empty-gzip":
        path = folder / "nothing.json.gz"
        path.write_bytes(gzip.compress(b""))
        return path, {"problem": "the file is empty; expected CloudTrail records"}
    if kind == "lone-surrogate":  # read raw by DuckDB from a compact delivery file
        path = folder / "surrogate.json"
        path.write_bytes(data.replace(b'"eventName":"', b'"eventName":"\\ud800', 1))
        return path, {"problem": "half a UTF-16 surrogate pair"}
    if kind == "lone-surrogate-line":
        path = folder / "surrogate.jsonl"
        lines = [json.dumps(r, separators=(",", ":")) for r in records]
        lines[2] = lines[2].replace('"userAgent":"', '"userAgent":"\\udc00', 1)
        path.write_text("\n".join(lines) + "\n")
        return path, {"problem": "half a UTF-16 surrogate pair"}
    if kind == "garbage-parquet":
        path = folder / "export.parquet"
        path.write_bytes(b"PAR1 not really")
        return path, {"problem": "not"}
    raise AssertionError(kind)


KINDS = ("truncated-gzip", "corrupt-gzip", "not-utf8", "invalid-json", "invalid-json-line",
         "not-an-object", "empty", "empty-gzip", "garbage-parquet", "lone-surrogate",
         "lone-surrogate-line")  # fmt: skip


def _run(engine: str, inputs: list[str] | list[LogObject]) -> Run:
    if inputs and isinstance(inputs[0], LogObject):
        from checker.replay.engine import DuckDBEngine, run_python
        from checker.replay.plan import build_plan

        plan = build_plan(EST)
        options = Options(keep=1 << 30)
        objs: Any = inputs
        if engine == "python":
            return run_python(plan, iter(objs), options)
        return DuckDBEngine(plan, options).execute(iter(objs))
    return replay_inputs(EST, inputs, engine=engine,  # type: ignore[arg-type]
                         options=Options(keep=1 << 30))  # fmt: skip


def _local(path: Path) -> LogObject:
    return LogObject(str(path), path.stat().st_size, lambda: path.open("rb"), str(path))


def _without_inputs(run: Run) -> dict[str, Any]:
    doc = run.summary.comparable()
    doc.pop("unreadable_inputs")
    return doc


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    shutil.copy(GZIPPED, folder)
    write_jsonl(folder / "more.jsonl", json.loads(DELIVERY.read_text())["Records"][:5])
    return folder


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_file_is_skipped_named_and_the_rest_replayed(
        kind: str, engine: str, good: Path, tmp_path: Path) -> None:  # fmt: skip
    for f in good.iterdir():
        shutil.copy(f, tmp_path)
    path, expected = _damage(kind, tmp_path)
    clean = _run(engine, [str(good)])
    run = _run(engine, [str(tmp_path)])
    assert run.summary.unreadable_count == 1
    (entry,) = run.summary.unreadable
    assert entry["file"] == str(path)
    assert expected["problem"] in entry["problem"]
    assert entry.get("line") == expected.get("line")
    assert not entry.get("partly_replayed")
    assert _without_inputs(run) == _without_inputs(clean)
    assert by_event_id(run) == by_event_id(clean)
    assert run.summary.files == clean.summary.files


@pytest.mark.parametrize("kind", KINDS)
def test_the_engines_agree_on_damaged_files(kind: str, good: Path, tmp_path: Path) -> None:
    for f in good.iterdir():
        shutil.copy(f, tmp_path)
    _damage(kind, tmp_path)
    python, duck = (_run(e, [str(tmp_path)]) for e in ENGINES)
    assert duck.summary.comparable() == python.summary.comparable()


@pytest.mark.parametrize("engine", ENGINES)
def test_several_damaged_files_mixed_with_good_ones(engine: str, good: Path,
                                                   tmp_path: Path) -> None:  # fmt: skip
    for f in good.iterdir():
        shutil.copy(f, tmp_path)
    for kind in KINDS:
        _damage(kind, tmp_path)
    (tmp_path / "folder.json.gz").mkdir()  # a folder named like a log file is a folder
    clean = _run(engine, [str(good)])
    run = _run(engine, [str(tmp_path)])
    assert run.summary.unreadable_count == len(KINDS)
    files = [e["file"] for e in run.summary.unreadable]
    assert files == sorted(files)
    assert _without_inputs(run) == _without_inputs(clean)
    assert by_event_id(run) == by_event_id(clean)


@pytest.mark.parametrize("engine", ENGINES)
def test_an_input_that_cannot_be_opened(engine: str) -> None:
    def denied() -> Any:
        raise PermissionError(13, "Permission denied", "secret.json")

    good = _local(DELIVERY)
    run = _run(engine, [LogObject("secret.json", 10, denied), good])
    assert run.summary.unreadable == [{"file": "secret.json",
                                       "problem": "cannot read: Permission denied"}]  # fmt: skip
    assert run.summary.events == len(json.loads(DELIVERY.read_text())["Records"])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bad_long_line_leaves_its_whole_file_out(engine: str, tmp_path: Path) -> None:
    """The feeder sets long lines aside for the Python evaluator: one that is no JSON object
    takes the other lines of its file out of the SQL too."""
    records = json.loads(DELIVERY.read_text())["Records"][:4]
    lines = [json.dumps(r) for r in records]
    lines.insert(2, '{"eventName": "' + "x" * 60_000)
    (tmp_path / "long.jsonl").write_text("\n".join(lines) + "\n")
    write_jsonl(tmp_path / "ok.jsonl", records[:1])
    run = _run(engine, [str(tmp_path)])
    assert [(e["file"], e.get("line")) for e in run.summary.unreadable] == [
        (str(tmp_path / "long.jsonl"), 3)]
    assert run.summary.events == 1


def test_the_feeder_takes_a_failed_input_back_out_of_its_chunk(tmp_path: Path) -> None:
    records = json.loads(DELIVERY.read_text())["Records"]
    ok = write_jsonl(tmp_path / "a.jsonl", records[:3])
    bad = tmp_path / "b.json.gz"
    whole = gzip.compress(b"".join(json.dumps(r).encode() + b"\n" for r in records))
    bad.write_bytes(whole[: len(whole) * 3 // 4])
    after = write_jsonl(tmp_path / "c.jsonl", records[3:5])
    objs = [_local(p) for p in (ok, bad, after)]
    spool = spool_dir()
    try:
        chunks = list(Feeder(spool).chunks(objs))
        (chunk,) = chunks
        assert [p.name for p in chunk.pieces] == [str(ok), str(after)]
        assert chunk.objects == 2
        assert [e["file"] for e in chunk.unreadable] == [str(bad)]
        assert Path(chunk.path or "").read_bytes().count(b"\n") == 5
        # a file longer than a chunk, damaged past its first chunk: the part handed on stays,
        # and the report says so
        chunks = list(Feeder(spool, chunk_bytes=2000).chunks(objs[1:2]))
        assert chunks[-1].unreadable[0]["partly_replayed"] is True
    finally:
        shutil.rmtree(spool, ignore_errors=True)


def test_the_command_reports_skipped_files_and_exits_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    shutil.copy(GZIPPED, tmp_path)
    path, _ = _damage("truncated-gzip", tmp_path)
    code = main(["simulate", str(CONFIG), "--events", str(tmp_path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2
    doc = json.loads(captured.out)
    assert doc["summary"]["unreadable_inputs"] == {"count": 1, "first": [
        {"file": str(path), "problem": "not a valid gzip file (the file is truncated)"}]}
    assert doc["summary"]["events"] > 0
    assert f"{path}: not a valid gzip file (the file is truncated) (skipped)" in captured.err
    assert "Traceback" not in captured.err
    code = main(["simulate", str(CONFIG), "--events", str(tmp_path)])
    assert code == 2
    assert "1 input file(s) could not be read and were skipped" in capsys.readouterr().out


def test_cost_leaves_unreadable_files_out_of_the_sample(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    shutil.copy(GZIPPED, tmp_path)
    path, _ = _damage("empty", tmp_path)
    code = main(["cost", str(CONFIG), "--events", str(tmp_path), "--format", "json"])
    captured = capsys.readouterr()
    assert code == 2
    assert json.loads(captured.out)["unreadable_inputs"]["first"][0]["file"] == str(path)
    assert os.fspath(path) in captured.err


@pytest.mark.parametrize(
    ("blocks", "lone_at"),
    [
        ([b'{"a":"x\\ud8', b'00y"}'], 7),  # cut inside the escape
        ([b'{"a":"x\\ud83d', b'"}'], 7),  # the high half last in its block, nothing after
        ([b'{"a":"\\ude00"}'], 6),  # a low half alone
        ([b'{"a":"\\ud83d', b'\\ude00", "b":"\\\\ud800"}'], None),  # a pair; an escaped backslash
        ([b'{"a":"\\u00e9"}', b""], None),
    ],
)
def test_the_feeder_finds_a_lone_surrogate_escape_across_block_boundaries(
    blocks: list[bytes], lone_at: int | None
) -> None:
    from checker.replay.feed import _without_lone_surrogates
    from checker.simulator.replay import ReplayError

    if lone_at is None:
        assert b"".join(_without_lone_surrogates("x.json", iter(blocks))) == b"".join(blocks)
        return
    with pytest.raises(ReplayError, match=f"x.json: byte {lone_at} holds an escape of half"):
        list(_without_lone_surrogates("x.json", iter(blocks)))

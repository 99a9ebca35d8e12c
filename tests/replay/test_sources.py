"""Inputs: files, folders, globs and s3:// in the delivery layout; the window prunes folders so
that files outside it are never opened; S3 reads go through the read-only guard."""

from __future__ import annotations

import gzip
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from checker.aws_readonly import ReadOnlyViolation
from checker.replay.sources import Window, discover, guarded_s3, layout
from checker.simulator.replay import ReplayError

# names of our own: moto's state is shared by every emulator in the process (tests/live too)
BUCKET, E2E = "trailcheck-replay-test-logs", "trailcheck-replay-test-e2e"
REC = {"eventVersion": "1.09", "eventSource": "ec2.amazonaws.com", "eventName": "RunInstances",
       "awsRegion": "us-east-1", "eventID": "e1", "eventTime": "2026-11-02T10:00:00Z"}  # fmt: skip


def _delivery(path: Path, n: int = 2) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    recs = [{**REC, "eventID": f"{path.name}-{i}"} for i in range(n)]
    path.write_bytes(gzip.compress(json.dumps({"Records": recs}, separators=(",", ":")).encode()))
    return path


def _layout(root: Path) -> list[Path]:
    files = []
    for account in ("111122223333", "444455556666"):
        for region in ("us-east-1", "eu-west-1"):
            for day in ("01", "02", "03"):
                d = root / "AWSLogs" / "o-abcdefghij" / account / "CloudTrail" / region / "2026" \
                    / "11" / day  # fmt: skip
                files.append(_delivery(d / f"{account}_CloudTrail_{region}_202611{day}.json.gz"))
    org = root / "AWSLogs" / "o-abcdefghij"
    digest = org / "111122223333" / "CloudTrail-Digest" / "x.json.gz"
    files.append(_delivery(digest))
    (root / "README.md").write_text("not a log")
    return files


def test_layout_parses_organization_and_account_paths() -> None:
    where = layout(["b", "AWSLogs", "o-abcdefghij", "111122223333", "CloudTrail", "eu-west-1",
                    "2026", "11", "02"])
    assert (where.account, where.region, where.year, where.month, where.day) == (
        "111122223333", "eu-west-1", 2026, 11, 2)
    assert layout(["x", "AWSLogs", "111122223333", "CloudTrail-Digest"]).skip
    assert layout(["logs", "file.json"]).account is None


def test_window_prunes_folders_and_never_opens_files_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _layout(tmp_path)
    everything = [o.name for o in discover([str(tmp_path)])]
    assert len(everything) == 12  # no digest, no README
    listed: list[str] = []
    real_walk = __import__("os").walk

    def walk(top: str, *a: Any, **k: Any) -> Iterator[Any]:
        for root, dirs, files in real_walk(top, *a, **k):
            listed.append(root)
            yield root, dirs, files

    monkeypatch.setattr("checker.replay.sources.os.walk", walk)
    window = Window(date(2026, 11, 2), date(2026, 11, 2), frozenset({"444455556666"}),
                    frozenset({"eu-west-1"}))  # fmt: skip
    chosen = [o.name for o in discover([str(tmp_path)], window)]
    assert len(chosen) == 1 and "444455556666_CloudTrail_eu-west-1_20261102" in chosen[0]
    assert not any("111122223333" in d or "us-east-1" in d or d.endswith("/01") for d in listed)


def test_globs_files_and_errors(tmp_path: Path) -> None:
    files = _layout(tmp_path)
    assert len(list(discover([str(tmp_path / "**" / "*_us-east-1_*.json.gz")]))) == 6
    assert [o.name for o in discover([str(files[0])])] == [str(files[0])]
    with pytest.raises(ReplayError, match="no file matches"):
        list(discover([str(tmp_path / "*.parquet")]))
    with pytest.raises(ReplayError, match="No such file"):
        list(discover([str(tmp_path / "missing")]))


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    pytest.importorskip("moto.server")
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _s3(url: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip


def test_s3_inputs_are_read_through_the_guard(moto_url: str, tmp_path: Path) -> None:
    setup = _s3(moto_url)
    setup.create_bucket(Bucket=BUCKET)
    for path in _layout(tmp_path):
        key = path.relative_to(tmp_path).as_posix()
        setup.put_object(Bucket=BUCKET, Key=f"prefix/{key}", Body=path.read_bytes())
    window = Window(date(2026, 11, 3), None, frozenset({"111122223333"}), frozenset())
    calls: list[tuple[str, str]] = []

    def recorded() -> Any:  # every request the replay makes: (operation, prefix or key)
        client = _s3(moto_url)
        def note(model: Any, params: dict[str, Any], **_: Any) -> None:
            calls.append((model.name, params.get("Prefix", params.get("Key", ""))))

        client.meta.events.register("before-parameter-build.s3", note)
        return client

    objects = list(discover([f"s3://{BUCKET}/prefix/"], window, s3=recorded))
    assert len(objects) == 2 and all("/11/03/" in o.name for o in objects)
    from checker.simulator.replay import iter_stream_records

    with objects[0].open() as stream:
        assert len(list(iter_stream_records(objects[0].name, stream))) == 2
    # the window pruned the listing: no other account's folder and no other day was listed, and
    # the only object read is the one opened
    listed = [p for op, p in calls if op == "ListObjectsV2"]
    assert listed and not any("444455556666/" in p or p.endswith(("/01/", "/02/"))
                              for p in listed)  # fmt: skip
    assert [k for op, k in calls if op == "GetObject"] == [objects[0].name.split("/", 3)[3]]
    client = guarded_s3(lambda: _s3(moto_url))
    with pytest.raises(ReadOnlyViolation):
        client.put_object(Bucket=BUCKET, Key="x", Body=b"")
    with pytest.raises(ReplayError, match="cannot list"):
        list(discover(["s3://no-such-bucket/"], s3=lambda: _s3(moto_url)))


def test_replay_of_s3_logs_end_to_end(moto_url: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    from checker.cli import main

    setup = _s3(moto_url)
    setup.create_bucket(Bucket=E2E)
    path = _delivery(tmp_path / "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/f.json.gz")
    setup.put_object(Bucket=E2E, Key="AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/02/"
                     "f.json.gz", Body=path.read_bytes())  # fmt: skip
    for name, value in (("AWS_ENDPOINT_URL", moto_url), ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    config = str(Path(__file__).resolve().parents[2] / "fixtures" / "replay" / "config")
    assert main(["simulate", config, "--events", f"s3://{E2E}/", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["events"] == 2

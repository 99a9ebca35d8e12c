"""Where the records come from: files, folders, globs and `s3://bucket/prefix`, in the layout
CloudTrail delivers to S3, `AWSLogs/[<org-id>/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/`
(CloudTrail UG, "Finding your CloudTrail log files"; organization trails add the organization
id). The window (`--start`/`--end`, `--account`, `--log-region`) is applied to the layout's
folders while walking: a folder outside it is not listed and its files are never opened.
Files outside the layout are always read, and filtered by nothing.

S3 is read through boto3 with the audit's read-only guard (checker/aws_readonly.py), allowing
only ListObjectsV2 and GetObject; the client comes from an injected factory.
"""

from __future__ import annotations

import glob
import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from checker.simulator.replay import ReplayError

LOG_SUFFIXES = (".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".gz",
                ".parquet")  # fmt: skip
LOG_SERVICES = ("CloudTrail", "CloudTrail-Insight")  # CloudTrail-Digest holds no records
_ACCOUNT = re.compile(r"\d{12}")
_ORG = re.compile(r"o-[a-z0-9]{10,32}")
_GLOB = re.compile(r"[*?\[]")

S3Factory = Callable[[], Any]  # returns a boto3 S3 client


@dataclass(frozen=True)
class Window:
    """Which partitions of the delivery layout to read (empty sets: all)."""

    start: date | None = None
    end: date | None = None
    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    def admits(self, where: Layout) -> bool:
        if where.account and self.accounts and where.account not in self.accounts:
            return False
        if where.region and self.regions and where.region not in self.regions:
            return False
        if where.year is None:
            return True
        lo, hi = where.span()
        return not (self.start and hi < self.start) and not (self.end and lo > self.end)


@dataclass(frozen=True)
class Layout:
    """What a path says of its partition. `inside`: the path is under AWSLogs/<account>/<svc>."""

    account: str | None = None
    region: str | None = None
    year: int | None = None
    month: int | None = None
    day: int | None = None
    skip: bool = False  # a digest folder or another service's logs

    def span(self) -> tuple[date, date]:
        assert self.year is not None
        if self.month is None:
            return date(self.year, 1, 1), date(self.year, 12, 31)
        if self.day is None:
            nxt = date(self.year + self.month // 12, self.month % 12 + 1, 1)
            return date(self.year, self.month, 1), date.fromordinal(nxt.toordinal() - 1)
        return (date(self.year, self.month, self.day),) * 2


def layout(parts: Sequence[str]) -> Layout:
    """Parse `.../AWSLogs/[o-org/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/...`."""
    try:
        i = len(parts) - 1 - list(reversed(parts)).index("AWSLogs")
    except ValueError:
        return Layout()
    rest = list(parts[i + 1 :])
    if rest and _ORG.fullmatch(rest[0]):
        rest = rest[1:]
    if not rest or not _ACCOUNT.fullmatch(rest[0]):
        return Layout()
    account = rest[0]
    if len(rest) < 2:
        return Layout(account)
    if rest[1] not in LOG_SERVICES:
        return Layout(account, skip=True)
    values: list[int | None] = []
    for text in rest[3:6]:
        values.append(int(text) if text.isdigit() else None)
    if any(v is None for v in values):
        return Layout(account, rest[2] if len(rest) > 2 else None)
    year, month, day = [*values, None, None, None][:3]
    try:
        if year is not None:
            date(year, month or 1, day or 1)
    except ValueError:
        return Layout(account, rest[2] if len(rest) > 2 else None)
    return Layout(account, rest[2] if len(rest) > 2 else None, year, month, day)


@dataclass
class LogObject:
    """One input file. `path` is set for local files (DuckDB reads Parquet from it)."""

    name: str
    size: int | None
    opener: Callable[[], IO[bytes]] = field(repr=False)
    path: str | None = None

    @property
    def parquet(self) -> bool:
        return self.name.endswith(".parquet")

    def open(self) -> IO[bytes]:
        return self.opener()


def _is_log_name(name: str) -> bool:
    return name.endswith(LOG_SUFFIXES) and not name.startswith(".")


def discover(
    inputs: Sequence[str], window: Window | None = None, *, s3: S3Factory | None = None
) -> Iterator[LogObject]:
    """Every input file, in a stable order (sorted within each folder). Explicit files are taken
    whatever their name; folders are searched for log files (LOG_SUFFIXES)."""
    window = window or Window()
    client: Any = None
    for item in inputs:
        if item.startswith("s3://"):
            if client is None:
                client = guarded_s3(s3)
            yield from _s3(client, item, window)
        elif _GLOB.search(item):
            matches = sorted(glob.glob(item, recursive=True))
            if not matches:
                raise ReplayError(f"{item}: no file matches")
            for m in matches:
                yield from _local(m, window, explicit=False)
        else:
            yield from _local(item, window, explicit=True)


def _local_object(path: str) -> LogObject:
    size = os.path.getsize(path)
    return LogObject(path, size, lambda: open(path, "rb"), path)


def _local(item: str, window: Window, *, explicit: bool) -> Iterator[LogObject]:
    p = Path(item)
    if p.is_file():
        if explicit or (_is_log_name(p.name) and _file_admitted(p, window)):
            yield _local_object(item)
        return
    if not p.exists():
        raise ReplayError(f"{item}: cannot read: No such file or directory")
    for root, dirs, files in os.walk(item):
        parts = Path(root).parts
        kept = []
        for d in sorted(dirs):
            where = layout([*parts, d])
            if not where.skip and window.admits(where):
                kept.append(d)
        dirs[:] = kept
        for f in sorted(files):
            if _is_log_name(f) and _file_admitted(Path(root, f), window):
                yield _local_object(os.path.join(root, f))


def _file_admitted(path: Path, window: Window) -> bool:
    where = layout(path.parent.parts)
    return not where.skip and window.admits(where)


# ---------------------------------------------------------------------------------------------
# S3


def guarded_s3(factory: S3Factory | None) -> Any:
    from checker.aws_readonly import LOG_READ_OPERATIONS, ReadOnlyGuard, guard_client

    if factory is None:
        try:
            import boto3
        except ModuleNotFoundError as e:
            raise ReplayError("s3:// inputs need boto3: pip install 'trailcheck[audit]'") from e
        client = boto3.client("s3")
    else:
        client = factory()
    return guard_client(client, ReadOnlyGuard(LOG_READ_OPERATIONS))


def _s3(client: Any, url: str, window: Window) -> Iterator[LogObject]:
    bucket, _, prefix = url[len("s3://") :].partition("/")
    if not bucket:
        raise ReplayError(f"{url}: expected s3://bucket/prefix")
    try:
        yield from _s3_walk(client, bucket, prefix, window)
    except ReplayError:
        raise
    except Exception as e:  # botocore errors: name the URL, never a traceback
        raise ReplayError(f"{url}: cannot list: {e}") from e


def _s3_walk(client: Any, bucket: str, prefix: str, window: Window) -> Iterator[LogObject]:
    folders: list[str] = []
    objects: list[tuple[str, int]] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "Delimiter": "/"}
        if token:
            kwargs["ContinuationToken"] = token
        page = client.list_objects_v2(**kwargs)
        folders += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        objects += [(o["Key"], int(o.get("Size", 0))) for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            break
        token = page.get("NextContinuationToken")
    for key, size in sorted(objects):
        name = key.rsplit("/", 1)[-1]
        where = layout(key.split("/")[:-1])
        if (key == prefix or _is_log_name(name)) and not where.skip and window.admits(where):
            yield LogObject(f"s3://{bucket}/{key}", size, _s3_opener(client, bucket, key))
    for folder in sorted(folders):
        where = layout(folder.rstrip("/").split("/"))
        if not where.skip and window.admits(where):
            yield from _s3_walk(client, bucket, folder, window)


class _BodyReader(io.RawIOBase):
    """A botocore StreamingBody as a raw stream (so that it can be buffered and peeked)."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.body.close()
        super().close()


def _s3_opener(client: Any, bucket: str, key: str) -> Callable[[], IO[bytes]]:
    def opener() -> IO[bytes]:
        try:
            body = client.get_object(Bucket=bucket, Key=key)["Body"]
        except Exception as e:  # botocore errors: name the object
            raise ReplayError(f"s3://{bucket}/{key}: cannot read: {e}") from e
        return io.BufferedReader(_BodyReader(body), 1 << 20)

    return opener

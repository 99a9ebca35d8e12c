"""Where the package's data lives: the shipped policies and JSON Schemas."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


@cache
def policies_root() -> Path:
    """`checker/policies` in an installed wheel; the repository's `policies/` in a checkout."""
    for candidate in (_PACKAGE / "policies", _PACKAGE.parent / "policies"):
        if (candidate / "rules").is_dir():
            return candidate
    raise FileNotFoundError("the trailcheck policies are missing from this installation")


def framework_slugs() -> list[str]:
    """The compliance frameworks' command-line names, from the mapping files' names alone
    (`--help` lists them without reading the files)."""
    return sorted(p.stem for p in (policies_root() / "compliance").glob("*.yaml"))


def schema_path(name: str) -> Path:
    return _PACKAGE / "schemas" / name


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "trailcheck"


def validate_once(kind: str, content: object, schema: str, validate: Callable[[], None]) -> None:
    """Run `validate` (a JSON Schema check that raises on a problem) unless this exact content
    already passed it against this exact schema. Importing jsonschema costs about 100 ms, too much
    to pay on every pre-commit run for files that rarely change; a marker file named by the
    digest of both remembers the pass."""
    digest = hashlib.sha256(
        json.dumps(content, sort_keys=True, default=str).encode()
        + schema_path(schema).read_bytes()
    ).hexdigest()
    marker = cache_dir() / f"{kind}-{digest[:32]}.ok"
    if marker.exists():
        return
    validate()
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("validated\n", encoding="utf-8")
    except OSError:
        pass  # a read-only home only costs the validation time next run


def yaml_documents(paths: Sequence[Path]) -> list[Any]:
    """The YAML documents of the files `paths`, parsed once per content. Parsing the shipped
    rules and frameworks with PyYAML costs about 60 ms, most of a pre-commit run's budget, and
    they change only with trailcheck: a JSON copy named by the digest of the files' names and
    bytes is read instead (a few ms, and no PyYAML import). Documents that JSON cannot hold
    exactly (dates, keys that are not strings) are parsed every time."""
    texts = [p.read_bytes() for p in paths]
    digest = hashlib.sha256()
    for path, data in zip(paths, texts, strict=True):
        digest.update(f"{path.name}\0{len(data)}\0".encode() + data)
    copy = cache_dir() / f"yaml-{digest.hexdigest()[:32]}.json"
    try:
        docs: list[Any] = json.loads(copy.read_text(encoding="utf-8"))
        return docs
    except (OSError, ValueError):
        pass
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    docs = [yaml.load(data.decode("utf-8"), Loader=loader) for data in texts]
    try:
        text = json.dumps(docs)
    except (TypeError, ValueError):  # dates and the like
        return docs
    if json.loads(text) == docs:
        try:
            copy.parent.mkdir(parents=True, exist_ok=True)
            partial = copy.with_name(f"{copy.name}.{os.getpid()}")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, copy)  # whole or absent for a concurrent run
        except OSError:
            pass  # a read-only home only costs the parsing next run
    return docs

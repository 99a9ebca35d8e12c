"""The project's settings: `.trailcheck.yaml`, or `[tool.trailcheck]` in pyproject.toml.

Found by walking up from the first scanned path to the repository root (the folder holding
`.git`) or the filesystem root. Validated against `checker/schemas/config.schema.json`; a mistake
is a usage error (exit code 2) that names the file and line. Command-line flags win over it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import UsageError
from checker.findings import Severity
from checker.resources import schema_path, validate_once
from checker.unit_stamp import UNIT_COLLECTIONS
from checker.units import unit_of

if TYPE_CHECKING:
    import yaml

    from checker.model import Estate
    from checker.rules import Rule

CONFIG_NAMES = (".trailcheck.yaml", ".trailcheck.yml")
_TOOL_SECTION = re.compile(r"^\s*\[\[?\s*tool\.trailcheck\s*[.\]]", re.MULTILINE)

DocPath = tuple[str | int, ...]  # a path into the document, as jsonschema reports it
Locator = Callable[[DocPath], int]  # its line in the file


class ConfigError(UsageError):
    """A config file that cannot be used; the message is `file:line: problem` per problem."""


@dataclass(frozen=True)
class Skip:
    """A `skip` entry: suppresses the findings that match every criterion it gives."""

    reason: str
    rules: tuple[str, ...] = ()  # empty: any rule
    resource: str | None = None  # glob (fnmatch), or the exact id
    file: str | None = None  # glob, relative to the config file's folder
    expires: date | None = None  # suppresses through this day, not after
    line: int = 0

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        parts = []
        if self.rules:
            parts.append("rule " + ",".join(self.rules))
        if self.resource is not None:
            parts.append(f"resource {self.resource}")
        if self.file is not None:
            parts.append(f"file {self.file}")
        return ", ".join(parts)

    def matches(self, rule_id: str, resource: str, file: str | None) -> bool:
        """`file` is the finding's path relative to the config folder (None: outside it)."""
        if self.rules and rule_id not in self.rules:
            return False
        if self.resource is not None and not _glob(resource, self.resource):
            return False
        return self.file is None or (file is not None and _glob(file, self.file))


@dataclass(frozen=True)
class Accept:
    """An `accept` entry: a coverage loss that `trailcheck diff` will not fail on."""

    reason: str
    scenario: str | None = None
    region: str | None = None
    trail: str | None = None
    expires: date | None = None
    line: int = 0
    rule: str | None = None  # glob over rule ids: a rule that went from pass to fail

    def expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        parts = [f"{name} {value}" for name, value in (
            ("trail", self.trail), ("scenario", self.scenario), ("region", self.region),
            ("rule", self.rule),
        ) if value is not None]  # fmt: skip
        return ", ".join(parts)


@dataclass(frozen=True)
class Config:
    path: str | None = None  # as reports show it; None when there is no config file
    base: Path | None = None  # the config file's folder: `file` globs are relative to it
    skip: tuple[Skip, ...] = ()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    fail_on: Severity | None = None
    min_retention_days: int | None = None
    regions: tuple[str, ...] = ()
    accept: tuple[Accept, ...] = ()
    # group name -> member paths (relative to `base`): units that share an account
    estates: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # organization name -> folders or files (relative to `base`) whose units deploy into it
    organizations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # "severity/CT020" -> line, to point at an override of a rule that does not exist
    lines: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)

    def relative(self, file: str, root: Path) -> str | None:
        """A finding's path (relative to `root`) as seen from the config folder."""
        if self.base is None:
            return file
        rel = os.path.relpath(os.path.abspath(root / file), self.base).replace(os.sep, "/")
        return None if rel.startswith("../") else rel

    def with_severities(self, rules: Iterable[Rule]) -> list[Rule]:
        """The rules with the `severity` overrides applied; an unknown rule id is an error."""
        rules = list(rules)
        known = {r.id for r in rules}
        unknown = sorted(set(self.severity) - known)
        if unknown:
            raise ConfigError("\n".join(
                f"{self.path}:{self.lines.get('severity/' + rid, 0)}: severity: no rule {rid}"
                for rid in unknown
            ))
        return [replace(r, severity=self.severity.get(r.id, r.severity)) for r in rules]


    def unit_groups(self, estate: Estate, cwd: str) -> dict[str, str]:
        """Each load unit of `estate` that an `estates` group lists -> the group's name. Units
        are named as reports show them (relative to `cwd`); members relative to `base`."""
        if not self.estates or self.base is None:
            return {}
        members = {
            os.path.normpath(self.base / member): name
            for name, paths in self.estates.items()
            for member in paths
        }
        # every unit, not only those with a trail: another stack's metric filters and alarms
        # count for a trail of its account (docs/semantics/filter-patterns.md)
        units = {unit_of(o) for name in UNIT_COLLECTIONS for o in getattr(estate, name)}
        out: dict[str, str] = {}
        for unit in units:
            name = members.get(os.path.normpath(os.path.join(cwd, unit))) if unit else None
            if name is not None:
                out[unit] = name
        return out

    def unit_organizations(self, estate: Estate, cwd: str) -> dict[str, str]:
        """Each load unit of `estate` at or under a path that an `organizations` entry lists ->
        the organization's name (the deepest listed path wins). Units are named as reports show
        them (relative to `cwd`); paths relative to `base`."""
        if not self.organizations or self.base is None:
            return {}
        members = sorted(
            ((os.path.normpath(self.base / member), name)
             for name, paths in self.organizations.items() for member in paths),
            key=lambda m: -len(m[0]),
        )  # fmt: skip
        # every unit: a group of units (`estates:`) is placed by all of its members
        units = {unit_of(o) for name in UNIT_COLLECTIONS for o in getattr(estate, name)}
        out: dict[str, str] = {}
        for unit in units:
            if not unit:
                continue
            path = os.path.normpath(os.path.join(cwd, unit))
            for member, name in members:
                if path == member or path.startswith(member + os.sep):
                    out[unit] = name
                    break
        return out


def _groups(data: Mapping[str, Any], key: str, noun: str, into: str, locate: Locator,
            display: str) -> dict[str, tuple[str, ...]]:  # fmt: skip
    """`estates` or `organizations`: name -> member paths, each path in one group only."""
    groups = {str(k): tuple(v) for k, v in data.get(key, {}).items()}
    seen: dict[str, str] = {}
    for name, paths in groups.items():
        for member in paths:
            norm = os.path.normpath(member)
            if norm in seen and seen[norm] != name:
                raise ConfigError(
                    f"{display}:{locate((key, name))}: {key}.{name}: {member} is also in "
                    f"{noun} {seen[norm]}; a unit deploys into one {into}"
                )
            seen[norm] = name
    return groups


def _glob(value: str, pattern: str) -> bool:
    # Terraform ids hold brackets (`cis["root"]`) that fnmatch reads as a character class.
    return value == pattern or fnmatchcase(value, pattern)


# ---------------------------------------------------------------------------------------------
# Finding and reading the file


def find_config(start: Path) -> Path | None:
    """The nearest config file at or above `start`, not above the repository root."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    while True:
        for name in CONFIG_NAMES:
            if (here / name).is_file():
                return here / name
        pyproject = here / "pyproject.toml"
        if pyproject.is_file() and _has_tool_section(pyproject):
            return pyproject
        if (here / ".git").exists() or here.parent == here:
            return None
        here = here.parent


def _has_tool_section(path: Path) -> bool:
    try:
        return bool(_TOOL_SECTION.search(path.read_text(encoding="utf-8-sig")))
    except (OSError, UnicodeDecodeError):
        return False


def load_config(path: Path, display: str | None = None) -> Config:
    """Read and validate one config file; raises ConfigError naming file and line."""
    display = display or str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        msg = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ConfigError(f"{display}:0: cannot read the config file: {msg}") from e
    if path.name == "pyproject.toml":
        data, locate = _read_toml(text, display)
    else:
        data, locate = _read_yaml(text, display)
    data = _plain(data)
    _validate(data, locate, display)
    return _build(data, locate, display, path.resolve().parent)


def _read_yaml(text: str, display: str) -> tuple[Any, Locator]:
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError(f"{display}:{line}: invalid YAML: {problem}") from e
    finally:
        loader.dispose()

    def locate(path: DocPath) -> int:
        return _yaml_line(node, path) if node is not None else 1

    return ({} if data is None else data), locate


@cache
def _loader_class() -> type[yaml.SafeLoader]:
    import yaml

    class Loader(yaml.SafeLoader):
        """A timestamp YAML cannot build (2024-02-30) stays text, so that the date check
        reports it with its line instead of a bare ValueError."""

    def timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
        try:
            return loader.construct_yaml_timestamp(node)
        except ValueError:
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return Loader


def _yaml_line(node: yaml.Node, path: DocPath) -> int:
    """The line of the last key (or sequence item) of `path` that the document holds."""
    import yaml

    line: int = node.start_mark.line + 1
    for part in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if getattr(k, "value", None) == str(part)),
                        None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(
            node.value
        ):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _read_toml(text: str, display: str) -> tuple[Any, Locator]:
    try:
        import tomllib as toml
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as toml  # type: ignore[no-redef,import-not-found,unused-ignore]
        except ModuleNotFoundError:
            raise ConfigError(
                f"{display}:0: reading [tool.trailcheck] needs Python 3.11 or the tomli package "
                "(pip install tomli); or move the settings to .trailcheck.yaml"
            ) from None
    try:
        doc = toml.loads(text)
    except toml.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise ConfigError(f"{display}:{m.group(1) if m else 0}: invalid TOML: {e}") from e
    data = doc.get("tool", {}).get("trailcheck", {})
    lines = text.splitlines()

    def locate(path: DocPath) -> int:
        return _toml_line(lines, path)

    return data, locate


def _toml_line(lines: Sequence[str], path: DocPath) -> int:
    """Best effort: TOML parsers keep no positions, so find the keys textually."""

    def headers(pattern: str) -> list[int]:
        rx = re.compile(pattern)
        return [i for i, text in enumerate(lines) if rx.match(text)]

    base = headers(r"\s*\[\s*tool\.trailcheck\s*\]")
    start = base[0] if base else 0
    rest = list(path)
    if rest and isinstance(rest[0], str):
        key = re.escape(rest[0])
        tables = headers(rf"\s*\[\[\s*tool\.trailcheck\.{key}\s*\]\]")
        table = headers(rf"\s*\[\s*tool\.trailcheck\.{key}\s*\]")
        if tables:
            index = rest[1] if len(rest) > 1 and isinstance(rest[1], int) else 0
            start, rest = tables[min(index, len(tables) - 1)], rest[2:]
        elif table:
            start, rest = table[0], rest[1:]
    for part in rest:
        if not isinstance(part, str):
            continue
        key = rf"[\"']?{re.escape(part)}[\"']?\s*="
        rx = re.compile(rf"\s*{key}|.*[{{,]\s*{key}")
        for i in range(start, len(lines)):
            if i > start and lines[i].lstrip().startswith("["):
                break
            if rx.match(lines[i]):
                start = i
                break
    return start + 1


def _plain(value: Any) -> Any:
    """Dates as YAML and TOML parse them become the strings the schema expects."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# Validation and the typed result


def _validate(data: Any, locate: Locator, display: str) -> None:
    validate_once("config", data, "config.schema.json", lambda: _check(data, locate, display))


def _check(data: Any, locate: Locator, display: str) -> None:
    import jsonschema

    schema = json.loads(schema_path("config.schema.json").read_bytes())
    validator = jsonschema.Draft202012Validator(schema)
    problems: list[tuple[int, str]] = []
    for error in validator.iter_errors(data):
        path = tuple(error.absolute_path)
        line = locate(path)
        message = error.message
        custom = error.schema.get("x-message") if isinstance(error.schema, dict) else None
        if custom and error.validator in ("anyOf", "oneOf", "pattern"):
            message = custom
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            extra = sorted(k for k in error.instance if k not in allowed)
            line = locate((*path, extra[0])) if extra else line
            message = f"unknown key {', '.join(map(repr, extra))}"
            if not path:
                message += f" (known: {', '.join(sorted(allowed))})"
        where = _dotted(path)
        problems.append((line, f"{where}: {message}" if where else message))
    if problems:
        ordered = sorted(set(problems))
        raise ConfigError("\n".join(f"{display}:{line}: {msg}" for line, msg in ordered))


def _dotted(path: DocPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _build(data: Mapping[str, Any], locate: Locator, display: str, base: Path) -> Config:
    def day(value: str | None, path: DocPath) -> date | None:
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ConfigError(
                f"{display}:{locate(path)}: {_dotted(path)}: {value!r} is not a date"
            ) from None

    skips = []
    for i, raw in enumerate(data.get("skip", [])):
        rule = raw.get("rule", [])
        rules = tuple([rule] if isinstance(rule, str) else rule)
        if "CT099" in rules:
            raise ConfigError(
                f"{display}:{locate(('skip', i, 'rule'))}: skip[{i}].rule: CT099 findings cannot "
                "be skipped (they are about the skips themselves); lower its severity instead"
            )
        skips.append(Skip(
            reason=raw["reason"].strip(),
            rules=rules,
            resource=raw.get("resource"),
            file=raw.get("file"),
            expires=day(raw.get("expires"), ("skip", i, "expires")),
            line=locate(("skip", i)),
        ))
    accepts = []
    for i, raw in enumerate(data.get("accept", [])):
        accepts.append(Accept(
            reason=raw["reason"].strip(),
            scenario=raw.get("scenario"),
            region=raw.get("region"),
            trail=raw.get("trail"),
            expires=day(raw.get("expires"), ("accept", i, "expires")),
            line=locate(("accept", i)),
            rule=raw.get("rule"),
        ))
    severity = dict(data.get("severity", {}))
    estates = _groups(data, "estates", "estate", "account", locate, display)
    organizations = _groups(data, "organizations", "organization", "organization", locate,
                            display)  # fmt: skip
    return Config(
        path=display,
        base=base,
        skip=tuple(skips),
        severity=severity,
        fail_on=data.get("fail-on"),
        min_retention_days=data.get("min-retention-days"),
        regions=tuple(data.get("regions", ())),
        accept=tuple(accepts),
        estates=estates,
        organizations=organizations,
        lines={f"severity/{rid}": locate(("severity", rid)) for rid in severity},
    )


# ---------------------------------------------------------------------------------------------
# Commands


def for_command(args: argparse.Namespace) -> Config:
    """The config for a command (`--config FILE`, or found from the first path), with its
    settings copied into `args` where the command line left them unset: flags win."""
    if getattr(args, "no_config", False):
        return Config()
    from checker.loaders.reading import LoadOptions

    explicit = getattr(args, "config", None)
    path: Path | None
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}:0: no such config file")
    else:
        paths = getattr(args, "paths", None) or ["."]
        path = find_config(Path(paths[0]))
    if path is None:
        return Config()
    config = load_config(path, LoadOptions().display(path))
    if getattr(args, "fail_on", None) is None:
        args.fail_on = config.fail_on
    if getattr(args, "min_retention_days", None) is None:
        args.min_retention_days = config.min_retention_days
    if not getattr(args, "regions", None) and config.regions:
        args.regions = ",".join(config.regions)
    return config

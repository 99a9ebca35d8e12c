"""Find the inputs under the scanned paths and tell the formats apart, cheaply.

Sniffing reads only the head of a file: a scanner that parses every JSON and YAML file of a
repository to learn that it is a `package.json` would be too slow for a pre-commit hook.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

from checker.loaders.reading import SKIP_DIRS, LoadOptions, error_estate, unicode_with_bom
from checker.model import Estate

TERRAFORM_SUFFIXES = (".tf", ".tf.json")
TFVARS_SUFFIXES = (".tfvars", ".tfvars.json")
STRUCTURED_SUFFIXES = (".json", ".yaml", ".yml", ".template")
# A Terragrunt unit's configuration (checker/loaders/terragrunt.py)
TERRAGRUNT_FILE = "terragrunt.hcl"
SNIFF_BYTES = 256 * 1024

# A template: AWSTemplateFormatVersion, or a top-level `Resources:` (YAML, at the start of a line)
# or a `"Resources":` key (JSON) together with an `AWS::Service::Type` somewhere in the head.
_CFN_VERSION = re.compile(rb"AWSTemplateFormatVersion")
_CFN_RESOURCES = re.compile(rb"(?m)^[\"']?Resources[\"']?[ \t]*:|\"Resources\"\s*:")
_CFN_TYPE = re.compile(rb"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+")
_PLAN = re.compile(rb"\"planned_values\"")
_PLAN_VERSION = re.compile(rb"\"format_version\"")
_SNAPSHOT = re.compile(rb"\"trailcheck_snapshot\"")
# Saved `aws cloudtrail ...` output (see checker/loaders/awscli.py): one of these keys, or a file
# named describe-trails*.json (whose trailList may be missing: that is a CT000, not a skip).
_CLI = re.compile(
    rb"\"(trailList|EventSelectors|AdvancedEventSelectors|InsightSelectors|IsLogging|TrailARN"
    rb"|EventDataStores|EventDataStoreArn)\""
)
_CLI_NAME = "describe-trails"


@dataclass
class Classified:
    terraform_roots: list[Path] = field(default_factory=list)
    structured: list[Path] = field(default_factory=list)
    terragrunt: list[Path] = field(default_factory=list)  # units of a terragrunt.hcl alone
    errors: list[Estate] = field(default_factory=list)


def classify(paths: object, options: LoadOptions) -> Classified:
    out = Classified()
    tf_dirs: dict[Path, None] = {}
    grunt_dirs: dict[Path, None] = {}  # folders that hold a terragrunt.hcl
    for raw in paths:  # type: ignore[attr-defined]
        p = Path(raw)
        if not p.exists():
            missing = error_estate(options.display(p), "unknown", 0, "no such file or folder")
            out.errors.append(missing)
            continue
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
                has_tf = False
                for name in sorted(filenames):
                    fp = Path(dirpath) / name
                    if name.endswith(TERRAFORM_SUFFIXES):
                        has_tf = True
                    elif name.endswith(STRUCTURED_SUFFIXES):
                        out.structured.append(fp)
                if has_tf:
                    tf_dirs.setdefault(Path(dirpath).resolve())
                if TERRAGRUNT_FILE in filenames:
                    grunt_dirs.setdefault(Path(dirpath).resolve())
        elif p.name == TERRAGRUNT_FILE:
            grunt_dirs.setdefault(p.resolve().parent)
        elif p.name.endswith(TERRAFORM_SUFFIXES):
            tf_dirs.setdefault(p.resolve().parent)
        elif p.name.endswith(TFVARS_SUFFIXES):
            # variable values (pre-commit passes a changed terraform.tfvars): its module folder
            tf_dirs.setdefault(p.resolve().parent)
        elif p.name.endswith(STRUCTURED_SUFFIXES) or p.is_file():
            out.structured.append(p)
    out.terraform_roots = list(tf_dirs)
    out.terragrunt = _terragrunt_units(grunt_dirs, tf_dirs)
    # tfvars files and lock files are not configuration of their own
    out.structured = [s for s in out.structured if not s.name.endswith((".tfvars.json",))]
    return out


def _terragrunt_units(grunt_dirs: dict[Path, None], tf_dirs: dict[Path, None]) -> list[Path]:
    """The terragrunt.hcl files that are a unit no Terraform file of the scan stands for: not
    in a folder of .tf files (that folder is judged as Terraform), and not a parent
    configuration that the terragrunt.hcl files of folders below it include."""
    parents = {a for d in grunt_dirs for a in d.parents}
    return [d / TERRAGRUNT_FILE for d in grunt_dirs if d not in tf_dirs and d not in parents]


def is_snapshot(path: Path, head: bytes) -> bool:
    return _SNAPSHOT.search(head) is not None


def is_plan(path: Path, head: bytes) -> bool:
    return _PLAN.search(head) is not None and _PLAN_VERSION.search(head) is not None


def is_template(path: Path, head: bytes) -> bool:
    return _CFN_VERSION.search(head) is not None or (
        _CFN_RESOURCES.search(head) is not None and _CFN_TYPE.search(head) is not None
    )


# A Serverless Framework service file whose `resources` section holds CloudFormation resources
# of the services an audit trail is built from (a function's IAM role alone is not worth a note)
_SERVERLESS_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
_AUDIT_TYPE = re.compile(rb"AWS::(CloudTrail|Logs|CloudWatch|Events|SNS|S3|KMS)::[A-Za-z0-9]+")


# a function's EventBridge events, which the Framework turns into rules (Serverless Framework
# docs, "EventBridge Event" and "CloudWatch Event")
SERVERLESS_EVENTS = re.compile(rb"(?m)^[ \t]*-?[ \t]*\"?(eventBridge|cloudwatchEvent)\"?[ \t]*:")


def is_serverless(path: Path, head: bytes) -> bool:
    return path.name in _SERVERLESS_NAMES and (
        _AUDIT_TYPE.search(head) is not None or SERVERLESS_EVENTS.search(head) is not None)


def is_cli_output(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".json" and (
        _CLI.search(head) is not None or path.name.startswith(_CLI_NAME)
    )


class _Sniffable(Protocol):
    @property
    def sniff(self) -> Callable[[Path, bytes], bool]: ...


F = TypeVar("F", bound=_Sniffable)


def sniff_format(path: Path, formats: Sequence[F]) -> F | str | None:
    """The first format whose sniff accepts the file's head; None for a file of no format
    (skipped); the string "error" for a file that cannot be read or is not text.

    The markers are matched on bytes, so a file that is not UTF-8 but looks like one of the
    formats goes to that format's loader, whose CT000 then names the format."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError:
        return "error"
    encoding = unicode_with_bom(head)
    if encoding is not None and path.suffix.lower() == ".json":  # saved tool output (read_json)
        head = head.decode(encoding, errors="ignore").encode()
    for fmt in formats:
        if fmt.sniff(path, head):
            return fmt
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        cut = len(head) == SNIFF_BYTES and e.start >= len(head) - 4
        if not cut:  # not just a multi-byte character cut at the end of the head
            return "error"
    return None


def sniff_error(path: Path, display: str) -> Estate:
    from checker.loaders.reading import read_text

    _, err = read_text(path, display, "unknown")
    return err or error_estate(display, "unknown", 0, "cannot read file")

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import pytest

from checker.config import Config, ConfigError, Skip, find_config, for_command, load_config
from checker.engine import load_rules
from checker.errors import UsageError

GOOD = """\
# project settings
fail-on: medium
min-retention-days: 400
regions: [us-east-1, eu-west-1]
severity:
  CT024: info
skip:
  - rule: CT020
    resource: aws_s3_bucket.*
    reason: copies go to the audit account's locked bucket
    expires: 2030-01-31
  - rule: [CT021, CT022]
    file: modules/legacy/*.tf
    reason: legacy module, replaced in Q3
accept:
  - scenario: s3-get-object
    region: ap-*
    reason: no data in these regions
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_load_yaml(tmp_path: Path) -> None:
    c = load_config(write(tmp_path / ".trailcheck.yaml", GOOD), ".trailcheck.yaml")
    assert c.path == ".trailcheck.yaml" and c.base == tmp_path.resolve()
    assert c.fail_on == "medium" and c.min_retention_days == 400
    assert c.regions == ("us-east-1", "eu-west-1")
    assert c.severity == {"CT024": "info"}
    assert c.skip[0] == Skip("copies go to the audit account's locked bucket", ("CT020",),
                             "aws_s3_bucket.*", None, date(2030, 1, 31), 8)
    assert c.skip[1].rules == ("CT021", "CT022") and c.skip[1].file == "modules/legacy/*.tf"
    assert c.skip[1].line == 12
    assert c.accept[0].scenario == "s3-get-object" and c.accept[0].region == "ap-*"
    assert c.accept[0].line == 16


def test_empty_file_is_an_empty_config(tmp_path: Path) -> None:
    c = load_config(write(tmp_path / ".trailcheck.yaml", "# nothing yet\n"))
    assert c.skip == () and c.fail_on is None


def test_skip_matching() -> None:
    s = Skip("r", ("CT020",), "aws_s3_bucket.*", "infra/*.tf")
    assert s.matches("CT020", "aws_s3_bucket.logs", "infra/main.tf")
    assert not s.matches("CT021", "aws_s3_bucket.logs", "infra/main.tf")
    assert not s.matches("CT020", "aws_kms_key.k", "infra/main.tf")
    assert not s.matches("CT020", "aws_s3_bucket.logs", None)  # outside the config folder
    # brackets in Terraform ids are not character classes when written exactly
    exact = Skip("r", (), 'aws_cloudwatch_log_metric_filter.cis["root"]')
    assert exact.matches("CT101", 'aws_cloudwatch_log_metric_filter.cis["root"]', "x.tf")


def test_expiry_is_inclusive() -> None:
    s = Skip("r", ("CT020",), expires=date(2025, 6, 30))
    assert not s.expired(date(2025, 6, 30)) and s.expired(date(2025, 7, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("skip:\n  - rule: CT020\n",
         ".trailcheck.yaml:2: skip[0]: 'reason' is a required property"),
        ("skip:\n  - rule: CT020\n    reason: x\n    colour: red\n",
         ".trailcheck.yaml:4: skip[0]: unknown key 'colour'"),
        ("fail-on: low\nfial-on: high\n", ".trailcheck.yaml:2: unknown key 'fial-on'"),
        ("fail-on: extreme\n", ".trailcheck.yaml:1: fail-on: 'extreme' is not one of"),
        ("skip:\n  - reason: why\n",
         ".trailcheck.yaml:2: skip[0]: a skip entry needs a reason and at least one of rule"),
        ("skip:\n  - rule: CT20\n    reason: why\n",
         ".trailcheck.yaml:2: skip[0].rule: rule is a rule id (CT020) or a list of them"),
        ("skip:\n  - rule: CT020\n    reason: '  '\n",
         ".trailcheck.yaml:3: skip[0].reason: a reason must not be empty"),
        ("\nskip:\n  - rule: CT020\n    reason: why\n    expires: 2024-02-30\n",
         ".trailcheck.yaml:5: skip[0].expires: '2024-02-30' is not a date"),
        ("skip:\n  - rule: CT020\n    reason: why\n    expires: next week\n",
         ".trailcheck.yaml:4: skip[0].expires: a date is written YYYY-MM-DD"),
        ("severity:\n  CT020: severe\n", ".trailcheck.yaml:2: severity.CT020: 'severe' is not one"),
        ("skip: [\n", ".trailcheck.yaml:2: invalid YAML"),
        ("skip:\n  - rule: CT099\n    reason: noisy\n",
         ".trailcheck.yaml:2: skip[0].rule: CT099 findings cannot be skipped"),
    ],
)
def test_errors_name_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / ".trailcheck.yaml", text)
    with pytest.raises(ConfigError) as e:
        load_config(path, ".trailcheck.yaml")
    assert str(e.value).startswith(expected), str(e.value)
    assert isinstance(e.value, UsageError)  # exit code 2


def test_every_error_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / ".trailcheck.yaml", "fail-on: x\nskip:\n  - rule: CT020\n")
    with pytest.raises(ConfigError) as e:
        load_config(path, "c.yaml")
    assert str(e.value).splitlines()[0].startswith("c.yaml:1: fail-on")
    assert str(e.value).splitlines()[1].startswith("c.yaml:3: skip[0]")


PYPROJECT = """\
[project]
name = "infra"

[tool.trailcheck]
fail-on = "high"
regions = ["us-east-1"]

[tool.trailcheck.severity]
CT024 = "info"

[[tool.trailcheck.skip]]
rule = "CT020"
reason = "locked elsewhere"

[[tool.trailcheck.skip]]
rule = "CT021"
reason = "versioned elsewhere"
expires = 2030-01-01
"""


def test_load_pyproject(tmp_path: Path) -> None:
    c = load_config(write(tmp_path / "pyproject.toml", PYPROJECT), "pyproject.toml")
    assert c.fail_on == "high" and c.regions == ("us-east-1",) and c.severity == {"CT024": "info"}
    assert [s.rules for s in c.skip] == [("CT020",), ("CT021",)]
    assert c.skip[1].expires == date(2030, 1, 1)  # a TOML date, not a string
    assert [s.line for s in c.skip] == [11, 15]


def test_pyproject_errors_have_lines(tmp_path: Path) -> None:
    bad = PYPROJECT.replace('reason = "versioned elsewhere"\n', "")
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path / "pyproject.toml", bad), "pyproject.toml")
    assert str(e.value).startswith("pyproject.toml:15: skip[1]: 'reason' is a required property")
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path / "pyproject.toml", PYPROJECT.replace('"high"', '"hi"')),
                    "pyproject.toml")
    assert str(e.value).startswith("pyproject.toml:5: fail-on:")
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path / "pyproject.toml", "[tool.trailcheck]\nx = [\n"), "p.toml")
    assert "invalid TOML" in str(e.value)


def test_pyproject_on_python_without_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tomllib", None)
    monkeypatch.setitem(sys.modules, "tomli", None)
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path / "pyproject.toml", PYPROJECT), "pyproject.toml")
    assert "needs Python 3.11 or the tomli package" in str(e.value)


def test_find_config_walks_up_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    deep = repo / "infra" / "envs" / "prod"
    deep.mkdir(parents=True)
    write(tmp_path / ".trailcheck.yaml", "fail-on: high\n")  # above the repository: not used
    assert find_config(deep) is None
    write(repo / "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.trailcheck]: skipped
    assert find_config(deep) is None
    write(repo / "pyproject.toml", PYPROJECT)
    assert find_config(deep / "main.tf") == (repo / "pyproject.toml").resolve()
    write(repo / "infra" / ".trailcheck.yaml", "fail-on: low\n")
    assert find_config(deep) == (repo / "infra" / ".trailcheck.yaml").resolve()


def _args(**kw: object) -> argparse.Namespace:
    base: dict[str, object] = {"paths": ["."], "config": None, "no_config": False,
                               "fail_on": None, "min_retention_days": None, "regions": None}
    base.update(kw)
    return argparse.Namespace(**base)


def test_flags_win_over_the_config(tmp_path: Path) -> None:
    path = write(tmp_path / ".trailcheck.yaml", GOOD)
    args = _args(paths=[str(tmp_path)], fail_on="critical")
    config = for_command(args)
    assert config.path is not None and config.path.endswith(".trailcheck.yaml")
    assert args.fail_on == "critical"  # the flag
    assert args.min_retention_days == 400 and args.regions == "us-east-1,eu-west-1"  # the file
    args = _args(config=str(path), regions="us-west-2")
    for_command(args)
    assert args.regions == "us-west-2" and args.fail_on == "medium"
    args = _args(paths=[str(tmp_path)], no_config=True)
    assert for_command(args) == Config() and args.fail_on is None
    with pytest.raises(ConfigError):
        for_command(_args(config=str(tmp_path / "missing.yaml")))


def test_severity_overrides_apply_to_rules(tmp_path: Path) -> None:
    path = write(tmp_path / ".trailcheck.yaml", "severity:\n  CT002: critical\n")
    c = load_config(path, "c.yaml")
    rules = {r.id: r for r in c.with_severities(load_rules())}
    originals = {r.id: r.severity for r in load_rules()}
    assert rules["CT002"].severity == "critical"
    assert all(r.severity == originals[rid] for rid, r in rules.items() if rid != "CT002")
    c = load_config(write(tmp_path / ".trailcheck.yaml", "\nseverity:\n  CT777: low\n"), "c.yaml")
    with pytest.raises(ConfigError) as e:
        c.with_severities(load_rules())
    assert str(e.value) == "c.yaml:3: severity: no rule CT777"


def test_validation_is_cached_but_errors_never_are(tmp_path: Path) -> None:
    path = write(tmp_path / ".trailcheck.yaml", GOOD)
    assert load_config(path) == load_config(path)
    write(path, "fail-on: x\n")
    for _ in range(2):
        with pytest.raises(ConfigError):
            load_config(path)


def test_a_unit_is_in_the_organization_of_the_deepest_path_that_holds_it(tmp_path: Path) -> None:
    from checker.model import Estate, Location, Trail

    def trail(unit: str) -> Trail:
        return Trail(id="t", name="t", location=Location(f"{unit}/main.tf", 1, unit))

    units = ("envs/prod/app", "envs/prod", "envs/prod-eu", "envs/dev", "other")
    estate = Estate(trails=tuple(trail(u) for u in units))
    config = Config(base=tmp_path, organizations={"all": ("envs",), "prod": ("envs/prod",)})
    assert config.unit_organizations(estate, str(tmp_path)) == {
        "envs/prod/app": "prod", "envs/prod": "prod",
        "envs/prod-eu": "all", "envs/dev": "all",  # a path is not a prefix of a name
    }  # fmt: skip
    assert Config(base=tmp_path).unit_organizations(estate, str(tmp_path)) == {}
    # a unit without a trail is placed too: it may be grouped with one that has
    from checker.model import Bucket

    bucket = Bucket(id="b", name="b", location=Location("envs/prod/logs/main.tf", 1,
                                                          "envs/prod/logs"))
    assert config.unit_organizations(Estate(buckets=(bucket,)), str(tmp_path)) == {
        "envs/prod/logs": "prod"}


def test_an_estates_group_holds_its_units_without_a_trail(tmp_path: Path) -> None:
    """A CIS alarms stack (metric filters and alarms, no trail) listed with a trail's stack was
    left out of the group: its filters never counted for the trail's log group."""
    from checker.model import Estate, Location, MetricFilter, Reference, Trail

    def at(unit: str) -> Location:
        return Location(unit, 1, unit)

    trail = Trail(id="t", name="t", location=at("trail.yaml"))
    flt = MetricFilter("f", Reference("audit"), "{ $.eventName = StopLogging }", (),
                       location=at("alarms.yaml"))  # fmt: skip
    estate = Estate(trails=(trail,), metric_filters=(flt,))
    config = Config(base=tmp_path, estates={"security": ("trail.yaml", "alarms.yaml")})
    assert config.unit_groups(estate, str(tmp_path)) == {
        "trail.yaml": "security", "alarms.yaml": "security"}

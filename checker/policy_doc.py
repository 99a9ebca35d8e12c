"""IAM policy documents (identity policies, SCPs, bucket and key policies): parse, then ask.

Loaders hand over a document as parsed JSON (a mapping) or as a JSON string, and any value in it
may be an `Unknown` (a variable without a value, say). Parsing keeps those unknowns in place and
every question is answered tri-state: when the answer depends on an unknown part it is `Unknown`,
never a guess. A document that is itself unknown stays unknown.

IAM semantics kept here (IAM User Guide, "IAM JSON policy elements reference"):
- `Statement` is one object or a list; `Action`/`NotAction`, `Resource`/`NotResource` and
  principal values are a string or a list.
- Action names are case-insensitive and take the wildcards `*` (any run of characters) and `?`
  (one character).
- Condition keys are case-insensitive; an operator may carry a `ForAnyValue:`/`ForAllValues:`
  qualifier and an `IfExists` suffix.
- A null where a string belongs (a Terraform variable left null) is no value at all: it becomes
  an `Unknown` in place, so only the statement holding it is in doubt.

How conditions treat a request an AWS service principal makes (`source_reading`) is written up,
with its sources, in docs/semantics/bucket-policy.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from checker.model import Computed, PartlyKnown, Tri, Unknown
from checker.tri import all_values

Value = str | Unknown

# Operators whose match means the key does NOT have the listed value: a condition built on them
# widens rather than narrows who a statement applies to.
NEGATED_OPERATORS = frozenset(
    {
        "stringnotequals",
        "stringnotequalsignorecase",
        "stringnotlike",
        "arnnotequals",
        "arnnotlike",
        "numericnotequals",
        "datenotequals",
        "notipaddress",
    }
)

# Condition keys that pin a statement for principal "*" to a known caller or network. The S3
# "meaning of public" list (PublicAccessBlockConfiguration API docs): fixed values of
# aws:SourceIp, aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount,
# s3:x-amz-server-side-encryption-aws-kms-key-id and aws:userid; plus the organization and
# principal keys that pin the caller to known accounts (aws:PrincipalOrgID, aws:PrincipalAccount,
# aws:PrincipalArn).
RESTRICTING_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceip",
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)

_OPEN_NETWORKS = frozenset({"0.0.0.0/0", "::/0"})

# Keys a request made by an AWS service principal never carries: aws:PrincipalOrgID and
# aws:PrincipalOrgPaths are in the request context only when the principal belongs to an
# organization (IAM User Guide, "AWS global condition context keys"), which a service is not.
ABSENT_FOR_SERVICES = frozenset({"aws:principalorgid", "aws:principalorgpaths"})
# Operators that compare a value exactly, `*` and `?` included as plain characters; the pattern
# operators take them as wildcards. ArnEquals is a pattern operator: IAM User Guide, "IAM JSON
# policy elements: Condition operators", ArnEquals and ArnLike behave identically.
EXACT_OPERATORS = frozenset({"stringequals", "stringequalsignorecase"})
PATTERN_OPERATORS = frozenset({"stringlike", "arnlike", "arnequals"})
# Source keys whose value is an account ID; the other source keys hold an ARN.
ACCOUNT_KEYS = frozenset({"aws:sourceaccount", "aws:sourceowner"})
GAP = "\x00"  # stands for an unknown stretch of a partly known value


class _Invalid(Exception):
    """A document AWS would reject; becomes an Unknown naming the problem."""


# ---------------------------------------------------------------------------------------------
# Types


@dataclass(frozen=True)
class Principal:
    """A `Principal` (or `NotPrincipal`) element. `everyone` is `"*"` or `{"AWS": "*"}`."""

    everyone: bool = False
    aws: tuple[Value, ...] = ()
    service: tuple[Value, ...] = ()
    federated: tuple[Value, ...] = ()
    canonical_user: tuple[Value, ...] = ()

    def is_everyone(self) -> Tri:
        """True for "*" or {"AWS": "*"}; Unknown when an AWS principal is unknown (it may be
        "*")."""
        if self.everyone:
            return True
        for value in self.aws:
            if isinstance(value, Unknown):
                return value
        return False

    def names_service(self, service: str) -> Tri:
        """Whether the element names this service principal (e.g. cloudtrail.amazonaws.com)."""
        return _contains(self.service, service.lower(), str.lower)

    def shown(self) -> str:
        if self.everyone:
            return '"*"'
        parts = []
        for label, values in (
            ("AWS", self.aws),
            ("Service", self.service),
            ("Federated", self.federated),
            ("CanonicalUser", self.canonical_user),
        ):
            if values:
                parts.append(f"{label}: {', '.join(_show(v) for v in values)}")
        return "{" + "; ".join(parts) + "}"


@dataclass(frozen=True)
class Condition:
    """One key test of a `Condition` block: `{operator: {key: values}}`."""

    operator: str  # as written, e.g. "ForAnyValue:StringLike" or "BoolIfExists"
    key_text: str  # as written, for messages
    values: tuple[Value, ...]

    @property
    def key(self) -> str:
        """The key in lower case: condition keys are case-insensitive."""
        return self.key_text.lower()

    @property
    def qualifier(self) -> str | None:
        """"foranyvalue", "forallvalues" or None."""
        head, sep, _ = self.operator.partition(":")
        return head.lower() if sep else None

    @property
    def if_exists(self) -> bool:
        return self.operator.lower().endswith("ifexists")

    @property
    def base(self) -> str:
        """The operator in lower case without qualifier and IfExists: "stringequals"."""
        op = self.operator.rpartition(":")[2].lower()
        return op[: -len("ifexists")] if op.endswith("ifexists") else op

    @property
    def base_shown(self) -> str:
        """The operator as written, without qualifier and IfExists: "StringEquals"."""
        op = self.operator.rpartition(":")[2]
        return op[: -len("ifexists")] if op.lower().endswith("ifexists") else op

    @property
    def negated(self) -> bool:
        return self.base in NEGATED_OPERATORS

    def shown(self) -> str:
        values = ", ".join(_show(v) for v in self.values)
        return f"{self.operator} {self.key_text} {values}"


@dataclass(frozen=True)
class Statement:
    index: int  # 0-based position in the document
    effect: Value  # "Allow" or "Deny"
    sid: str | None = None
    principal: Principal | Unknown | None = None
    not_principal: Principal | Unknown | None = None
    actions: tuple[Value, ...] = ()
    not_actions: tuple[Value, ...] | None = None  # set when the statement uses NotAction
    resources: tuple[Value, ...] = ()
    not_resources: tuple[Value, ...] | None = None  # set when the statement uses NotResource
    conditions: tuple[Condition, ...] | Unknown = ()

    @property
    def label(self) -> str:
        """How messages name the statement: its Sid, else its position (1-based)."""
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    def is_allow(self) -> Tri:
        return self.effect == "Allow" if isinstance(self.effect, str) else self.effect

    def is_deny(self) -> Tri:
        return self.effect == "Deny" if isinstance(self.effect, str) else self.effect

    def matches_action(self, action: str) -> Tri:
        """Whether the statement's Action (or NotAction) covers `action`, IAM wildcards and
        case-insensitivity included."""
        if self.not_actions is not None:
            hit = _contains(self.not_actions, action, None, action_matches)
            return hit if isinstance(hit, Unknown) else not hit
        return _contains(self.actions, action, None, action_matches)

    def allows_action(self, action: str) -> Tri:
        return all_values((self.is_allow(), self.matches_action(action)))

    def denies_action(self, action: str) -> Tri:
        return all_values((self.is_deny(), self.matches_action(action)))

    def covers_service(self, service: str) -> Tri:
        """Whether the statement covers every action of a service (`s3:*`, `*`, or a NotAction
        that names none of the service's actions)."""
        service = service.lower()
        if self.not_actions is not None:
            unknown: Unknown | None = None
            for pattern in self.not_actions:
                if isinstance(pattern, Unknown):
                    unknown = pattern if unknown is None else unknown
                elif _may_match_service(pattern, service):
                    return False
            return unknown if unknown is not None else True
        unknown = None
        for pattern in self.actions:
            if isinstance(pattern, Unknown):
                unknown = pattern if unknown is None else unknown
            elif _covers_whole_service(pattern, service):
                return True
        return unknown if unknown is not None else False

    def conditions_on(self, *keys: str) -> list[Condition] | Unknown:
        """The conditions that test one of `keys` (any case)."""
        if isinstance(self.conditions, Unknown):
            return self.conditions
        wanted = {k.lower() for k in keys}
        return [c for c in self.conditions if c.key in wanted]


@dataclass(frozen=True)
class Policy:
    statements: tuple[Statement, ...]
    version: str | None = None
    id: str | None = None


# ---------------------------------------------------------------------------------------------
# Parsing


def parse(doc: object, what: str = "the policy") -> Policy | Unknown:
    """A document (mapping, JSON string, or Unknown) as a `Policy`, or an Unknown that says why
    it cannot be read."""
    if isinstance(doc, Unknown):
        return doc
    if isinstance(doc, (str, bytes)):
        try:
            doc = json.loads(doc)
        except ValueError as e:
            return Unknown(f"{what} is not valid JSON ({e})")
    if not isinstance(doc, Mapping):
        return Unknown(f"{what} is not a JSON object")
    try:
        return _policy(doc)
    except _Invalid as e:
        return Unknown(f"{what} is not a valid policy document: {e}")


def statements(doc: object, what: str = "the policy") -> list[Statement] | Unknown:
    policy = parse(doc, what)
    return policy if isinstance(policy, Unknown) else list(policy.statements)


def _policy(doc: Mapping[str, Any]) -> Policy:
    raw = doc.get("Statement")
    if isinstance(raw, Unknown):
        raise _Invalid(f"Statement is unknown ({raw.reason})")
    if raw is None:
        raise _Invalid("it has no Statement")
    items = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(items, list):
        raise _Invalid("Statement must be an object or a list of objects")
    version = doc.get("Version")
    pid = doc.get("Id")
    return Policy(
        statements=tuple(_statement(i, item) for i, item in enumerate(items)),
        version=version if isinstance(version, str) else None,
        id=pid if isinstance(pid, str) else None,
    )


def _statement(index: int, raw: object) -> Statement:
    if isinstance(raw, Unknown):
        # a statement rendered from a value the inputs lack (a template variable, a data
        # source): only this statement is in doubt, and every question about it is unknown
        why = Unknown(f"statement #{index + 1} is unknown ({raw.reason})")
        return Statement(index=index, effect=why, principal=why, actions=(why,),
                         resources=(why,), conditions=why)  # fmt: skip
    if not isinstance(raw, Mapping):
        raise _Invalid(f"statement #{index + 1} is not an object")
    effect = raw.get("Effect")
    if isinstance(effect, str) and effect not in ("Allow", "Deny"):
        raise _Invalid(f"statement #{index + 1}: Effect must be Allow or Deny, not {effect!r}")
    if not isinstance(effect, (str, Unknown)):
        raise _Invalid(f"statement #{index + 1} has no Effect")
    if "Action" in raw and "NotAction" in raw:
        raise _Invalid(f"statement #{index + 1} has both Action and NotAction")
    if "Action" not in raw and "NotAction" not in raw:
        raise _Invalid(f"statement #{index + 1} has neither Action nor NotAction")
    sid = raw.get("Sid")
    return Statement(
        index=index,
        effect=effect,
        sid=sid if isinstance(sid, str) and sid else None,
        principal=_principal(raw["Principal"]) if "Principal" in raw else None,
        not_principal=_principal(raw["NotPrincipal"]) if "NotPrincipal" in raw else None,
        actions=_strings(raw.get("Action", ()), "Action"),
        not_actions=_strings(raw["NotAction"], "NotAction") if "NotAction" in raw else None,
        resources=_strings(raw.get("Resource", ()), "Resource"),
        not_resources=(
            _strings(raw["NotResource"], "NotResource") if "NotResource" in raw else None
        ),
        conditions=_conditions(raw.get("Condition")),
    )


def _strings(raw: object, element: str) -> tuple[Value, ...]:
    """A string-or-list element as a tuple; scalars other than strings are written as JSON
    would show them (true, 5)."""
    if isinstance(raw, Unknown):
        return (raw,)
    items = raw if isinstance(raw, (list, tuple)) else [raw]
    out: list[Value] = []
    for item in items:
        if isinstance(item, (str, Unknown)):
            out.append(item)
        elif isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (int, float)):
            out.append(str(item))
        elif item is None:  # a null left in a list: no value, so this one value is unknown
            out.append(Unknown("a value is null (none is given)"))
        else:
            raise _Invalid(f"{element} holds {_json_kind(item)}, not a string")
    return tuple(out)


def _principal(raw: object) -> Principal | Unknown:
    if isinstance(raw, Unknown):
        return raw
    if raw == "*":
        return Principal(everyone=True)
    if isinstance(raw, str):  # not valid IAM, but read it as an account principal
        return Principal(aws=(raw,))
    if not isinstance(raw, Mapping):
        raise _Invalid("Principal must be \"*\" or an object")
    groups: dict[str, tuple[Value, ...]] = {}
    for kind, values in raw.items():
        groups[str(kind).lower()] = _strings(values, f"Principal {kind}")
    aws = groups.get("aws", ())
    return Principal(
        everyone=any(v == "*" for v in aws),
        aws=aws,
        service=groups.get("service", ()),
        federated=groups.get("federated", ()),
        canonical_user=groups.get("canonicaluser", ()),
    )


def _conditions(raw: object) -> tuple[Condition, ...] | Unknown:
    if raw is None:
        return ()
    if isinstance(raw, Unknown):
        return raw
    if not isinstance(raw, Mapping):
        raise _Invalid("Condition must be an object")
    out: list[Condition] = []
    for operator, tests in raw.items():
        if isinstance(tests, Unknown):
            return Unknown(f"the {operator} condition is unknown ({tests.reason})")
        if not isinstance(tests, Mapping):
            raise _Invalid(f"condition {operator} must map keys to values")
        for key, values in tests.items():
            out.append(Condition(str(operator), str(key), _strings(values, f"{operator} {key}")))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Questions


def action_matches(pattern: str, action: str) -> bool:
    """IAM action matching: `*` and `?` wildcards, case-insensitive ("cloudtrail:Delete*")."""
    return _action_regex(pattern).fullmatch(action) is not None


@lru_cache(maxsize=1024)
def _action_regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def _covers_whole_service(pattern: str, service: str) -> bool:
    """Whether an Action pattern matches every action of `service` ("*", "s3:*", "S3:**")."""
    if pattern.strip("*") == "":
        return True
    head, sep, tail = pattern.partition(":")
    return bool(sep) and head.lower() == service and tail != "" and tail.strip("*") == ""


def _may_match_service(pattern: str, service: str) -> bool:
    """Whether a (Not)Action pattern can match some action of `service`."""
    head, sep, _ = pattern.partition(":")
    if not sep:
        return pattern.strip("*") == ""
    return _action_regex(head).fullmatch(service) is not None


def is_public_principal(stmt: Statement) -> Tri:
    """Whether the statement applies to anyone: Principal "*" / {"AWS": "*"}, or an Allow with
    NotPrincipal (everyone except the listed principals)."""
    if stmt.not_principal is not None:
        if isinstance(stmt.not_principal, Unknown):
            return stmt.not_principal
        return stmt.is_allow()
    if stmt.principal is None:
        return False
    if isinstance(stmt.principal, Unknown):
        return stmt.principal
    return stmt.principal.is_everyone()


def grants_service(stmt: Statement, service: str) -> Tri:
    """Whether the statement's Principal names the service principal."""
    if stmt.principal is None:
        return False
    if isinstance(stmt.principal, Unknown):
        return stmt.principal
    return stmt.principal.names_service(service)


def has_restricting_condition(stmt: Statement) -> Tri:
    """Whether a condition pins the statement to fixed callers or networks (S3's test of a
    non-public policy): a restricting key, tested by a positive operator against fixed values
    (no wildcard), neither IfExists nor ForAllValues (both pass when the key is absent)."""
    if isinstance(stmt.conditions, Unknown):
        return stmt.conditions
    unknown: Unknown | None = None
    for cond in stmt.conditions:
        verdict = _restricts(cond)
        if verdict is True:
            return True
        if isinstance(verdict, Unknown):
            unknown = verdict if unknown is None else unknown
    return unknown if unknown is not None else False


def _restricts(cond: Condition) -> Tri:
    if cond.key not in RESTRICTING_KEYS:
        return False
    if cond.negated or cond.base == "null" or cond.if_exists or cond.qualifier == "forallvalues":
        return False
    if not cond.values:
        return False
    unknown: Unknown | None = None
    for value in cond.values:
        if isinstance(value, Unknown) and not isinstance(value, PartlyKnown):
            if isinstance(value, Computed):
                continue  # set at deploy (an organization or account ID, an ARN): a fixed value
            return Unknown(f"{cond.operator} {cond.key_text} has an unknown value ({value.reason})")
        # a string, or one with unknown stretches: a wildcard in a known stretch is one anyway
        text = value if isinstance(value, str) else "".join(
            GAP if p is None else p for p in value.parts)
        if cond.key == "aws:sourceip":
            if text.strip() in _OPEN_NETWORKS:
                return False
        elif "*" in text or "?" in text or "${" in text:
            return False
        if isinstance(value, Unknown) and not isinstance(value, Computed) and unknown is None:
            unknown = Unknown(
                f"{cond.operator} {cond.key_text} has an unknown value ({value.reason})")
    return unknown if unknown is not None else True


@dataclass(frozen=True)
class SourceReading:
    """What a statement's conditions do to a request an AWS service principal (CloudTrail, say)
    makes on behalf of one of its resources, read from the source keys it tests."""

    matches: Tri  # False: no such request satisfies the conditions, so the statement grants it
    # nothing; Unknown: that depends on an unknown value
    scoped: Tri  # whether only resources of one account satisfy them (meaningful when matches)
    why: str = ""  # the condition behind `matches` False or `scoped` False/Unknown, for messages
    keys: tuple[str, ...] = ()  # the source keys (as written) that pin the caller


def source_reading(stmt: Statement, keys: Iterable[str]) -> SourceReading | Unknown:
    """Read the conditions of `stmt` for a request by an AWS service principal that carries the
    source `keys` (aws:SourceArn, aws:SourceAccount, ...). Conditions hold together, the values
    of one condition are alternatives. Unknown when the conditions themselves are unknown."""
    if isinstance(stmt.conditions, Unknown):
        return stmt.conditions
    wanted = {k.lower() for k in keys}
    never: str | None = None
    grant_open: Unknown | None = None
    pinned: list[str] = []
    scope_open: Unknown | None = None
    unscoped: str | None = None
    for cond in stmt.conditions:
        if _absent_for_services(cond):
            never = never or (f"{cond.shown()}: requests by an AWS service principal carry no "
                              f"{cond.key_text}, so the condition is false for them")
            continue
        if cond.key not in wanted or cond.negated or cond.base == "null":
            continue
        kind, detail = _source_condition(cond)
        if kind == "never":
            never = never or detail
        elif kind == "open":
            unscoped = unscoped or detail
        elif kind == "unknown":
            scope_open = Unknown(detail) if scope_open is None else scope_open
        else:
            pinned.append(cond.key_text)
            if kind == "pinned?":  # pins the caller if it matches at all
                grant_open = Unknown(detail) if grant_open is None else grant_open
    if never is not None:
        return SourceReading(False, False, never)
    matches: Tri = grant_open if grant_open is not None else True
    if pinned:
        return SourceReading(matches, True, "" if grant_open is None else grant_open.reason,
                             tuple(dict.fromkeys(pinned)))
    if scope_open is not None:
        return SourceReading(matches, scope_open, scope_open.reason)
    return SourceReading(matches, False, unscoped or "")


def _absent_for_services(cond: Condition) -> bool:
    """Whether the condition is false for every request an AWS service principal makes: it
    needs a key such requests never carry (a positive operator without IfExists: on a missing
    key those are false; ForAllValues is true on a missing key; `Null false` demands it)."""
    if cond.key not in ABSENT_FOR_SERVICES:
        return False
    if cond.base == "null":
        return all(isinstance(v, str) and v.lower() == "false" for v in cond.values)
    return not (cond.negated or cond.if_exists or cond.qualifier == "forallvalues")


def _source_condition(cond: Condition) -> tuple[str, str]:
    """One source-key condition as a kind and the text that explains it. Kinds: "never" (no
    real source value satisfies it), "open" (another account's resource does), "unknown",
    "pinned" (only one account's resources do), "pinned?" (pinned if it matches at all, which
    an unknown value decides). Values are alternatives: an open one opens the condition."""
    kinds: dict[str, str] = {}
    for value in cond.values:
        kind, detail = _source_value(cond, value)
        kinds.setdefault(kind, detail)
    for kind in ("open", "unknown", "pinned", "pinned?"):
        if kind in kinds:
            return kind, kinds[kind]
    literal = ", ".join(_pattern_shown(v) for v in cond.values)
    return "never", (f"{cond.operator} {cond.key_text} {literal}: {cond.base_shown} compares "
                     f"* and ? as plain characters and no real {cond.key_text} contains them, so "
                     "the condition never holds")


def _source_value(cond: Condition, value: Value) -> tuple[str, str]:
    shown = f"{cond.operator} {cond.key_text} {_pattern_shown(value)}"
    exact = cond.base in EXACT_OPERATORS
    if isinstance(value, Unknown) and not isinstance(value, PartlyKnown):
        if isinstance(value, Computed):  # set at deploy: a real value, no wildcard in it
            return "pinned", shown
        detail = f"{cond.operator} {cond.key_text}: {value.reason}"
        return ("pinned?" if exact else "unknown"), detail
    # a string, or one with unknown stretches (GAP); a stretch set at deploy is a real value
    text = value if isinstance(value, str) else "".join(
        GAP if p is None else p for p in value.parts)
    settled = isinstance(value, (str, Computed))
    wild = "*" in text or "?" in text
    if "${" in text:
        return "unknown", f"{shown} uses a policy variable"
    if exact:
        if wild:
            return "never", shown
        return ("pinned", shown) if settled else ("pinned?", f"{shown} ({_reason(value)})")
    if cond.base not in PATTERN_OPERATORS:
        return "pinned", shown  # another positive test of the key: it names the caller
    if cond.key in ACCOUNT_KEYS:
        account = text
    else:
        fields = text.split(":")
        if len(fields) < 6:  # the account is not a field of its own
            if not wild and GAP not in text:
                return "never", shown
            account = "*" if wild else GAP
        else:
            account = fields[4]
    if "*" in account or "?" in account:
        return "open", f"{shown}: its wildcard for the account lets other accounts' resources in"
    if GAP in account and not settled:
        return "unknown", f"{shown}: its account is unknown ({_reason(value)})"
    return "pinned", shown


def _pattern_shown(value: Value) -> str:
    """A value for a message, unknown stretches as `${...}` so the known ones stay readable."""
    if isinstance(value, PartlyKnown):
        return "".join("${...}" if p is None else p for p in value.parts)
    return _show(value)


def _reason(value: Value) -> str:
    return value.reason if isinstance(value, Unknown) else ""


# ---------------------------------------------------------------------------------------------
# Helpers


def _contains(
    values: Iterable[Value],
    wanted: str,
    normalize: Callable[[str], str] | None = None,
    match: Callable[[str, str], bool] | None = None,
) -> Tri:
    """Tri-state membership: True on a definite match, else Unknown if some value is unknown
    (and, compared for equality, could be the wanted one)."""
    unknown: Unknown | None = None
    for value in values:
        if isinstance(value, Unknown):
            if match is None and isinstance(value, PartlyKnown) and not value.can_be(
                wanted, ignore_case=normalize is str.lower
            ):
                continue  # its known stretches already tell it apart
            unknown = value if unknown is None else unknown
            continue
        if match is not None:
            if match(value, wanted):
                return True
        elif (normalize(value) if normalize else value) == wanted:
            return True
    return unknown if unknown is not None else False


def _json_kind(value: object) -> str:
    """What a JSON value is, in JSON's words (never a Python type name)."""
    return "an object" if isinstance(value, Mapping) else "a list" if isinstance(
        value, (list, tuple)) else "a value that is not text"


def _show(value: Value) -> str:
    return value if isinstance(value, str) else f"<{value.reason}>"

"""The CloudTrail table: the record's fields as the Athena CloudTrail table types them.

The columns and their types follow the `CREATE EXTERNAL TABLE` of the Athena User Guide, "Create
the table for CloudTrail logs in Athena using partition projection" (read 2026): scalar fields are
STRING, `userIdentity`, `addendum` and `tlsDetails` are structs, `resources` an array of structs,
and the free-form fields (`requestParameters`, `responseElements`, `additionalEventData`,
`serviceEventDetails`, `edgeDeviceDetails`) are STRING columns holding the field's JSON text.
One column is added: `managementevent`, which records written before `eventCategory` existed
need to tell data events from management events.

Column names are the record's keys in lower case (Athena's JSON SerDe matches keys without regard
to case); DuckDB reads the same fields with their record spelling (`eventSource`), and SQL
identifiers are case-insensitive, so one query runs on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "bool", "json", "struct", "array", "map"]


@dataclass(frozen=True)
class Field:
    """One field of the record. `bool` fields are JSON booleans the table types as STRING."""

    key: str
    kind: Kind = "text"
    children: tuple[Field, ...] = ()

    @property
    def column(self) -> str:
        return self.key.lower()

    def child(self, key: str) -> Field | None:
        return next((c for c in self.children if c.key == key), None)


def _s(*keys: str) -> tuple[Field, ...]:
    return tuple(Field(k) for k in keys)


USER_IDENTITY = Field("userIdentity", "struct", (
    *_s("type", "principalId", "arn", "accountId", "invokedBy", "accessKeyId", "userName"),
    Field("onBehalfOf", "struct", _s("userId", "identityStoreArn")),
    Field("sessionContext", "struct", (
        Field("attributes", "struct", _s("mfaAuthenticated", "creationDate")),
        Field("sessionIssuer", "struct", _s("type", "principalId", "arn", "accountId", "userName")),
        Field("ec2RoleDelivery"),
        Field("webIdFederationData", "struct", (
            Field("federatedProvider"), Field("attributes", "map"),
        )),
    )),
))  # fmt: skip

FIELDS: tuple[Field, ...] = (
    Field("eventVersion"),
    USER_IDENTITY,
    *_s("eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "userAgent",
        "errorCode", "errorMessage"),
    Field("requestParameters", "json"),
    Field("responseElements", "json"),
    Field("additionalEventData", "json"),
    *_s("requestID", "eventID"),
    Field("readOnly", "bool"),
    Field("resources", "array", _s("ARN", "accountId", "type")),
    *_s("eventType", "apiVersion", "recipientAccountId"),
    Field("serviceEventDetails", "json"),
    *_s("sharedEventID", "vpcEndpointId", "vpcEndpointAccountId", "eventCategory"),
    Field("addendum", "struct", _s("reason", "updatedFields", "originalRequestID",
                                   "originalEventID")),
    Field("sessionCredentialFromConsole"),
    Field("edgeDeviceDetails", "json"),
    Field("tlsDetails", "struct", _s("tlsVersion", "cipherSuite", "clientProvidedHostHeader")),
    Field("managementEvent", "bool"),
)  # fmt: skip

BY_KEY: Mapping[str, Field] = {f.key: f for f in FIELDS}

# Paths (record keys) of the fields the capture decision and the summaries read.
CORE_PATHS: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split(".")) for p in (
        "eventTime", "eventID", "eventSource", "eventName", "awsRegion", "recipientAccountId",
        "eventCategory", "eventType", "managementEvent", "readOnly", "errorCode",
        "vpcEndpointId", "sessionCredentialFromConsole", "userIdentity.arn",
        "tlsDetails.clientProvidedHostHeader", "resources",
    )
)  # fmt: skip


def resolve(path: Iterable[str]) -> Field | None:
    """The field at a path of record keys (struct members), or None when the table has none."""
    steps = list(path)
    current = BY_KEY.get(steps[0]) if steps else None
    for key in steps[1:]:
        if current is None or current.kind != "struct":
            return None
        current = current.child(key)
    return current


# ---------------------------------------------------------------------------------------------
# Types


def athena_type(field: Field) -> str:
    if field.kind == "struct":
        inner = ", ".join(f"{c.column}: {athena_type(c)}" for c in field.children)
        return f"STRUCT<{inner}>"
    if field.kind == "array":
        inner = ", ".join(f"{c.column}: {athena_type(c)}" for c in field.children)
        return f"ARRAY<STRUCT<{inner}>>"
    if field.kind == "map":
        return "MAP<STRING, STRING>"
    return "STRING"


def duckdb_type(field: Field, keep: PathTree | None = None, *, spelling: str = "key") -> str:
    """The DuckDB type that reads `field`; `keep` prunes struct members to the ones read.
    `spelling` "key" names struct members as the record does (read_json matches names exactly);
    "column" in lower case (the Athena schema)."""
    keep = keep or None
    if field.kind in ("struct", "array"):
        members = [
            c for c in field.children if keep is None or keep.get(c.key) is not None
        ]
        inner = ", ".join(
            f'"{c.key if spelling == "key" else c.column}" '
            f"{duckdb_type(c, keep.get(c.key) if keep else None, spelling=spelling)}"
            for c in members
        )
        return f"STRUCT({inner})" + ("[]" if field.kind == "array" else "")
    if field.kind == "map":
        return "MAP(VARCHAR, VARCHAR)"
    if field.kind == "json":
        return "JSON" if spelling == "key" else "VARCHAR"
    return "VARCHAR"


PathTree = dict[str, "PathTree"]  # record keys -> the members read below them ({} = all)


def path_tree(paths: Iterable[tuple[str, ...]]) -> PathTree:
    """The set of read paths as a tree; a path that ends on a struct keeps all its members."""
    tree: PathTree = {}
    for path in paths:
        node = tree
        field: Field | None = None
        for i, key in enumerate(path):
            field = BY_KEY.get(key) if i == 0 else (field.child(key) if field else None)
            node = node.setdefault(key, {})
        if field is not None and field.kind in ("struct", "array"):
            _fill(node, field)
    return tree


def _fill(node: PathTree, field: Field) -> None:
    for c in field.children:
        _fill(node.setdefault(c.key, {}), c)


def read_json_columns(tree: PathTree) -> dict[str, str]:
    """read_json's `columns` argument for the fields in `tree` (top-level key -> DuckDB type)."""
    out: dict[str, str] = {}
    for f in FIELDS:
        if f.key in tree:
            out[f.key] = duckdb_type(f, tree[f.key] or None)
    return out


def athena_columns(fields: Iterable[Field] = FIELDS) -> list[tuple[str, str]]:
    return [(f.column, athena_type(f)) for f in fields]

"""IAM policy documents: `data "aws_iam_policy_document"` rendered to the JSON policy AWS gets
(policy strings are read back into documents by `jsontext`).

The rendering follows the AWS provider's: a single action, resource or condition value is
written as a string and several as a reverse-sorted list; principals of one type are merged; a
`*`/`*` principal is written `"*"`; statements of `source_policy_documents` come first and
`override_policy_documents` replace statements with the same Sid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from checker.loaders.terraform.eval import evaluate, render
from checker.loaders.terraform.expansion import nested_blocks
from checker.loaders.terraform.jsontext import read_json_document, to_leaf
from checker.loaders.terraform.nodes import Tup
from checker.loaders.terraform.values import Invalid, Scope, plain
from checker.model import Unknown

if TYPE_CHECKING:
    from checker.loaders.terraform.syntax import Block


def render_policy_document(block: Block, scope: Scope, what: str) -> Any:
    """The policy document of the `aws_iam_policy_document` data source `what` (its block,
    evaluated in `scope`): a dict whose leaves may be Unknown, or Unknown when its structure
    itself is unknown."""
    doc: dict[str, Any] = {}
    version = _arg(block, "version", scope)
    doc["Version"] = version if version is not None else "2012-10-17"
    policy_id = _arg(block, "policy_id", scope)
    if policy_id is not None:
        doc["Id"] = policy_id
    statements: list[Any] = []
    for source in _documents(block, "source_policy_documents", scope):
        if isinstance(source, Unknown):
            return _explain_doc(what, "source_policy_documents", source)
        statements = _merge(statements, _statements(source))
    own: list[Any] = []
    blocks = nested_blocks(block, "statement", scope, what)
    if isinstance(blocks, Unknown):
        return blocks
    for sblock, sscope in blocks:
        st = _statement(sblock, sscope, what)
        if isinstance(st, Unknown):
            return st
        own.append(st)
    statements = _merge(statements, own)
    for override in _documents(block, "override_policy_documents", scope):
        if isinstance(override, Unknown):
            return _explain_doc(what, "override_policy_documents", override)
        statements = _merge(statements, _statements(override))
    if "override_json" in block.attrs or "source_json" in block.attrs:
        return Unknown(f"{what} uses source_json/override_json, which trailcheck does not evaluate")
    doc["Statement"] = statements
    return doc


def _explain_doc(what: str, attr: str, u: Unknown) -> Unknown:
    return Unknown(f"the policy of {what} is unknown: {attr} is unknown ({u.reason})")


def _arg(block: Block, name: str, scope: Scope) -> Any:
    attr = block.attrs.get(name)
    if attr is None:
        return None
    return to_leaf(plain(evaluate(attr.node, scope)))


def _documents(block: Block, name: str, scope: Scope) -> list[Any]:
    attr = block.attrs.get(name)
    if attr is None:
        return []
    value = plain(evaluate(attr.node, scope))
    if isinstance(value, Unknown):
        return [value]
    if not isinstance(value, list):
        return [Invalid(f"{name} is not a list")]
    return [read_json_document(v) for v in value if v is not None]


def _statements(doc: Any) -> list[Any]:
    if isinstance(doc, Mapping):
        st = doc.get("Statement", [])
        return list(st) if isinstance(st, list) else [st]
    return []


def _merge(base: list[Any], new: list[Any]) -> list[Any]:
    """Statements of `new` replace those of `base` with the same Sid; others are appended."""
    out = list(base)
    for st in new:
        sid = st.get("Sid") if isinstance(st, Mapping) else None
        if isinstance(sid, str) and sid:
            for i, old in enumerate(out):
                if isinstance(old, Mapping) and old.get("Sid") == sid:
                    out[i] = st
                    break
            else:
                out.append(st)
        else:
            out.append(st)
    return out


_LISTS = (
    ("actions", "Action"),
    ("not_actions", "NotAction"),
    ("resources", "Resource"),
    ("not_resources", "NotResource"),
)


def _statement(block: Block, scope: Scope, what: str) -> dict[str, Any] | Unknown:
    st: dict[str, Any] = {}
    sid = _arg(block, "sid", scope)
    st["Sid"] = sid if sid is not None else ""
    effect = _arg(block, "effect", scope)
    st["Effect"] = effect if effect is not None else "Allow"
    for attr, key in _LISTS:
        value = _string_list(block, attr, scope, what)
        if value is not None:
            st[key] = value
    for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = nested_blocks(block, attr, scope, what)
        if isinstance(blocks, Unknown):
            return blocks
        if blocks:
            st[key] = _principals(
                [(_arg(b, "type", s), _string_list(b, "identifiers", s, what)) for b, s in blocks]
            )
    conditions = nested_blocks(block, "condition", scope, what)
    if isinstance(conditions, Unknown):
        return conditions
    if conditions:
        cond: dict[str, Any] = {}
        for b, s in conditions:
            test = _arg(b, "test", s)
            variable = _arg(b, "variable", s)
            if not isinstance(test, str) or not isinstance(variable, str):
                return Unknown(f"a condition of {what} has an unknown test or variable")
            values = _string_list(b, "values", s, what, sort=False)
            cond.setdefault(test, {})[variable] = values
        st["Condition"] = cond
    return st


def _string_list(block: Block, name: str, scope: Scope, what: str, *, sort: bool = True) -> Any:
    attr = block.attrs.get(name)
    if attr is None:
        return None
    value = plain(evaluate(attr.node, scope))
    if isinstance(value, Unknown):
        return to_leaf(value)
    if value is None:
        return None
    if not isinstance(value, list):
        value = [value]
    items = [to_leaf(v) if v is not None else _null(attr.node, i, len(value), name)
             for i, v in enumerate(value)]
    if len(items) == 1:
        return items[0]
    if sort and all(isinstance(i, str) for i in items):
        return sorted(set(items), reverse=True)
    return items


def _null(node: Any, index: int, count: int, name: str) -> Unknown:
    """A null in a list of policy values (a variable left at its null default): no value, so
    an Unknown naming the expression it came from, and how to give it one."""
    written = node.items[index] if type(node) is Tup and len(node.items) == count else None
    expr = render(written) if written is not None else f"an element of {name}"
    var = re.fullmatch(r"var\.([\w-]+)", expr)
    hint = f"; give it a value, e.g. --var {var.group(1)}=VALUE" if var else ""
    return Unknown(f"{expr} is null{hint}")


def _principals(entries: list[tuple[Any, Any]]) -> Any:
    if len(entries) == 1 and entries[0][0] == "*" and entries[0][1] in ("*", ["*"]):
        return "*"
    out: dict[str, Any] = {}
    for ptype, ids in entries:
        if not isinstance(ptype, str):
            return Unknown("a principal type is unknown")
        new = ids if isinstance(ids, list) else [ids]
        old = out.get(ptype)
        if old is None:
            out[ptype] = ids
        else:
            out[ptype] = (old if isinstance(old, list) else [old]) + new
    return out

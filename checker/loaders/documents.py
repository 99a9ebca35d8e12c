"""JSON documents checked against the shape a loader reads (a JSON Schema in
`checker/schemas/`), with the line of the first problem, for plans and snapshots."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from checker.loaders.located import SourceError, line_at
from checker.loaders.located_json import parse_json
from checker.resources import schema_path


@cache
def _schema(name: str) -> dict[str, Any]:
    with open(schema_path(name), encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def schema_problem(doc: Any, schema: str, what: str) -> tuple[str, tuple[Any, ...]] | None:
    """The most relevant violation of `schema` by `doc`, as (message, path into doc)."""
    import jsonschema  # lazily: only these documents need it

    validator = jsonschema.Draft202012Validator(_schema(schema))
    try:
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
    except RecursionError:
        return f"{what} is nested too deeply to read", ()
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "the top level"
    return f"{what} does not have the expected shape at {where}: {error.message}", tuple(
        error.absolute_path
    )


def lines_tree(text: str) -> Any:
    """The document again, with the line of every value; None when that cannot be read."""
    try:
        return parse_json(text)
    except SourceError:
        return None


def line_in(tree: Any, path: tuple[Any, ...]) -> int:
    """The line of `path` in a `lines_tree`, 1 when it is not known."""
    return (line_at(tree, path) if tree is not None else 0) or 1

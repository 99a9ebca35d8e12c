"""One query, four engines: the DuckDB-dialect text the compiler writes, rendered by sqlglot for
DuckDB, Athena (engine 3, Trino-based), Trino and Spark SQL.

sqlglot translates the functions and lambdas; four spots need a rule of ours, applied to the
parsed tree before it is written:
- `json_type(doc, path)` (the JSON type of a value, which the filter semantics need) has no
  Trino or Spark twin: Trino reads the first character of `json_format(json_extract(...))`;
  Spark, whose `get_json_object` returns text, tells numbers, booleans, objects and arrays by
  their spelling and takes the rest for strings (a string that looks like a number or a boolean
  is then misread: the one approximation of the Spark rendering);
- `ends_with` is written as a `substr` from the end, and `to_json` as `json_format(CAST(... AS
  JSON))`, for Trino and Athena;
- `list_sum` becomes `reduce` (Trino, Athena) and `aggregate` (Spark);
- `strlen` (a length in bytes) becomes `length(to_utf8(...))` (Trino, Athena) and
  `octet_length` (Spark).
"""

from __future__ import annotations

from typing import Any, Literal

Dialect = Literal["duckdb", "athena", "trino", "spark"]
DIALECTS: tuple[Dialect, ...] = ("duckdb", "athena", "trino", "spark")

_TRINO_JSON_TYPE = (
    "CASE WHEN json_extract({doc}, {path}) IS NULL THEN NULL ELSE "
    "CASE substr(json_format(json_extract({doc}, {path})), 1, 1) WHEN '\"' THEN 'VARCHAR' "
    "WHEN '{{' THEN 'OBJECT' WHEN '[' THEN 'ARRAY' WHEN 't' THEN 'BOOLEAN' "
    "WHEN 'f' THEN 'BOOLEAN' WHEN 'n' THEN 'NULL' ELSE 'DOUBLE' END END"
)
_SPARK_JSON_TYPE = (
    "CASE WHEN get_json_object({doc}, {path}) IS NULL THEN NULL "
    "WHEN get_json_object({doc}, {path}) RLIKE '^-?[0-9]' THEN 'DOUBLE' "
    "WHEN get_json_object({doc}, {path}) IN ('true', 'false') THEN 'BOOLEAN' "
    "WHEN substr(get_json_object({doc}, {path}), 1, 1) = '{{' THEN 'OBJECT' "
    "WHEN substr(get_json_object({doc}, {path}), 1, 1) = '[' THEN 'ARRAY' ELSE 'VARCHAR' END"
)


def render(sql: str, dialect: Dialect, *, pretty: bool = True) -> str:
    """`sql` (DuckDB dialect) written for `dialect`."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    if dialect != "duckdb":
        target = "trino" if dialect == "athena" else dialect

        def rewrite(node: Any) -> Any:
            name = _function_name(node)
            if name == "JSON_TYPE":
                doc, path = (a.sql(dialect=target) for a in _args(node))
                template = _SPARK_JSON_TYPE if dialect == "spark" else _TRINO_JSON_TYPE
                return sqlglot.parse_one(template.format(doc=doc, path=path), read=target)
            if name == "LIST_SUM":
                (items,) = _args(node)
                text = items.transform(rewrite).sql(dialect=target)
                total = (f"aggregate({text}, 0, (s, v) -> s + v)" if dialect == "spark"
                         else f"reduce({text}, 0, (s, v) -> s + v, s -> s)")  # fmt: skip
                return sqlglot.parse_one(total, read=target)
            if name == "STRLEN":  # a text's length in bytes
                (text,) = _args(node)
                value = text.sql(dialect=target)
                length = (f"octet_length({value})" if dialect == "spark"
                          else f"length(to_utf8({value}))")  # fmt: skip
                return sqlglot.parse_one(length, read=target)
            if name == "TO_JSON" and dialect in ("athena", "trino"):
                (value,) = _args(node)
                return sqlglot.parse_one(f"json_format(CAST({value.sql(dialect=target)} AS JSON))",
                                         read=target)  # fmt: skip
            if name == "ENDS_WITH" and dialect in ("athena", "trino"):
                text, suffix = _args(node)
                if isinstance(suffix, exp.Literal) and suffix.is_string:
                    n = len(suffix.this)
                    return exp.EQ(
                        this=exp.Substring(this=text, start=exp.Literal.number(-n)),
                        expression=suffix,
                    )
            return node

        tree = tree.transform(rewrite)
    out: str = tree.sql(dialect=dialect, pretty=pretty)
    return out


def _function_name(node: Any) -> str | None:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return str(node.name).upper()
    if isinstance(node, exp.EndsWith):
        return "ENDS_WITH"
    if type(node).__name__ == "JSONType":
        return "JSON_TYPE"
    return None


def _args(node: Any) -> list[Any]:
    from sqlglot import exp

    if isinstance(node, exp.Anonymous):
        return list(node.expressions)
    return [a for a in (node.this, node.args.get("expression"), node.args.get("path")) if a]

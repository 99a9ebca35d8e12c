"""Replaying CloudTrail logs at scale: streaming inputs, predicates compiled to SQL (DuckDB,
Athena, Trino, Spark), summaries and cost."""

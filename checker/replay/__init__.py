"""Replaying CloudTrail logs at scale: streaming inputs, predicates compiled to SQL (DuckDB,\nAthena, Trino, Spark), summaries and cost."""

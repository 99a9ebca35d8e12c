"""Regression mode: what two configurations capture, compared (`trailcheck diff BASE HEAD`).

- `sources`  resolves BASE and HEAD (folders, files, or git revisions read without touching the
             work tree) to folders on disk;
- `probes`   per-trail capture probes: which S3 object and management events a trail records;
- `compare`  the pure comparison of two estates into a list of `Change`s;
- `accept`   the config file's `accept` entries applied to the losses;
- `render`   text, JSON and Markdown.
"""

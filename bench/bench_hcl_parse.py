#!/usr/bin/env python3
"""Throughput of the HCL parser of record, and its agreement with python-hcl2 (the oracle).

    python bench/bench_hcl_parse.py DIR [DIR ...] [--runs 3] [--oracle]

For each folder: the .tf files under it (read once), whole-file `syntax.parse_file`, best of
--runs in CPU seconds (steadier than wall time on a shared machine), as MB/s; the lexer alone
too. With --oracle (python-hcl2 installed: the `test` extra), also python-hcl2's parse of the
same files (lark, parse only) and the agreement counts of docs/dev/hcl-parser.md: validity, and
literal attribute values (normalised as tests/loaders/hcl_oracle.py says).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from checker.loaders.terraform.lexer import lex  # noqa: E402
from checker.loaders.terraform.syntax import parse_file  # noqa: E402


def tf_texts(folder: str) -> list[tuple[str, str]]:
    out = []
    for d, _, names in os.walk(folder):
        for name in sorted(names):
            if name.endswith(".tf"):
                path = os.path.join(d, name)
                with contextlib.suppress(UnicodeDecodeError):
                    out.append((path, Path(path).read_bytes().decode("utf-8-sig")))
    return out


def best_cpu(fn: object, texts: list[str], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for t in texts:
            fn(t)  # type: ignore[operator]
        best = min(best, time.process_time() - start)
    return best


def oracle(files: list[tuple[str, str]], runs: int) -> list[str]:
    sys.path.insert(0, str(REPO / "tests" / "loaders"))
    import hcl2.parser
    from hcl_oracle import as_hcl2, compare, hcl2_load  # type: ignore[import-not-found]
    from lark import Lark

    texts = [t + "\n" for _, t in files]
    size = sum(len(t.encode()) for t in texts) / 1e6
    lark = Lark.open("hcl2.lark", parser="lalr", rel_to=hcl2.parser.__file__,
                     propagate_positions=True)

    def lark_parse(text: str) -> None:
        with contextlib.suppress(Exception):  # a refused file costs the same
            lark.parse(text)

    seconds = best_cpu(lark_parse, texts, runs)
    validity: Counter[str] = Counter()
    agreed = disagreed = 0
    known: Counter[str] = Counter()
    for _, text in files:
        ours, theirs = parse_file(text), hcl2_load(text)
        validity[f"ours {'ok' if not ours.errors else 'error'}, "
                 f"python-hcl2 {'ok' if theirs is not None else 'error'}"] += 1
        if ours.errors or theirs is None:
            continue
        a, bad, k = compare(as_hcl2(ours), theirs)
        agreed += a
        disagreed += len(bad)
        known.update(why for _, why in k)
    lines = [f"python-hcl2 (lark, parse only): {size / seconds:.2f} MB/s",
             "validity: " + ", ".join(f"{k}: {v}" for k, v in sorted(validity.items())),
             f"literal values: {agreed} agree, {disagreed} disagree"]
    lines += [f"  known difference, {n}x: {why}" for why, n in known.most_common()]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--oracle", action="store_true")
    args = ap.parse_args()
    print("| workload | files | MB | lex MB/s | parse MB/s | files with errors |")
    print("|---|---|---|---|---|---|")
    notes = []
    for folder in args.folders:
        files = tf_texts(folder)
        texts = [t for _, t in files]
        size = sum(len(t.encode()) for t in texts) / 1e6
        lexing = best_cpu(lex, texts, args.runs)
        parsing = best_cpu(parse_file, texts, args.runs)
        broken = sum(1 for t in texts if parse_file(t).errors)
        print(f"| {folder} | {len(texts)} | {size:.2f} | {size / lexing:.2f} | "
              f"{size / parsing:.2f} | {broken} |")
        if args.oracle:
            notes.append((folder, oracle(files, args.runs)))
    for folder, lines in notes:
        print(f"\n{folder}:")
        for line in lines:
            print(f"  {line}")


if __name__ == "__main__":
    main()

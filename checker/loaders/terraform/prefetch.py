"""Reading many module folders at once, with their tokens made in forked worker processes.

Parsing is most of loading a large tree (the files that can hold a `module` block, `Folder.eager`,
then those that can hold a mapped resource, `Folder.seed_files`), and about 60% of parsing is the
lexer. A parsed tree is costly to send back from a worker (pickling
calls Python per node, and the same again to rebuild it here), tokens are not: they are plain
tuples of strings and numbers, which `pickle` writes and reads in C. So the workers lex, and this
process parses from their tokens while they lex the next files; it lexes and parses a small share
itself first, while the workers make their first tokens. Lexing is a pure function of the text,
so the trees, and everything after them, are the serial run's.
"""

from __future__ import annotations

import gc
from pathlib import Path

from checker import parallel
from checker.loaders.reading import LoadOptions
from checker.loaders.terraform.files import SourceFile
from checker.loaders.terraform.folder import Folder
from checker.loaders.terraform.syntax import Lexed, lex

# Lexing in a worker pays from about this many files to parse (its first slice of tokens comes
# back after some 30 ms).
PARALLEL_LEX_FILES = 200
# The share of the text this process lexes itself, by the number of lexing workers beside it:
# with one, the share that ends both together (measured on the real collection: 0.12 left this
# process waiting 0.11 s for the worker, 0.22 some 0.03 s, 0.30 kept it busy longer); with more,
# parsing from their tokens is all it can keep up with.
_OWN_SHARE = {1: 0.22, 2: 0.0}


def read_folders(paths: list[Path], options: LoadOptions) -> dict[Path, Folder]:
    """The folders `paths`, read but not indexed (`Folder.index`), with the files they parse at
    once already parsed (`parse_files`)."""
    folders = {p: Folder(p, options, index=False) for p in paths}
    parse_files([sf for f in folders.values() for sf in f.eager], options)
    return folders


def parse_files(files: list[SourceFile], options: LoadOptions) -> None:
    """Parse `files` (those not parsed yet), their tokens made in worker processes; when one
    process would do (`options.jobs`, or too few files), they are left to be parsed when
    indexed, as before."""
    todo = [sf for sf in files if not sf.parsed]
    processes = parallel.workers(options.jobs, len(todo), PARALLEL_LEX_FILES)
    if processes <= 1:
        return
    texts = [sf.text or "" for sf in todo]
    # this process lexes and parses the last files itself while the workers lex the first
    total = sum(len(t) for t in texts)
    cut, seen = len(texts), 0
    while cut > 0 and seen + len(texts[cut - 1]) <= total * _OWN_SHARE[min(processes - 1, 2)]:
        cut -= 1
        seen += len(texts[cut])

    def lex_slice(start: int, stop: int) -> list[Lexed]:
        gc.disable()  # a worker's tokens live until it returns them: collecting is waste
        return [lex(texts[i]) for i in range(start, stop)]

    enabled = gc.isenabled()
    gc.disable()  # the trees are kept; so are the tokens until their file is parsed
    try:
        lexed = parallel.iter_slices(lex_slice, cut, processes - 1)
        for sf in todo[cut:]:
            sf.parse()
        k = 0
        for chunk in lexed:
            for tokens in chunk:
                todo[k].parse(tokens)
                k += 1
    finally:
        if enabled:
            gc.enable()

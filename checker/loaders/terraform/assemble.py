"""The estate a Terraform load makes: the root modules' objects, and every input error once, in
its unit (syntax errors, unreadable files, blocks judged as one instance). The serial load and
the pool of processes (loader.py) both end here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from checker.loaders.terraform.files import INLINE_MARKER, Decl
from checker.loaders.terraform.folder import Folder
from checker.loaders.terraform.units import in_units
from checker.model import Diagnostic, Estate, InputFile, Location, Unknown

# What `assemble` reads of a folder: its read errors, and each file's name, syntax errors and
# text when it holds inline suppressions ("" when it holds none: `InputFile.suppression_text`)
FolderStatus = tuple[list[Estate], list[tuple[str, list[tuple[int, str]], str]]]
# address -> (file, line, reason) of a block judged as one instance `x[*]`
Expansions = dict[str, tuple[str, int, str]]


def folder_status(folder: Folder) -> FolderStatus:
    return folder.read_errors, [
        (sf.display, sf.errors, sf.text if sf.text and INLINE_MARKER in sf.text else "")
        for sf in folder.files
    ]


def expansion_table(items: Iterable[tuple[str, tuple[Decl, Unknown]]]) -> Expansions:
    return {a: (decl.file.display, decl.line, reason.reason) for a, (decl, reason) in items}


def assemble(
    folders: Iterable[FolderStatus],
    loader_diagnostics: Iterable[Diagnostic],
    loader_inputs: Iterable[InputFile],
    extra: Iterable[Estate],
    expansions: Expansions,
    per_root: list[Estate],
    owners: dict[str, set[str]],
) -> Estate:
    """The loaded estate: the roots' objects, and every input error once, in its unit
    (`owners`: each file's units, `_units_of_files`)."""
    inputs: list[InputFile] = []
    diagnostics: list[Diagnostic] = list(loader_diagnostics)
    parts: list[Estate] = list(extra)
    for read_errors, files in folders:
        for unreadable in read_errors:
            diagnostics.extend(unreadable.diagnostics)
            parts.append(replace(unreadable, diagnostics=()))
        for display, errors, suppressions in files:
            if errors:
                inputs.append(InputFile(display, "terraform", "error"))
                diagnostics.extend(
                    Diagnostic("CT000", "fail", message, Location(display, line), display)
                    for line, message in errors
                )
            else:
                inputs.append(InputFile(display, "terraform", "ok", suppressions))
    for address, (file, line, reason) in sorted(expansions.items()):
        diagnostics.append(
            Diagnostic(
                "CT000",
                "unknown",
                f"{address}: {reason}; judged as one instance whose per-instance values "
                "are unknown",
                Location(file, line),
                address,
            )
        )
    diagnostics = in_units(diagnostics, owners)
    core = Estate(inputs=tuple(inputs) + tuple(loader_inputs), diagnostics=tuple(diagnostics))
    return Estate.merge([core, *per_root, *parts])

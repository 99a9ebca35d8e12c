"""Terragrunt units (`terragrunt.hcl`): recognised, never evaluated.

Terragrunt deploys a Terraform module that its configuration names (`terraform { source }`,
often through `include` blocks), with files it generates and the `inputs` it passes as
variables (Terragrunt documentation, "Configuration Blocks and Attributes"). None of that is in
the folder as Terraform would read it, so trailcheck does not judge such a folder: one unknown
CT000 says so, rather than the unit being skipped without a word.
"""

from __future__ import annotations

from pathlib import Path

from checker.loaders.reading import LoadOptions, read_text
from checker.loaders.terraform.syntax import parse_file
from checker.model import Diagnostic, Estate, InputFile, Location


def load_terragrunt(path: Path, display: str, options: LoadOptions) -> Estate:
    text, err = read_text(path, display, "terraform")
    if err is not None:
        return err
    source, line = _module_source(text or "")
    what = f"the module it deploys (source {source})" if source else "the module it deploys"
    message = (
        f"a Terragrunt configuration: trailcheck does not run Terragrunt, so {what}, the files "
        "Terragrunt generates and the inputs it passes are not judged; scan the plan instead "
        "(terragrunt plan -out=tf.plan, then terragrunt show -json tf.plan > plan.json), or "
        "the module's source with its values in a --var-file"
    )
    return Estate(
        inputs=(InputFile(display, "terraform", "skipped"),),
        diagnostics=(Diagnostic("CT000", "unknown", message, Location(display, line), display),),
    )


def _module_source(text: str) -> tuple[str | None, int]:
    """The `source` of the file's `terraform` block as written, and the line to point at (that
    attribute, else the first line; an `include` may set the source instead)."""
    for block in parse_file(text).blocks:
        if block.type == "terraform" and "source" in block.attrs:
            attr = block.attrs["source"]
            return attr.src, attr.line
    return None, 1

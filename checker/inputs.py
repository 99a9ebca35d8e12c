"""What the loaders say of their inputs besides the objects they read: each input file and its
status, the findings only a source format can see, what a change deletes, and what could not be
read (`checker.model` re-exports every name here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from checker.location import NOWHERE, Location
from checker.unknowns import Unknown

InputKind = Literal[
    "terraform", "terraform-plan", "cloudformation", "awscli", "snapshot", "live", "unknown"
]


@dataclass(frozen=True)
class InputFile:
    path: str
    kind: InputKind
    status: Literal["ok", "error", "skipped"] = "ok"
    # A Terraform file's text as the loader read it when it holds inline suppressions, "" when
    # it holds none (None: not kept): they are read from it, not from the disk a second time.
    suppression_text: str | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Diagnostic:
    """A finding a loader makes while reading: CT000 for unreadable input, or a rule's finding
    that only the source format can see (CloudFormation's missing `IsLogging` is CT011)."""

    rule_id: str
    status: Literal["fail", "unknown"]
    message: str
    location: Location
    resource: str = ""


@dataclass(frozen=True)
class Removal:
    """A trail or event data store that the input deletes (a plan's `delete` action): after the
    change it records nothing, and its unit is judged though it may hold no recorder left."""

    id: str
    location: Location


UnreadKind = Literal["trails", "event_data_stores", "policies", "subscriptions"]


@dataclass(frozen=True)
class Unread:
    """A collection the inputs could not read, and why: the trails (DescribeTrails) or event data
    stores (ListEventDataStores) of one account and Region, the SCPs of an organization, or the
    subscriptions of one topic (`target`). Its objects are not in the estate, and that says
    nothing about them: the simulator and the rules answer unknown where they could change the
    answer (docs/semantics/live-audit.md, "What could not be read")."""

    collection: UnreadKind
    account_id: str  # "" when not known
    region: str  # "" for every Region of the account (or a collection without Regions)
    reason: str  # the failed call and its error, or the missing saved output
    target: str = ""  # the object whose part it is: a topic's ARN
    location: Location = field(default=NOWHERE, compare=False, repr=False)

    def unknown(self) -> Unknown:
        return Unknown(self.reason)

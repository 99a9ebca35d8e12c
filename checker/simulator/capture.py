"""Capture semantics: does a trail record an event, by which selector, and if not, why.

The order follows docs/semantics.md, "Capture": logging, account, Region (with global service
events), then selectors. Every stage is tri-state (`checker.tri`). A stage that definitely misses
decides the result even when another stage is unknown (a miss that holds whatever the unknown
value is stays a miss); otherwise any unknown stage makes the decision unknown with its reason;
an unknown value that no stage reads is never looked at.

`compile_trail` does the per-trail work once (selector tables, home Region, account) so that
`CompiledTrail.decide` only reads the event. `decide` is the one-call convenience. How one selector
is tested against an event is in `checker.simulator.selector_tests`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, Union

from checker.model import (
    EventDataStore,
    InsightSelector,
    MaybeStr,
    Trail,
    Tri,
    Unknown,
)
from checker.regions import is_unplaced, partition_of
from checker.simulator.events import Event
from checker.simulator.insights import insight_verdict
from checker.simulator.regions import is_global_service_event, unplaced_reason
from checker.simulator.selector_tests import AdvancedTest, BasicTest, _Outcome
from checker.simulator.selector_validity import store_rejection
from checker.simulator.verdict import Verdict
from checker.tri import FAIL, FAIL_CODE, PASS, PASS_CODE, UNKNOWN_CODE, Status, code_status, to_bool

Stage = Literal["logging", "account", "region", "global", "selectors"]

OrgAccounts = Union[tuple[str, ...], frozenset[str], Unknown]  # noqa: UP007 (a runtime alias)
MEMBERS_UNKNOWN = Unknown("organization members not known")

BASIC_DATA_TYPES = ("AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table")


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether one trail records one event: `status` pass (captured, as reports say), fail
    (missed) or unknown.

    `selector` describes the matching selector when captured. `stage` names the step that decided a
    miss or an unknown (logging, account, region, global, selectors); None when captured.
    """

    status: Status
    selector: str | None
    reason: str
    stage: Stage | None = None


# --------------------------------------------------------------------------------------------
# Small helpers


def _arn_region(arn: MaybeStr | None) -> str | None:
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":", 5)
        if len(parts) == 6 and parts[3]:
            return parts[3]
    return None


def _arn_partition(arn: MaybeStr | None) -> str | None:
    if isinstance(arn, str) and arn.startswith("arn:"):
        parts = arn.split(":", 2)
        if len(parts) == 3 and parts[1]:
            return parts[1]
    return None


# --------------------------------------------------------------------------------------------
# Trails


def _known(value: MaybeStr | None) -> str | None:
    return value if isinstance(value, str) and value else None


Recorder = Trail | EventDataStore
"""What records events: a trail, or a CloudTrail Lake event data store (same stages)."""
InsightSource = tuple[tuple[InsightSelector, ...] | Unknown, "CompiledTrail"]


@dataclass(frozen=True)
class TrailForm:
    """What `decide` reads of a trail once compiled. `members` None: organization members not
    known (every account counts); `default_label` set: no selectors (the defaults apply)."""

    logging_code: int
    account: str | None
    organization: Tri
    members: frozenset[str] | None
    home: str | None
    partition: str | None
    multi_region: Tri
    global_events: Tri
    selectors_unknown: bool
    default_label: str | None
    tests: tuple[BasicTest | AdvancedTest, ...]


class CompiledTrail:
    """A trail (or an event data store) prepared for many `decide` calls. `insight_sources` are,
    for an event data store, the source stores that send it their Insights events, each with its
    insight selectors; a trail generates its own."""

    __slots__ = (
        "_account", "_decisions", "_default_label", "_foreign", "_gse", "_home", "_home_unknown",
        "_insight_sources", "_logging", "_members", "_multi", "_org", "_partition",
        "_selector_unknown", "_tests", "noun", "trail",
    )  # fmt: skip

    def __init__(
        self,
        trail: Recorder,
        *,
        default_region: str | None = None,
        organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
        insight_sources: Sequence[InsightSource] = (),
    ) -> None:
        self.trail = trail
        self.noun = "event data store" if isinstance(trail, EventDataStore) else "trail"
        self._insight_sources = tuple(insight_sources)
        self._logging = self._logging_outcome(trail)
        self._decisions: dict[Decision, Decision] = {}
        # An IaC trail whose account is unknown is taken to be in the event's account (a choice:
        # docs/semantics.md, "Capture").
        self._account = _known(trail.account_id)
        self._foreign = trail.foreign_unit
        self._org = trail.is_organization
        self._members = (
            None if isinstance(organization_accounts, Unknown) else frozenset(organization_accounts)
        )
        home = _known(trail.home_region) or _arn_region(trail.arn) or default_region
        self._home = home
        self._home_unknown = (
            trail.home_region if isinstance(trail.home_region, Unknown)
            else Unknown(f"the {self.noun}'s home region is not known from the inputs")
        )  # fmt: skip
        self._partition = (partition_of(home) if home else None) or _arn_partition(trail.arn)
        self._multi = trail.is_multi_region
        self._gse = trail.include_global_service_events
        self._selector_unknown: Unknown | None = None
        self._default_label: str | None = None
        self._tests: tuple[BasicTest | AdvancedTest, ...] = ()
        selectors = trail.selectors
        if isinstance(selectors, Unknown):
            self._selector_unknown = selectors
        elif selectors.kind == "default":
            self._default_label = "default selectors (all management events)"
        elif selectors.kind == "basic":
            self._tests = tuple(BasicTest(s, i) for i, s in enumerate(selectors.basic, 1))
        else:
            self._tests = tuple(AdvancedTest(s, i) for i, s in enumerate(selectors.advanced, 1))

    def form(self) -> TrailForm:
        """The compiled form, for the SQL compiler (checker/replay/compile_capture.py)."""
        return TrailForm(
            self._logging[0], self._account, self._org, self._members, self._home,
            self._partition, self._multi, self._gse, self._selector_unknown is not None,
            self._default_label, self._tests,
        )  # fmt: skip

    @staticmethod
    def _logging_outcome(recorder: Recorder) -> _Outcome:
        value = recorder.is_logging
        if isinstance(recorder, EventDataStore):
            # CreateEventDataStore takes the selectors: a store AWS rejects is never created
            rejection = store_rejection(recorder)
            if rejection is not None and rejection.status == "fail":
                return FAIL_CODE, (f"the event data store is rejected by AWS, so it does not "
                                   f"exist and records nothing ({rejection.message})")
            whys = [] if rejection is None else [
                f"whether AWS accepts the event data store is unknown ({rejection.message})"
            ]
            if isinstance(value, Unknown):
                whys.append(f"whether the event data store ingests is unknown ({value.reason})")
            elif not value:
                return FAIL_CODE, f"the event data store is {recorder.status}, not ingesting events"
            return (UNKNOWN_CODE, "; ".join(whys)) if whys else (PASS_CODE, "")
        if isinstance(value, Unknown):
            return UNKNOWN_CODE, f"whether the trail is logging is unknown ({value.reason})"
        return (PASS_CODE, "") if value else (FAIL_CODE, "logging is off")

    # -- stages ---------------------------------------------------------------------------------

    def _account_outcome(self, event: Event) -> _Outcome:
        recipient = event.recipient_account_id
        own = self._account
        if self._foreign is not None:
            # a trail of another deployment unit, judged with this one: another account
            if recipient is not None and recipient == own:
                return PASS_CODE, ""
            where = f"the {self.noun} is deployed by {self._foreign}, in another account"
        elif recipient is None or own is None or recipient == own:
            return PASS_CODE, ""
        else:
            where = f"the event is in account {recipient}; the {self.noun} records account {own}"
        org = self._org
        if isinstance(org, Unknown):
            why = f"whether it is an organization {self.noun} is unknown ({org.reason})"
            return UNKNOWN_CODE, f"{where}, and {why}"
        if not org:
            return FAIL_CODE, where
        if self._members is None or recipient in self._members:
            # organization members unknown: every account counts as a member (docs/semantics.md)
            return PASS_CODE, ""
        if recipient is None:
            return UNKNOWN_CODE, f"{where}; whether this unit's account is a member is not known"
        return FAIL_CODE, f"account {recipient} is not a member of the {self.noun}'s organization"

    def _region_outcome(self, event: Event) -> _Outcome:
        region = event.aws_region
        multi, home = self._multi, self._home
        if multi is True:
            # [INF] a multi-region trail covers the Regions of its own partition (UG). With an
            # unknown home Region the partition is unknown too; it is taken to be the event's.
            if self._partition and partition_of(region) != self._partition:
                return FAIL_CODE, (f"multi-region {self.noun} in partition {self._partition}, "
                                   f"event in {region}")
            return PASS_CODE, ""
        if is_unplaced(region) and not isinstance(multi, Unknown):
            # recorded in an undocumented Region of its partition: only a multi-Region trail
            # (above) surely has it
            if home is not None and partition_of(home) != partition_of(region):
                return FAIL_CODE, f"single-region {self.noun} in {home}, event in {region}"
            return UNKNOWN_CODE, (f"which Region of {partition_of(region)} records it is not "
                                  f"known ({unplaced_reason(event)}); the {self.noun} records "
                                  "one Region only")  # fmt: skip
        if home is not None and region == home:
            return PASS_CODE, ""
        if isinstance(multi, Unknown):
            if self._partition and partition_of(region) != self._partition:
                # single- or multi-Region, it records only its own partition's Regions
                return FAIL_CODE, f"{self.noun} in partition {self._partition}, event in {region}"
            where = f"in {home}" if home else "with an unknown home region"
            return UNKNOWN_CODE, (
                f"the event is in {region}; whether the {self.noun} ({where}) is multi-region is "
                f"unknown ({multi.reason})"
            )
        if home is None:
            reason = self._home_unknown.reason
            why = f"single-region {self.noun} whose home region is unknown ({reason})"
            return UNKNOWN_CODE, why
        # Data events too: a single-Region trail logs data events only for resources in its Region
        # (UG23 logging-data-events); a data event's awsRegion is the resource's Region.
        return FAIL_CODE, f"single-region {self.noun} in {home}"

    def _global_outcome(self, event: Event) -> _Outcome:
        is_global = is_global_service_event(event)
        if is_global is False:
            return PASS_CODE, ""
        gse = self._gse
        if gse is True:
            return PASS_CODE, ""
        if is_global is None:
            why = "whether this STS call used the global endpoint is not in the record"
            if isinstance(gse, Unknown):
                gse_why = f"include_global_service_events is unknown ({gse.reason})"
                return UNKNOWN_CODE, f"{why}, and {gse_why}"
            return UNKNOWN_CODE, f"{why}, and the trail excludes global service events"
        if isinstance(gse, Unknown):
            return UNKNOWN_CODE, (
                f"global service event; include_global_service_events is unknown ({gse.reason})"
            )
        # Global service events reach a trail only with IncludeGlobalServiceEvents (UG concepts).
        return FAIL_CODE, (
            f"global service event ({event.event_source}); the trail excludes global service events"
        )

    def _selector_outcome(self, event: Event) -> _Outcome:
        if self._selector_unknown is not None:
            why = self._selector_unknown.reason
            return UNKNOWN_CODE, f"the {self.noun}'s event selectors are unknown ({why})"
        if self._default_label is not None:
            # No selectors: all read and write management events, nothing else (BC EventSelector).
            if event.event_category == "Management":
                return PASS_CODE, self._default_label
            return FAIL_CODE, (
                "the default selectors record management events only, "
                f"not {event.event_category} events"
            )
        if not self._tests:
            return FAIL_CODE, f"the {self.noun} has no event selectors"
        unknown = ""
        misses: list[str] = []
        for index, test in enumerate(self._tests, 1):
            code, why = test.match(event)
            if code == PASS_CODE:
                # selectors are OR'd: "If the event matches any event selector, the trail processes
                # and logs the event" (BC EventSelector / AdvancedEventSelector)
                return PASS_CODE, test.label
            if code == UNKNOWN_CODE and not unknown:
                unknown = f"selector {index}: {why}"
            elif code == FAIL_CODE:
                misses.append(f"selector {index}: {why}")
        if unknown:
            return UNKNOWN_CODE, unknown
        return FAIL_CODE, "no selector matches (" + "; ".join(misses) + ")"

    def _either_category(self, event: Event, unclassified: str) -> _Outcome:
        """The selectors on a record whose category is not known: asked as a management event
        and as a data event, the outcome both give, else unknown (never a guess)."""
        m_code, m_why = self._selector_outcome(replace(event, event_category="Management",
                                                       unclassified=None))  # fmt: skip
        d_code, d_why = self._selector_outcome(replace(event, event_category="Data",
                                                       unclassified=None))  # fmt: skip
        if m_code == d_code and m_why == d_why:
            return m_code, m_why
        if m_code == d_code == PASS_CODE:
            return PASS_CODE, f"{m_why} as a management event, {d_why} as a data event"
        if m_code == d_code == FAIL_CODE:
            head = "no selector matches " if m_why.startswith("no selector") else ""
            return FAIL_CODE, (f"{head}(as a management event: {m_why}; as a data event: "
                               f"{d_why})")  # fmt: skip
        words = {PASS_CODE: "recorded", FAIL_CODE: "not recorded", UNKNOWN_CODE: "unknown"}
        return UNKNOWN_CODE, (f"whether it is a management or a data event is not known "
                              f"({unclassified}); as a management event it is "
                              f"{words[m_code]}, as a data event {words[d_code]}")  # fmt: skip

    def records(self, event: Event) -> Verdict:
        """Whether the selectors alone (no logging, account or Region stage) select `event`."""
        code, why = self._selector_outcome(event)
        return Verdict(to_bool(code_status(code)), why)

    def _insight_outcome(self, event: Event) -> _Outcome:
        """A trail records the Insights events it generates; an event data store those its
        selectors select (eventCategory Insight) that a source store sends it (insights.py)."""
        if isinstance(self.trail, Trail):
            verdict = insight_verdict(event, self.trail.insight_selectors, self.records,
                                      "the trail")  # fmt: skip
        else:
            code, why = self._selector_outcome(event)
            if code == FAIL_CODE:
                return code, why
            if not self._insight_sources:
                return FAIL_CODE, "no event data store names this one as its Insights destination"
            verdicts = [(source.trail.id, insight_verdict(
                event, selectors, source.records, f"source event data store {source.trail.id}"))
                for selectors, source in self._insight_sources]  # fmt: skip
            hit = next(((sid, v) for sid, v in verdicts if v.match is True), None)
            if hit is not None:
                return (code, why) if code == UNKNOWN_CODE else (PASS_CODE, f"{why}, from {hit[0]} "
                                                               f"({hit[1].reason})")  # fmt: skip
            verdict = next((v for _, v in verdicts if v.match is None), verdicts[0][1])
        if verdict.match is None:
            return UNKNOWN_CODE, verdict.reason
        return (PASS_CODE, verdict.reason) if verdict.match else (FAIL_CODE, verdict.reason)

    def region_class(self, region: str) -> Hashable:
        """Equal for two Regions when events that differ only in their Region get the same
        Region outcome from this trail, reason included: callers simulate one Region of each
        class of Regions that every trail they ask puts together."""
        multi, home = self._multi, self._home
        if multi is True:
            same = not self._partition or partition_of(region) == self._partition
            return "inside" if same else region  # the reason names the event's Region
        if is_unplaced(region):
            return region
        if home is not None and region == home:
            return "home"
        if isinstance(multi, Unknown):
            return region  # the reason names the event's Region
        return "elsewhere"

    # -- the decision ---------------------------------------------------------------------------

    def decide(self, event: Event) -> Decision:
        # Decisions are values: one object per distinct decision (a scan makes millions)
        decision = self._decide(event)
        return self._decisions.setdefault(decision, decision)

    def _decide(self, event: Event) -> Decision:
        unknowns: list[tuple[Stage, str]] = []
        code, why = self._logging
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "logging")
        if code == UNKNOWN_CODE:
            unknowns.append(("logging", why))
        code, why = self._account_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "account")
        if code == UNKNOWN_CODE:
            unknowns.append(("account", why))
        code, why = self._region_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "region")
        if code == UNKNOWN_CODE:
            unknowns.append(("region", why))
        code, why = self._global_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "global")
        if code == UNKNOWN_CODE:
            unknowns.append(("global", why))
        if event.event_category == "Insight":
            code, why = self._insight_outcome(event)
        elif event.unclassified is not None:
            code, why = self._either_category(event, event.unclassified)
        else:
            code, why = self._selector_outcome(event)
        if code == FAIL_CODE:
            return Decision(FAIL, None, why, "selectors")
        if code == UNKNOWN_CODE:
            unknowns.append(("selectors", why))
        if unknowns:
            return Decision("unknown", None, "; ".join(w for _, w in unknowns), unknowns[0][0])
        return Decision(PASS, why, f"captured by {why}")


def compile_trail(
    trail: Recorder,
    *,
    default_region: str | None = None,
    organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
) -> CompiledTrail:
    return CompiledTrail(
        trail, default_region=default_region, organization_accounts=organization_accounts
    )


@lru_cache(maxsize=256)
def _cached(
    trail: Trail, names: tuple[str | None, ...], default_region: str | None, members: OrgAccounts
) -> CompiledTrail:
    # `names` is part of the key: selector names are left out of equality (model.py) but appear
    # in the descriptions a compiled trail returns.
    return CompiledTrail(trail, default_region=default_region, organization_accounts=members)


def decide(
    trail: Trail,
    event: Event,
    *,
    default_region: str | None = None,
    organization_accounts: OrgAccounts = MEMBERS_UNKNOWN,
) -> Decision:
    """Whether `trail` records `event`. For many events, `compile_trail` once and call its
    `decide`; this function caches the compiled form of recently used trails."""
    members = organization_accounts
    if isinstance(members, frozenset):
        members = tuple(sorted(members))
    selectors = trail.selectors
    names = () if isinstance(selectors, Unknown) else tuple(s.name for s in selectors.advanced)
    return _cached(trail, names, default_region, members).decide(event)

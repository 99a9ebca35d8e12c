"""Insights events: whether a trail (or an event data store's source) generates an Insights record.

CloudTrail writes an Insights event (`eventCategory` Insight, `eventType` AwsCloudTrailInsight)
when the call rate or the error rate of the API calls it analyses leaves its baseline. Facts, with
their sources, in docs/semantics/insights.md:

- A recorder generates the Insights events of the types its insight selectors enable; the record
  names its type in `insightDetails.insightType`.
- ApiCallRateInsight analyses write management events and ApiErrorRateInsight read and write
  management events, so the recorder must record such events of the analysed API
  (`insightDetails.eventSource` / `eventName`) for the Insights event to exist.
- An insight selector whose `EventCategories` lists only Data analyses data events; a record does
  not say which category it analysed, so such a selector gives an unknown answer.

The other stages (logging, account, Region) are the recorder's own and run on the record first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from checker.model import InsightSelector, Unknown
from checker.simulator.events import Event
from checker.simulator.verdict import Verdict, any_of, no, unknown, yes

CALL_RATE = "ApiCallRateInsight"
ERROR_RATE = "ApiErrorRateInsight"


def _details(event: Event) -> Mapping[str, object]:
    details = event.raw.get("insightDetails") if event.raw else None
    return details if isinstance(details, Mapping) else {}


def insight_type(event: Event) -> str | None:
    value = _details(event).get("insightType")
    return value if isinstance(value, str) and value else None


def analysed_events(event: Event, kind: str) -> tuple[Event, ...]:
    """The management events an Insights record of type `kind` is about: write events for the
    call rate, read or write events for the error rate."""
    details = _details(event)
    source, name = details.get("eventSource"), details.get("eventName")
    read_only = (False,) if kind == CALL_RATE else (False, True)
    return tuple(
        Event(
            event_source=source if isinstance(source, str) else "",
            event_name=name if isinstance(name, str) else "",
            aws_region=event.aws_region,
            event_category="Management",
            read_only=ro,
            recipient_account_id=event.recipient_account_id,
        )
        for ro in read_only
    )


def insight_verdict(
    event: Event,
    selectors: tuple[InsightSelector, ...] | Unknown,
    records: Callable[[Event], Verdict],
    who: str,
) -> Verdict:
    """Whether `who`, whose insight selectors are `selectors` and whose event selectors answer
    `records`, generates the Insights record `event`."""
    if isinstance(selectors, Unknown):
        return unknown(f"the insight selectors of {who} are unknown ({selectors.reason})")
    if not selectors:
        return no(f"{who} has no insight selectors: it generates no Insights events")
    kind = insight_type(event)
    if kind is None:
        return unknown("the Insights record names no insightDetails.insightType")
    candidates = [s for s in selectors
                  if s.insight_type == kind or isinstance(s.insight_type, Unknown)]  # fmt: skip
    if not candidates:
        enabled = sorted({s.insight_type for s in selectors if isinstance(s.insight_type, str)})
        return no(f"{who} does not enable {kind} (it enables {', '.join(enabled)})")
    verdicts: list[Verdict] = []
    for s in candidates:
        verdict = _selector_verdict(s, kind, event, records, who)
        if isinstance(s.insight_type, Unknown) and verdict.match is not False:
            verdict = unknown(f"an insight type of {who} is unknown ({s.insight_type.reason})")
        verdicts.append(verdict)
    return any_of(verdicts, verdicts[0].reason)


def _selector_verdict(
    selector: InsightSelector,
    kind: str,
    event: Event,
    records: Callable[[Event], Verdict],
    who: str,
) -> Verdict:
    categories = selector.event_categories
    if "Management" not in categories:
        return unknown(f"{kind} of {who} analyses {', '.join(categories)} events, and an Insights "
                       "record does not say which category it analysed")  # fmt: skip
    analysed = "write" if kind == CALL_RATE else "read or write"
    answers = [records(p) for p in analysed_events(event, kind)]
    seen = any_of(answers, answers[0].reason)
    if seen.match is True:
        return yes(f"insight selector {kind}")
    if seen.match is None:
        return unknown(f"{kind} needs {who} to record {analysed} management events: {seen.reason}")
    if "Data" in categories:
        return unknown(f"{who} does not record the {analysed} management events {kind} analyses, "
                       "and whether the record is about data events is not known")  # fmt: skip
    return no(f"{kind} analyses {analysed} management events, which {who} does not record "
              f"({seen.reason})")  # fmt: skip

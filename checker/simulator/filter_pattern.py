"""CloudWatch Logs metric filter patterns, parsed and evaluated against CloudTrail records.

    >>> p = parse('{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }')
    >>> p.kind, p.referenced_fields() == {"$.eventName", "$.errorMessage"}
    ('json', True)
    >>> p.matches({"eventName": "ConsoleLogin", "errorMessage": "Failed authentication"})
    True
    >>> str(p)
    '{ $.eventName = "ConsoleLogin" && $.errorMessage = "Failed authentication" }'

Assumption: CloudTrail sends each record to CloudWatch Logs as one JSON log event. JSON patterns
read the record itself; term and space-delimited patterns read the record's text, which we take
to be compact JSON (`event_message`: no spaces after separators, keys in record order, non-ASCII
kept as is). Callers replaying many events through text patterns can compute `event_message`
once per event and use `Pattern.matches_message`.

Semantics and their sources are in filter_parse (syntax) and filter_eval (matching). Choices the
docs do not settle are reported per pattern in `Pattern.caveats`, so a rule can downgrade its
verdict to unknown instead of trusting them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.simulator.filter_ast import (
    Body,
    JsonBody,
    Kind,
    PatternError,
    SpaceBody,
    TermsBody,
    format_body,
    selectors,
)
from checker.simulator.filter_eval import (
    MessageMatcher,
    RecordMatcher,
    compile_json,
    compile_space_delimited,
    compile_terms,
    space_delimited_dispute,
)
from checker.simulator.filter_parse import MAX_PATTERN_LENGTH, parse_body
from checker.simulator.verdict import Verdict, unknown

__all__ = ["MAX_PATTERN_LENGTH", "Pattern", "PatternError", "Verdict", "event_message", "parse"]


def event_message(event: Mapping[str, Any]) -> str:
    """The log event text CloudWatch Logs is taken to hold for a CloudTrail record."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


_KIND_NAMES = {"json": "JSON", "terms": "term", "space_delimited": "space-delimited",
               "all": "match-everything"}


def _always(_: object) -> bool:
    return True


def _never(_: object) -> bool:
    return False


@dataclass(frozen=True)
class Pattern:
    """A parsed filter pattern. Equality and hashing follow the canonical tree, so two spellings
    of the same pattern compare equal.

    `matches` and `matches_message` follow the current AWS page; `evaluate` and
    `evaluate_message` say unknown where the page's revisions disagree on the answer."""

    kind: Kind
    body: Body
    caveats: tuple[str, ...] = field(default=(), compare=False)
    _on_record: RecordMatcher = field(init=False, repr=False, compare=False)
    _on_message: MessageMatcher = field(init=False, repr=False, compare=False)
    _dispute: Callable[[str], str | None] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        on_record: RecordMatcher = _never
        on_message: MessageMatcher = _never
        dispute = None
        body = self.body
        if body is None:
            on_record, on_message = _always, _always
        elif isinstance(body, JsonBody):
            on_record = compile_json(body.expr)
            on_message = _json_message_matcher(on_record)
        else:
            if isinstance(body, TermsBody):
                on_message = compile_terms(body)
            else:
                on_message = compile_space_delimited(body)
                dispute = space_delimited_dispute(body)
            text_matcher = on_message

            def on_record(event: Mapping[str, Any]) -> bool:
                return text_matcher(event_message(event))

        object.__setattr__(self, "_on_record", on_record)
        object.__setattr__(self, "_on_message", on_message)
        object.__setattr__(self, "_dispute", dispute)

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether the pattern matches a CloudTrail record (a parsed JSON object)."""
        return self._on_record(event)

    def matches_message(self, message: str) -> bool:
        """Whether the pattern matches a raw log event text (JSON patterns parse it first)."""
        return self._on_message(message)

    def evaluate(self, event: Mapping[str, Any]) -> Verdict:
        """`matches` with a reason, unknown where the AWS page's revisions disagree."""
        if self._dispute is None:
            return self._verdict(self._on_record(event), "event")
        return self.evaluate_message(event_message(event))

    def evaluate_message(self, message: str) -> Verdict:
        """`matches_message` with a reason, unknown where the AWS page's revisions disagree."""
        matched = self._on_message(message)
        if matched and self._dispute is not None:
            doubt = self._dispute(message)
            if doubt is not None:
                return unknown(doubt)
        return self._verdict(matched, "log event")

    def _verdict(self, matched: bool, what: str) -> Verdict:
        kind = _KIND_NAMES[self.kind]
        if matched:
            return Verdict(True, f"the {kind} pattern matches the {what}")
        return Verdict(False, f"the {kind} pattern does not match the {what}")

    def canonical(self) -> str:
        """A normalized spelling; `parse(p.canonical())` equals `p`."""
        return format_body(self.body)

    def __str__(self) -> str:
        return self.canonical()

    def referenced_fields(self) -> set[str]:
        """Selectors a JSON pattern reads, as written canonically ("$.userIdentity.type",
        "$.*"); empty for other kinds."""
        if isinstance(self.body, JsonBody):
            return {str(s) for s in selectors(self.body.expr)}
        return set()

    @property
    def is_text(self) -> bool:
        """True for term and space-delimited patterns, which read the record's JSON text."""
        return isinstance(self.body, (TermsBody, SpaceBody))


def _json_message_matcher(on_record: RecordMatcher) -> MessageMatcher:
    def match(message: str) -> bool:
        try:
            record = json.loads(message)
        except ValueError:
            return False  # JSON patterns only apply to JSON log events
        return isinstance(record, dict) and on_record(record)

    return match


def parse(pattern: str) -> Pattern:
    """Parse a metric filter pattern; raises PatternError (message, position) if it is invalid
    or uses syntax CloudWatch Logs does not support."""
    kind, body, caveats = parse_body(pattern)
    return Pattern(kind, body, caveats)

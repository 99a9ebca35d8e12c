"""A basic event selector written as the advanced selectors that record the same events.

The property tests use it to check that both forms capture alike, and it documents the
correspondence between the two selector languages (docs/semantics.md, "Capture").
"""

from __future__ import annotations

from checker.model import AdvancedSelector, BasicSelector, FieldSelector, MaybeStr, Unknown
from checker.simulator.selector_tests import BASIC_SERVICE, all_value


def basic_to_advanced(selector: BasicSelector) -> tuple[AdvancedSelector, ...]:
    """The advanced selectors that record exactly what one basic selector records.

    One selector for the management part (eventCategory Management, readOnly for ReadOnly or
    WriteOnly, eventSource NotEquals for each excluded source) and one per DataResource
    (eventCategory Data, resources.type Equals the type, resources.ARN StartsWith the S3 values and
    the "all" values, Equals the exact Lambda/DynamoDB ARNs). Unknown values stay unknown: an
    unknown IncludeManagementEvents becomes an extra `eventCategory Equals <unknown>` condition, so
    the translation is unknown exactly where the basic selector is. Values AWS would reject are
    carried over as written (CT011 reports them).
    """
    rw = selector.read_write_type
    read_only: tuple[FieldSelector, ...] = ()
    if isinstance(rw, Unknown):
        read_only = (FieldSelector("readOnly", equals=(rw,)),)
    elif rw == "ReadOnly":
        read_only = (FieldSelector("readOnly", equals=("true",)),)
    elif rw == "WriteOnly":
        read_only = (FieldSelector("readOnly", equals=("false",)),)
    elif rw != "All":
        read_only = (FieldSelector("readOnly", equals=(f"invalid ReadWriteType {rw}",)),)
    out: list[AdvancedSelector] = []
    mgmt = selector.include_management_events
    if isinstance(mgmt, Unknown) or mgmt:
        fields: list[FieldSelector] = [FieldSelector("eventCategory", equals=("Management",))]
        if isinstance(mgmt, Unknown):
            fields.append(FieldSelector("eventCategory", equals=(mgmt,)))
        fields.extend(read_only)
        if selector.exclude_management_event_sources:
            fields.append(
                FieldSelector("eventSource", not_equals=selector.exclude_management_event_sources)
            )
        out.append(AdvancedSelector(tuple(fields)))
    for dr in selector.data_resources:
        fields = [
            FieldSelector("eventCategory", equals=("Data",)),
            FieldSelector("resources.type", equals=(dr.type,)),
            *read_only,
        ]
        service = BASIC_SERVICE.get(dr.type) if isinstance(dr.type, str) else None
        starts: list[MaybeStr] = []
        exact: list[MaybeStr] = []
        for v in dr.values:
            if isinstance(v, Unknown) or service == "s3" or all_value(v, service or "-"):
                starts.append(v)
            else:
                exact.append(v)
        if service is None:
            # AWS rejects other types in basic selectors, where they select nothing.
            fields.append(FieldSelector("resources.ARN", equals=("invalid basic data resource",)))
        elif not starts and not exact:
            fields.append(FieldSelector("resources.ARN", equals=("no values",)))
        else:
            arn = FieldSelector("resources.ARN", equals=tuple(exact), starts_with=tuple(starts))
            fields.append(arn)
        out.append(AdvancedSelector(tuple(fields)))
    return tuple(out)

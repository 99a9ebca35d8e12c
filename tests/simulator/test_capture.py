"""The capture table, and the parts of `decide` the table does not show."""

from __future__ import annotations

import pytest

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    FieldSelector,
    Selectors,
    Trail,
    Unknown,
)
from checker.simulator.capture import Decision, compile_trail, decide
from checker.simulator.events import Event, Resource
from checker.simulator.selector_tests import describe_basic, event_is_read
from checker.simulator.translation import basic_to_advanced
from tests.simulator.capture_cases import CASES, Case, adv, basic, fs, mgmt, s3, sel, trail


def test_table_is_large_and_cited() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"
    assert all(c.fact.strip() for c in CASES)
    assert {c.expected for c in CASES} == {"captured", "missed", "unknown"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_capture_case(case: Case) -> None:
    decision = decide(
        case.trail,
        case.event,
        default_region=case.default_region,
        organization_accounts=case.organization_accounts,
    )
    # the table says it as reports do; a decision's status is the tri-state
    shown = {"pass": "captured", "fail": "missed", "unknown": "unknown"}[decision.status]
    assert shown == case.expected, f"{case.fact}: {decision}"
    if case.expected == "captured":
        assert decision.selector, decision
        assert decision.stage is None
    else:
        assert decision.selector is None
        assert decision.stage is not None
        assert decision.reason
    if case.selector is not None:
        assert decision.selector is not None and case.selector in decision.selector, decision
    if case.reason is not None:
        assert case.reason in decision.reason, decision


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_compiled_trail_agrees_with_decide(case: Case) -> None:
    compiled = compile_trail(
        case.trail,
        default_region=case.default_region,
        organization_accounts=case.organization_accounts,
    )
    assert compiled.decide(case.event) == decide(
        case.trail,
        case.event,
        default_region=case.default_region,
        organization_accounts=case.organization_accounts,
    )


def test_decision_stages() -> None:
    assert decide(trail(is_logging=False), mgmt()).stage == "logging"
    assert decide(trail(), mgmt(recipient_account_id="999999999999")).stage == "account"
    single = trail(is_multi_region=False, home_region="us-west-2")
    assert decide(single, mgmt()).stage == "region"
    no_gse = trail(include_global_service_events=False)
    assert decide(no_gse, mgmt("iam.amazonaws.com", "CreateUser")).stage == "global"
    assert decide(trail(), s3()).stage == "selectors"


def test_unknown_reasons_are_joined_when_several_stages_are_unknown() -> None:
    t = trail(is_logging=Unknown("logging var"), selectors=Unknown("selectors var"))
    decision = decide(t, mgmt())
    assert decision.status == "unknown"
    assert decision.stage == "logging"
    assert "logging var" in decision.reason and "selectors var" in decision.reason


def test_missed_reason_names_every_selector() -> None:
    t = trail(selectors=Selectors("basic", basic=(
        BasicSelector("ReadOnly"),
        BasicSelector(exclude_management_event_sources=("kms.amazonaws.com",)),
    )))  # fmt: skip
    decision = decide(t, mgmt("kms.amazonaws.com", "DisableKey"))
    assert decision.status == "fail"
    assert "selector 1: ReadWriteType ReadOnly" in decision.reason
    assert "selector 2: ExcludeManagementEventSources excludes kms.amazonaws.com" in decision.reason


def test_empty_selector_list_records_nothing() -> None:
    decision = decide(trail(selectors=Selectors("advanced")), mgmt())
    assert decision.status == "fail"
    assert "no event selectors" in decision.reason


def test_records_without_read_only_are_writes() -> None:
    assert event_is_read(mgmt(read_only=True))
    assert not event_is_read(mgmt(read_only=None))
    assert not event_is_read(mgmt(read_only=False))


def test_describe_basic() -> None:
    selector = BasicSelector(
        "WriteOnly",
        exclude_management_event_sources=("kms.amazonaws.com",),
        data_resources=(DataResource("AWS::S3::Object", ("arn:aws:s3:::bkt/",)),),
    )
    assert describe_basic(selector, 3) == (
        "selector 3 (basic: management WriteOnly except kms.amazonaws.com; "
        "AWS::S3::Object arn:aws:s3:::bkt/)"
    )


def test_basic_to_advanced_shapes() -> None:
    selector = BasicSelector(
        "ReadOnly",
        exclude_management_event_sources=("kms.amazonaws.com",),
        data_resources=(
            DataResource(
                "AWS::Lambda::Function", ("arn:aws:lambda", "arn:aws:lambda:r:1:function:f")
            ),
        ),
    )
    management, lambdas = basic_to_advanced(selector)
    assert management.field_selectors == (
        FieldSelector("eventCategory", equals=("Management",)),
        FieldSelector("readOnly", equals=("true",)),
        FieldSelector("eventSource", not_equals=("kms.amazonaws.com",)),
    )
    assert FieldSelector(
        "resources.ARN", equals=("arn:aws:lambda:r:1:function:f",), starts_with=("arn:aws:lambda",)
    ) in lambdas.field_selectors
    assert basic_to_advanced(BasicSelector(include_management_events=False)) == ()


def test_advanced_selector_name_is_shown_not_read() -> None:
    named = AdvancedSelector(
        (FieldSelector("eventCategory", equals=("Management",)),), name="S3 writes only"
    )
    decision = decide(trail(selectors=Selectors("advanced", advanced=(named,))), mgmt())
    assert decision.status == "pass"
    assert decision.selector == 'selector 1 "S3 writes only" (advanced: Management)'


def test_resource_arn_conditions_read_the_selected_resource_type() -> None:
    # The bucket resource (arn:aws:s3:::bkt) does not start with "arn:aws:s3:::bkt/"; the object
    # resource does: the ARN condition is read on the resource of the selected type.
    selector = AdvancedSelector((
        FieldSelector("eventCategory", equals=("Data",)),
        FieldSelector("resources.type", equals=("AWS::S3::Object",)),
        FieldSelector("resources.ARN", not_starts_with=("arn:aws:s3:::bkt/",)),
    ))  # fmt: skip
    t = trail(selectors=Selectors("advanced", advanced=(selector,)))
    assert decide(t, s3("arn:aws:s3:::bkt/key")).status == "fail"
    assert decide(t, s3("arn:aws:s3:::other/key")).status == "pass"


def test_event_without_resources_fails_resource_conditions() -> None:
    selector = AdvancedSelector((
        FieldSelector("eventCategory", equals=("Data",)),
        FieldSelector("resources.type", equals=("AWS::S3::Object",)),
    ))  # fmt: skip
    t = trail(selectors=Selectors("advanced", advanced=(selector,)))
    event = Event("s3.amazonaws.com", "PutObject", "us-east-1", event_category="Data")
    assert decide(t, event).status == "fail"
    with_resource = Event(
        "s3.amazonaws.com", "PutObject", "us-east-1", event_category="Data",
        resources=(Resource("AWS::S3::Object", "arn:aws:s3:::b/k"),),
    )  # fmt: skip
    assert decide(t, with_resource).status == "pass"


def test_unlisted_field_reads_the_raw_record() -> None:
    selector = AdvancedSelector((
        FieldSelector("eventCategory", equals=("Management",)),
        FieldSelector("additionalEventData.MFAUsed", equals=("Yes",)),
    ))  # fmt: skip
    t = trail(selectors=Selectors("advanced", advanced=(selector,)))
    record = {"eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
              "awsRegion": "us-east-1", "additionalEventData": {"MFAUsed": "Yes"}}  # fmt: skip
    assert decide(t, Event.from_record(record)).status == "pass"
    record["additionalEventData"] = {"MFAUsed": "No"}
    assert decide(t, Event.from_record(record)).status == "fail"


def test_decide_accepts_frozenset_members() -> None:
    t: Trail = trail(is_organization=True)
    event = mgmt(recipient_account_id="444455556666")
    result: Decision = decide(t, event, organization_accounts=frozenset({"444455556666"}))
    assert result.status == "pass"
    assert decide(t, event, organization_accounts=("111122223333",)).status == "fail"


def test_a_trail_of_unknown_scope_never_records_another_partition() -> None:
    """Single- or multi-Region, a GovCloud trail records no us-east-1 event: a list-trails
    trail (scope unknown) lent to commercial units made their cells unknown."""
    gov = trail(home_region="us-gov-east-1", is_multi_region=Unknown("list-trails"))
    assert decide(gov, mgmt(region="us-east-1")).status == "fail"
    assert decide(gov, mgmt(region="us-gov-west-1")).status == "unknown"
    assert decide(gov, mgmt(region="us-gov-east-1")).status == "pass"


def test_an_event_in_an_undocumented_region_of_the_partition() -> None:
    from checker.regions import unplaced

    event = Event("iam.amazonaws.com", "CreateUser", unplaced("aws-eusc"), read_only=False)
    assert decide(trail(home_region="eusc-de-east-1"), event).status == "pass"  # multi-Region
    single = decide(trail(home_region="eusc-de-east-1", is_multi_region=False), event)
    assert single.status == "unknown"
    assert "AWS documents no Region where iam events are recorded" in single.reason
    assert decide(trail(is_multi_region=False), event).status == "fail"  # us-east-1: aws


# A record whose category is not known (Event.unclassified): the selectors are asked as a
# management and as a data event; what both give holds, else the decision is unknown.
def _unclassified(**kw: object) -> Event:
    record = {"eventVersion": "1.05", "eventSource": "ec2.amazonaws.com",
              "eventName": "RunInstances", "awsRegion": "us-east-1", "readOnly": False,
              "recipientAccountId": "111122223333", "eventType": "AwsApiCall", **kw}  # fmt: skip
    event = Event.from_record(record)
    assert event.unclassified is not None
    return event


def test_a_record_of_unknown_category_is_unknown_where_the_category_matters() -> None:
    event = _unclassified()
    default = decide(trail(), event)
    assert default.status == "unknown" and default.stage == "selectors"
    assert "management or a data event is not known" in default.reason
    assert "as a management event it is recorded, as a data event not recorded" in default.reason
    # a miss that holds whatever the category: still a miss
    other_region = decide(trail(home_region="eu-west-1", is_multi_region=False), event)
    assert (other_region.status, other_region.stage) == ("fail", "region")
    writes = basic(BasicSelector(read_write_type="ReadOnly", include_management_events=True))
    assert decide(trail(selectors=writes), event).status == "fail"  # a write: neither
    both = adv(sel(fs("eventCategory", equals=("Management",))),
               sel(fs("eventCategory", equals=("Data",))))  # fmt: skip
    captured = decide(trail(selectors=both), event)
    assert captured.status == "pass"
    assert captured.selector is not None and "as a data event" in captured.selector
    names = adv(sel(fs("eventName", equals=("RunInstances",))))  # no category asked
    assert decide(trail(selectors=names), event).status == "pass"
    unknown = trail(selectors=Unknown("var.selectors"))
    assert "var.selectors" in decide(unknown, event).reason  # the one reason, kept


def test_a_record_of_unknown_category_misses_with_both_reasons() -> None:
    only_data = adv(sel(fs("eventCategory", equals=("Data",)),
                        fs("resources.type", equals=("AWS::S3::Object",))))  # fmt: skip
    missed = decide(trail(selectors=only_data), _unclassified())
    assert missed.status == "fail" and missed.reason.startswith("no selector matches")
    assert "as a management event" in missed.reason and "as a data event" in missed.reason

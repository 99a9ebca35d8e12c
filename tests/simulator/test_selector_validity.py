"""CT054 and the simulator's rejection of event data stores: advanced selectors checked against
the rules AWS applies to a store, which differ from a trail's in a few documented places."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.loaders import LoadOptions, load_paths
from checker.model import EventDataStore, FieldSelector, Selectors, Unknown
from checker.simulator.selector_validity import store_problems, store_rejection
from checker.simulator.validity import check_selectors
from tests.simulator.capture_cases import DATA, MANAGEMENT, NETWORK, S3_OBJECTS, adv, fs, sel, trail

REPO = Path(__file__).resolve().parents[2]
VAR = Unknown("var.x has no value")
TAMPER = fs("eventName", equals=("StopLogging", "DeleteTrail"))


def store(*fields: FieldSelector) -> EventDataStore:
    return EventDataStore(id="lake", name="lake", selectors=adv(sel(*fields)))


def messages(s: EventDataStore) -> list[str]:
    return [p.message for p in store_problems(s)]


def test_a_selector_without_event_category_is_rejected() -> None:
    s = store(TAMPER)
    assert messages(s) == ["selector 1: has no eventCategory field selector (required)"]
    rejection = store_rejection(s)
    assert rejection is not None and rejection.status == "fail" and rejection.rejected


def test_an_empty_field_name_is_rejected() -> None:
    s = store(MANAGEMENT, fs("", equals="StopLogging"))
    assert messages(s) == ["selector 1: field '' is not a field event data stores accept"]
    assert store_rejection(s) is not None


def test_store_only_management_fields_are_accepted_on_a_store_not_on_a_trail() -> None:
    fields = (MANAGEMENT, TAMPER, fs("eventType", equals="AwsApiCall"),
              fs("userIdentity.arn", starts_with="arn:aws:iam::111122223333:role/"),
              fs("sessionCredentialFromConsole", equals="true"))  # fmt: skip
    assert store_problems(store(*fields)) == []
    on_trail = [p.message for p in check_selectors(trail(selectors=adv(sel(*fields))))]
    assert "selector 1: eventName on management events is for event data stores only, " \
           "not trails" in on_trail  # fmt: skip


@pytest.mark.parametrize("category", ["Insight", "ConfigurationItem", "Evidence",
                                      "ActivityAuditLog"])  # fmt: skip
def test_store_only_categories_take_event_category_alone(category: str) -> None:
    only = fs("eventCategory", equals=category)
    assert store_problems(store(only)) == []
    assert messages(store(only, TAMPER)) == [
        f"selector 1: eventName is not accepted for {category} events: eventCategory is "
        "their only field"
    ]


def test_user_identity_on_network_activity_is_for_trails_only() -> None:
    fields = (NETWORK, fs("eventSource", equals="ec2.amazonaws.com"),
              fs("userIdentity.arn", equals="arn:aws:iam::111122223333:role/x"))  # fmt: skip
    assert messages(store(*fields)) == [
        "selector 1: userIdentity.arn on network activity events is for trails only, not "
        "event data stores"
    ]
    assert check_selectors(trail(selectors=adv(sel(*fields)))) == []


def test_rules_shared_with_trails_apply_to_stores() -> None:
    assert messages(store(DATA)) == ["selector 1: Data selectors need a resources.type field "
                                     "selector"]  # fmt: skip
    assert messages(store(fs("eventCategory", equals="Managment"))) == [
        "selector 1: eventCategory 'Managment' is not a category event data stores accept "
        "(Management, Data, NetworkActivity, Insight, ConfigurationItem, Evidence, "
        "ActivityAuditLog)"
    ]


def test_misleading_selectors_fail_ct054_but_do_not_reject_the_store() -> None:
    s = store(DATA, S3_OBJECTS, fs("resources.ARN", equals="arn:aws:s3:::logs"),
              fs("eventName", equals="Put*"))  # fmt: skip
    problems = store_problems(s)
    assert [p.status for p in problems] == ["fail", "fail"]
    assert not any(p.rejected for p in problems)
    assert store_rejection(s) is None


def test_an_unknown_category_is_unknown_never_a_pass_or_a_fail() -> None:
    s = store(fs("eventCategory", equals=VAR), TAMPER)
    (problem,) = store_problems(s)
    assert problem.status == "unknown" and "var.x has no value" in problem.message
    rejection = store_rejection(s)
    assert rejection is not None and rejection.status == "unknown"


def test_a_fail_wins_over_an_unknown_in_another_selector() -> None:
    s = EventDataStore(id="lake", name="lake", selectors=adv(
        sel(fs("eventCategory", equals=VAR)), sel(TAMPER)))  # fmt: skip
    rejection = store_rejection(s)
    assert rejection is not None and rejection.status == "fail"
    assert rejection.message.startswith("selector 2:")


def test_default_and_unknown_selectors() -> None:
    assert store_problems(EventDataStore(id="lake", name="lake")) == []
    unknown = EventDataStore(id="lake", name="lake", selectors=VAR)
    assert [p.status for p in store_problems(unknown)] == ["unknown"]
    # the selector stage of the simulator reports unknown selectors already
    assert store_rejection(unknown) is None


def test_the_management_event_source_restriction_is_a_trails() -> None:
    assert store_problems(store(MANAGEMENT, fs("eventSource", equals="iam.amazonaws.com"))) == []


@pytest.mark.parametrize(("kind", "path", "problem"), [
    ("terraform", "fail/terraform", "selector 1: has no eventCategory field selector (required)"),
    ("cloudformation", "fail/cloudformation/template.yaml",
     "selector 1: field '' is not a field event data stores accept"),
])  # fmt: skip
def test_loaded_stores_keep_the_selectors_aws_rejects(kind: str, path: str, problem: str) -> None:
    estate = load_paths([str(REPO / "fixtures" / "rules" / "CT054" / path)],
                        LoadOptions(cwd=str(REPO)))  # fmt: skip
    (s,) = estate.event_data_stores
    assert isinstance(s.selectors, Selectors) and s.selectors.kind == "advanced"
    assert s.where("selectors").line == 8
    assert messages(s) == [problem]

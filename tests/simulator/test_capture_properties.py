"""Properties of the capture semantics that must hold for every trail and event (docs/semantics.md:
adding a selector never captures fewer events; a basic selector and its advanced equivalent
capture the same events; a disabled trail captures nothing), and for CloudTrail Lake event data
stores, which select events with the same advanced selectors."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    EventDataStore,
    FieldSelector,
    MaybeStr,
    Selectors,
    Trail,
    Unknown,
)
from checker.simulator.capture import Status, compile_trail, decide
from checker.simulator.events import Event, Resource, UserIdentity
from checker.simulator.selector_validity import store_rejection
from checker.simulator.translation import basic_to_advanced

UNKNOWN = Unknown("var.x has no value")
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")
SOURCES = (
    "ec2.amazonaws.com", "kms.amazonaws.com", "rdsdata.amazonaws.com", "iam.amazonaws.com",
    "signin.amazonaws.com", "s3.amazonaws.com", "lambda.amazonaws.com",
)  # fmt: skip
NAMES = ("RunInstances", "Decrypt", "PutObject", "GetObject", "DeleteObject", "Invoke")
OBJECTS = (
    "arn:aws:s3:::bkt/key", "arn:aws:s3:::bkt/images/a.jpg", "arn:aws:s3:::bkt2/key",
    "arn:aws:s3:::other/x*", "arn:aws:s3:::bkt/",
)  # fmt: skip
FUNCTIONS = (
    "arn:aws:lambda:us-west-2:111111111111:function:helloworld",
    "arn:aws:lambda:us-west-2:111111111111:function:helloworld2",
    "arn:aws:lambda:us-east-1:999999999999:function:theirs",
)
TABLES = (
    "arn:aws:dynamodb:us-east-1:111122223333:table/orders",
    "arn:aws:dynamodb:us-east-1:111122223333:table/orders2",
)
RESOURCE_ARNS = {"AWS::S3::Object": OBJECTS, "AWS::Lambda::Function": FUNCTIONS,
                 "AWS::DynamoDB::Table": TABLES}  # fmt: skip
# Values a basic selector may hold (the ones AWS accepts), per type.
BASIC_VALUES: dict[str, tuple[MaybeStr, ...]] = {
    "AWS::S3::Object": ("arn:aws:s3", "arn:aws:s3:::", "arn:aws:s3:::bkt/",
                        "arn:aws:s3:::bkt/images", "arn:aws:s3:::bkt2/", "arn:aws:s3:::other/x*",
                        UNKNOWN),
    "AWS::Lambda::Function": ("arn:aws:lambda", *FUNCTIONS[:2], UNKNOWN),
    "AWS::DynamoDB::Table": ("arn:aws:dynamodb", TABLES[0], UNKNOWN),
}  # fmt: skip


@st.composite
def events(draw: st.DrawFn) -> Event:
    category = draw(st.sampled_from(("Management", "Data", "NetworkActivity")))
    resources: tuple[Resource, ...] = ()
    if category == "Data":
        kind = draw(st.sampled_from(sorted(RESOURCE_ARNS)))
        resources = (Resource(kind, draw(st.sampled_from(RESOURCE_ARNS[kind]))),)
        if kind == "AWS::S3::Object" and draw(st.booleans()):
            resources += (Resource("AWS::S3::Bucket", "arn:aws:s3:::bkt"),)
    return Event(
        event_source=draw(st.sampled_from(SOURCES)),
        event_name=draw(st.sampled_from(NAMES)),
        aws_region=draw(st.sampled_from(REGIONS)),
        event_category=category,
        read_only=draw(st.sampled_from((True, False, None))),
        recipient_account_id=draw(st.sampled_from((None, "111122223333", "444455556666"))),
        resources=resources,
        user_identity=UserIdentity(arn=draw(st.sampled_from(
            (None, "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::1:assumed-role/etl/x")))),
        error_code=draw(st.sampled_from((None, "VpceAccessDenied", "AccessDenied"))),
        event_type=draw(st.sampled_from(("AwsApiCall", "AwsServiceEvent"))),
        session_credential_from_console=draw(st.booleans()),
        host_header=draw(st.sampled_from((None, "sts.amazonaws.com"))),
    )  # fmt: skip


@st.composite
def basic_selectors(draw: st.DrawFn) -> BasicSelector:
    kinds = draw(st.lists(st.sampled_from(sorted(BASIC_VALUES)), max_size=2))
    resources = tuple(
        DataResource(k, tuple(draw(st.lists(st.sampled_from(BASIC_VALUES[k]), min_size=1,
                                            max_size=3))))
        for k in kinds
    )  # fmt: skip
    return BasicSelector(
        read_write_type=draw(st.sampled_from(("All", "ReadOnly", "WriteOnly", UNKNOWN))),
        include_management_events=draw(st.sampled_from((True, False, UNKNOWN))),
        data_resources=resources,
        exclude_management_event_sources=tuple(draw(st.lists(
            st.sampled_from(("kms.amazonaws.com", "rdsdata.amazonaws.com", UNKNOWN)), max_size=2))),
    )  # fmt: skip


FIELD_VALUES: dict[str, tuple[MaybeStr, ...]] = {
    "readOnly": ("true", "false", UNKNOWN),
    "eventSource": (*SOURCES, "kms", UNKNOWN),
    "eventName": (*NAMES, "Put", "Object", "*", UNKNOWN),
    "resources.type": (*sorted(RESOURCE_ARNS), "AWS::S3::Bucket", UNKNOWN),
    "resources.ARN": (*OBJECTS, *FUNCTIONS, "arn:aws:s3:::bkt", "arn:aws:s3:::bkt/", ".jpg",
                      "arn:aws:lambda", UNKNOWN),
    "userIdentity.arn": ("arn:aws:sts::1:assumed-role/etl", "arn:aws:iam::", UNKNOWN),
    "errorCode": ("VpceAccessDenied",),
    "eventType": ("AwsServiceEvent", "AwsApiCall"),
    "sessionCredentialFromConsole": ("true",),
}  # fmt: skip
OPERATORS = ("equals", "not_equals", "starts_with", "not_starts_with", "ends_with", "not_ends_with")


@st.composite
def field_selectors(draw: st.DrawFn) -> FieldSelector:
    name = draw(st.sampled_from(sorted(FIELD_VALUES)))
    ops = draw(st.lists(st.sampled_from(OPERATORS), min_size=1, max_size=2, unique=True))
    values = {op: tuple(draw(st.lists(st.sampled_from(FIELD_VALUES[name]), min_size=1,
                                      max_size=2))) for op in ops}  # fmt: skip
    return FieldSelector(name, **values)


@st.composite
def advanced_selectors(draw: st.DrawFn) -> AdvancedSelector:
    category = draw(st.sampled_from(("Management", "Data", "NetworkActivity", UNKNOWN)))
    fields = (FieldSelector("eventCategory", equals=(category,)),
              *draw(st.lists(field_selectors(), max_size=3)))  # fmt: skip
    return AdvancedSelector(tuple(fields))


@st.composite
def trails(draw: st.DrawFn, selectors: Selectors | None = None) -> Trail:
    return Trail(
        id="t",
        name="t",
        account_id=draw(st.sampled_from(("111122223333", UNKNOWN))),
        home_region=draw(st.sampled_from((*REGIONS, UNKNOWN))),
        is_multi_region=draw(st.sampled_from((True, False, UNKNOWN))),
        is_organization=draw(st.sampled_from((True, False, UNKNOWN))),
        include_global_service_events=draw(st.sampled_from((True, False, UNKNOWN))),
        is_logging=draw(st.sampled_from((True, True, UNKNOWN))),
        selectors=selectors if selectors is not None else Selectors.default(),
    )


# A trail whose settings pass every event, so that most examples exercise the selectors.
PLAIN = Trail(id="t", name="t", account_id="111122223333", home_region="us-east-1",
              is_multi_region=True)  # fmt: skip


def any_trail() -> st.SearchStrategy[Trail]:
    return st.one_of(st.just(PLAIN), st.just(PLAIN), trails())


RANK: dict[Status, int] = {"fail": 0, "unknown": 1, "pass": 2}


def _with(trail: Trail, selectors: Selectors) -> Trail:
    return Trail(**{**trail.__dict__, "selectors": selectors})


@settings(max_examples=400, deadline=None)
@given(any_trail(), st.lists(advanced_selectors(), max_size=3), advanced_selectors(),
       st.integers(0, 3), events())  # fmt: skip
def test_adding_an_advanced_selector_never_captures_less(
    trail: Trail, selectors: list[AdvancedSelector], extra: AdvancedSelector, at: int, event: Event
) -> None:
    before = decide(_with(trail, Selectors("advanced", advanced=tuple(selectors))), event)
    more = [*selectors[:at], extra, *selectors[at:]]
    after = decide(_with(trail, Selectors("advanced", advanced=tuple(more))), event)
    assert RANK[after.status] >= RANK[before.status], (before, after)


@settings(max_examples=400, deadline=None)
@given(any_trail(), st.lists(basic_selectors(), min_size=1, max_size=3), basic_selectors(),
       events())  # fmt: skip
def test_adding_a_basic_selector_never_captures_less(
    trail: Trail, selectors: list[BasicSelector], extra: BasicSelector, event: Event
) -> None:
    before = decide(_with(trail, Selectors("basic", basic=tuple(selectors))), event)
    after = decide(_with(trail, Selectors("basic", basic=(*selectors, extra))), event)
    assert RANK[after.status] >= RANK[before.status], (before, after)


@settings(max_examples=400, deadline=None)
@given(any_trail(), advanced_selectors(), field_selectors(), events())
def test_adding_a_field_selector_never_captures_more(
    trail: Trail, selector: AdvancedSelector, extra: FieldSelector, event: Event
) -> None:
    narrower = AdvancedSelector((*selector.field_selectors, extra))
    before = decide(_with(trail, Selectors("advanced", advanced=(selector,))), event)
    after = decide(_with(trail, Selectors("advanced", advanced=(narrower,))), event)
    assert RANK[after.status] <= RANK[before.status], (before, after)


@settings(max_examples=600, deadline=None)
@given(any_trail(), st.lists(basic_selectors(), min_size=1, max_size=3), events())
def test_basic_selectors_and_their_advanced_equivalent_capture_the_same_events(
    trail: Trail, selectors: list[BasicSelector], event: Event
) -> None:
    as_basic = decide(_with(trail, Selectors("basic", basic=tuple(selectors))), event)
    translated = tuple(a for b in selectors for a in basic_to_advanced(b))
    as_advanced = decide(_with(trail, Selectors("advanced", advanced=translated)), event)
    assert as_basic.status == as_advanced.status, (selectors, translated, as_basic, as_advanced)


ANY_SELECTORS = st.one_of(
    st.lists(advanced_selectors(), max_size=3).map(lambda s: Selectors("advanced", (), tuple(s))),
    st.lists(basic_selectors(), max_size=3).map(lambda s: Selectors("basic", basic=tuple(s))),
    st.just(Selectors.default()),
)


@settings(max_examples=300, deadline=None)
@given(any_trail(), ANY_SELECTORS, events())
def test_a_disabled_trail_captures_nothing(
    trail: Trail, selectors: Selectors, event: Event
) -> None:
    disabled = Trail(**{**trail.__dict__, "selectors": selectors, "is_logging": False})
    decision = decide(disabled, event)
    assert decision.status == "fail"
    assert decision.stage == "logging"


@settings(max_examples=200, deadline=None)
@given(any_trail(), events())
def test_an_unknown_logging_state_never_captures(trail: Trail, event: Event) -> None:
    unsure = Trail(**{**trail.__dict__, "is_logging": UNKNOWN})
    assert decide(unsure, event).status != "pass"


MORE_REGIONS = (*REGIONS, "ap-south-1", "cn-north-1", "us-gov-west-1")


@settings(max_examples=300, deadline=None)
@given(trails(), st.sampled_from(MORE_REGIONS), st.sampled_from(MORE_REGIONS),
       st.sampled_from(OBJECTS), st.sampled_from(("PutObject", "GetObject")))  # fmt: skip
def test_regions_of_one_class_get_the_same_decision(
    trail: Trail, first: str, second: str, arn: str, name: str
) -> None:
    # what coverage's Region classes rely on, for S3 object events (never global service events)
    compiled = compile_trail(trail)
    assume(compiled.region_class(first) == compiled.region_class(second))
    one, other = (
        compiled.decide(Event(event_source="s3.amazonaws.com", event_name=name, aws_region=r,
                              event_category="Data", read_only=name == "GetObject",
                              resources=(Resource("AWS::S3::Object", arn),)))
        for r in (first, second)
    )  # fmt: skip
    assert (one.status, one.reason, one.stage) == (other.status, other.reason, other.stage)


# -- event data stores: the same selector semantics as a trail ---------------------------------
# ... for a store AWS accepts. One it rejects (CreateEventDataStore fails) records nothing; one
# whose acceptance is unknown records nothing for sure (selector_validity.store_rejection).


def _as_store(store: EventDataStore, trail_status: Status) -> Status:
    """The status a store gets where a trail with its selectors gets `trail_status`."""
    rejection = store_rejection(store)
    if rejection is None or trail_status == "fail":
        return trail_status
    return "fail" if rejection.status == "fail" else "unknown"


def _store(trail: Trail, selectors: Selectors, status: str = "ENABLED") -> EventDataStore:
    """The event data store that records where `trail` does (a store has no
    IncludeGlobalServiceEvents setting: the trail must include them)."""
    return EventDataStore(
        id="s", name="s", account_id=trail.account_id, home_region=trail.home_region,
        status=status, is_multi_region=trail.is_multi_region,
        is_organization=trail.is_organization, selectors=selectors,
    )  # fmt: skip


def _store_twin(trail: Trail) -> Trail:
    return Trail(**{**trail.__dict__, "include_global_service_events": True,
                    "is_logging": True})  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(any_trail(), st.lists(advanced_selectors(), max_size=3), events())
def test_an_event_data_store_captures_what_a_trail_with_its_selectors_captures(
    trail: Trail, selectors: list[AdvancedSelector], event: Event
) -> None:
    chosen = Selectors("advanced", advanced=tuple(selectors)) if selectors else Selectors.default()
    twin = _store_twin(_with(trail, chosen))
    store = _store(twin, chosen)
    assert decide(store, event).status == _as_store(store, decide(twin, event).status)


@settings(max_examples=300, deadline=None)
@given(any_trail(), st.lists(advanced_selectors(), max_size=3), advanced_selectors(), events())
def test_adding_a_selector_to_an_event_data_store_never_captures_less(
    trail: Trail, selectors: list[AdvancedSelector], extra: AdvancedSelector, event: Event
) -> None:
    before = decide(_store(trail, Selectors("advanced", advanced=tuple(selectors))), event)
    store = _store(trail, Selectors("advanced", advanced=(*selectors, extra)))
    after = decide(store, event)
    if store_rejection(store) is None:  # a selector AWS refuses takes the whole store away
        assert RANK[after.status] >= RANK[before.status], (before, after)


@settings(max_examples=300, deadline=None)
@given(any_trail(), st.lists(basic_selectors(), min_size=1, max_size=3), events())
def test_a_store_with_the_advanced_equivalent_of_basic_selectors_captures_the_same_events(
    trail: Trail, selectors: list[BasicSelector], event: Event
) -> None:
    twin = _store_twin(trail)
    as_basic = decide(_with(twin, Selectors("basic", basic=tuple(selectors))), event)
    translated = tuple(a for b in selectors for a in basic_to_advanced(b))
    store = _store(twin, Selectors("advanced", advanced=translated))
    in_store = decide(store, event)
    assert in_store.status == _as_store(store, as_basic.status), (selectors, as_basic, in_store)


@settings(max_examples=200, deadline=None)
@given(any_trail(), ANY_SELECTORS.filter(lambda s: s.kind != "basic"),
       st.sampled_from(("STOPPED_INGESTION", "PENDING_DELETION")), events())  # fmt: skip
def test_a_store_that_does_not_ingest_captures_nothing(
    trail: Trail, selectors: Selectors, status: str, event: Event
) -> None:
    decision = decide(_store(trail, selectors, status), event)
    assert decision.status == "fail" and decision.stage == "logging"

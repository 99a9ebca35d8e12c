"""Coverage questions (CT001, CT009, CT010) answered through decide on probe events."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.model import (
    AdvancedSelector,
    BasicSelector,
    DataResource,
    Estate,
    FieldSelector,
    Selectors,
    Trail,
    Unknown,
)
from checker.regions import DEFAULT_REGIONS
from checker.simulator import coverage
from checker.simulator.coverage import (
    estate_management_coverage,
    management_coverage,
    s3_object_coverage,
)
from tests.simulator.capture_cases import DATA, MANAGEMENT, S3_OBJECTS, adv, fs, sel, single, trail
from tests.simulator.test_capture_properties import (
    FIELD_VALUES,
    OPERATORS,
    PLAIN,
    advanced_selectors,
    basic_selectors,
    trails,
)

VAR = Unknown("var.selectors has no value")


def basic(*selectors: BasicSelector) -> Selectors:
    return Selectors("basic", basic=selectors)


ALL_BUCKETS = DataResource("AWS::S3::Object", ("arn:aws:s3",))


def all_s3(read_write: str = "All") -> Selectors:
    return basic(BasicSelector(read_write, data_resources=(ALL_BUCKETS,)))


# -- management coverage -------------------------------------------------------------------------


def test_default_multi_region_trail_passes() -> None:
    cov = management_coverage(trail())
    assert cov.status == "pass"
    assert "every region (17)" in cov.message


def test_read_only_advanced_selectors_fail() -> None:
    cov = management_coverage(trail(selectors=adv(sel(MANAGEMENT, fs("readOnly", equals="true")))))
    assert cov.status == "fail"
    assert cov.message == "records only read management events"


def test_write_only_basic_selector_fails() -> None:
    cov = management_coverage(trail(selectors=basic(BasicSelector("WriteOnly"))))
    assert (cov.status, cov.message) == ("fail", "records only write management events")


def test_read_and_write_selectors_together_pass() -> None:
    selectors = adv(sel(MANAGEMENT, fs("readOnly", equals="true")),
                    sel(MANAGEMENT, fs("readOnly", equals="false")))  # fmt: skip
    assert management_coverage(trail(selectors=selectors)).status == "pass"


def test_excluded_sources_fail() -> None:
    excl = basic(BasicSelector(exclude_management_event_sources=("kms.amazonaws.com",)))
    cov = management_coverage(trail(selectors=excl))
    assert (cov.status, cov.message) == ("fail", "excludes kms.amazonaws.com")
    sources = ("kms.amazonaws.com", "rdsdata.amazonaws.com")
    both = adv(sel(MANAGEMENT, fs("eventSource", not_equals=sources)))
    cov = management_coverage(trail(selectors=both))
    assert cov.message == "excludes kms.amazonaws.com; excludes rdsdata.amazonaws.com"


def test_single_region_trail_fails_naming_its_region() -> None:
    cov = management_coverage(single("us-west-2"))
    assert cov.status == "fail"
    assert cov.message == "single-region trail in us-west-2: misses 16 of 17 regions"


def test_single_region_trail_covers_its_own_region_only() -> None:
    assert management_coverage(single("us-east-1"), ["us-east-1"]).status == "pass"
    assert management_coverage(single("us-west-2"), ["us-west-2"]).status == "pass"


def test_without_global_service_events_fails() -> None:
    cov = management_coverage(trail(include_global_service_events=False))
    assert (cov.status, cov.message) == ("fail", "does not record global service events")


def test_logging_off_fails_and_unknown_logging_is_unknown() -> None:
    assert management_coverage(trail(is_logging=False)).message == "logging is off"
    cov = management_coverage(trail(is_logging=Unknown("var.enabled has no value")))
    assert cov.status == "unknown"
    assert "var.enabled" in cov.message


def test_unknown_selectors_are_unknown_but_a_sure_gap_still_fails() -> None:
    assert management_coverage(trail(selectors=VAR)).status == "unknown"
    assert management_coverage(single("eu-west-1", selectors=VAR)).status == "fail"


def test_data_only_selector_fails() -> None:
    selectors = basic(BasicSelector(include_management_events=False, data_resources=(ALL_BUCKETS,)))
    cov = management_coverage(trail(selectors=selectors))
    assert (cov.status, cov.message) == ("fail", "records no management events")


def test_invalid_event_name_filter_on_management_events_is_still_seen() -> None:
    # eventName on management events is for event data stores only (CT011), but coverage still
    # sees what it would drop.
    selectors = adv(sel(MANAGEMENT, fs("eventName", not_equals="ConsoleLogin")))
    cov = management_coverage(trail(selectors=selectors))
    assert cov.status == "fail"


def test_estate_management_coverage_one_good_trail_is_enough() -> None:
    estate = Estate(trails=(
        single("us-west-2", id="aws_cloudtrail.regional"),
        trail(id="aws_cloudtrail.main"),
    ))  # fmt: skip
    cov = estate_management_coverage(estate)
    assert cov.status == "pass"
    assert cov.trail == "aws_cloudtrail.main"
    assert dict(cov.trails)["aws_cloudtrail.regional"].status == "fail"


def test_estate_management_coverage_reports_each_trail() -> None:
    estate = Estate(trails=(
        single("us-west-2", id="a"),
        trail(id="b", selectors=basic(BasicSelector("ReadOnly"))),
    ))  # fmt: skip
    cov = estate_management_coverage(estate)
    assert cov.status == "fail"
    assert "a: single-region trail in us-west-2" in cov.message
    assert "b: records only read management events" in cov.message


def test_estate_management_coverage_needs_a_multi_region_trail() -> None:
    estate = Estate(trails=(single("us-east-1", id="a"),))
    cov = estate_management_coverage(estate, ["us-east-1"])
    assert cov.status == "fail"
    assert "not a multi-region trail" in cov.message
    unsure = Estate(trails=(trail(id="a", is_multi_region=Unknown("var.multi")),))
    assert estate_management_coverage(unsure, ["us-east-1"]).status == "unknown"


def test_a_single_region_trail_is_said_to_be_one_whatever_else_it_misses() -> None:
    # its first failing probe names another gap (global service events): both are said
    lone = trail(id="a", home_region=None, is_multi_region=False,
                 include_global_service_events=False)  # fmt: skip
    cov = estate_management_coverage(Estate(trails=(lone,)), ["us-east-1", "eu-west-1"])
    assert cov.status == "fail"
    assert "a: not a multi-region trail; does not record global service events" in cov.message
    off = single("us-east-1", id="a", is_logging=False)
    assert "a: logging is off; not a multi-region trail" in estate_management_coverage(
        Estate(trails=(off,)), ["us-east-1"]).message


def test_estate_management_coverage_unknown_when_only_unknowns_stand_in_the_way() -> None:
    estate = Estate(trails=(single("us-west-2", id="a"), trail(id="b", selectors=VAR)))
    cov = estate_management_coverage(estate)
    assert cov.status == "unknown"
    assert "b:" in cov.message


def test_estate_without_trails_fails() -> None:
    assert estate_management_coverage(Estate()).status == "fail"
    assert s3_object_coverage(Estate(), read_only=False).status == "fail"


def test_org_trail_with_known_members_passes() -> None:
    estate = Estate(trails=(trail(is_organization=True),), organization_accounts=("111122223333",))
    assert estate_management_coverage(estate).status == "pass"


# -- S3 object coverage --------------------------------------------------------------------------


def test_all_buckets_multi_region_passes_reads_and_writes() -> None:
    estate = Estate(trails=(trail(selectors=all_s3()),))
    assert s3_object_coverage(estate, read_only=False).status == "pass"
    assert s3_object_coverage(estate, read_only=True).status == "pass"


def test_one_bucket_selector_fails() -> None:
    selectors = adv(sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::payroll/")))
    cov = s3_object_coverage(Estate(trails=(trail(selectors=selectors),)), read_only=False)
    assert cov.status == "fail"
    assert "buckets no selector names in every region" in cov.message


def test_prefix_selector_fails_naming_the_bucket() -> None:
    selectors = basic(BasicSelector(data_resources=(
        DataResource("AWS::S3::Object", ("arn:aws:s3:::payroll/reports/",)),)))  # fmt: skip
    cov = s3_object_coverage(Estate(trails=(trail(selectors=selectors),)), read_only=True)
    assert cov.status == "fail"
    assert "bucket payroll" in cov.message


def test_write_only_selector_covers_writes_not_reads() -> None:
    estate = Estate(trails=(trail(selectors=all_s3("WriteOnly")),))
    assert s3_object_coverage(estate, read_only=False).status == "pass"
    assert s3_object_coverage(estate, read_only=True).status == "fail"


def test_deselected_bucket_fails_naming_it() -> None:
    logs = fs("resources.ARN", not_starts_with="arn:aws:s3:::cloudtrail-logs/")
    selectors = adv(sel(DATA, S3_OBJECTS, logs))
    cov = s3_object_coverage(Estate(trails=(trail(selectors=selectors),)), read_only=False)
    assert cov.status == "fail"
    assert "bucket cloudtrail-logs" in cov.message
    assert "buckets no selector names" not in cov.message


def test_deselected_event_name_fails_naming_it() -> None:
    selectors = adv(sel(DATA, S3_OBJECTS, fs("eventName", not_equals="DeleteObject")))
    estate = Estate(trails=(trail(selectors=selectors),))
    cov = s3_object_coverage(estate, read_only=False)
    assert cov.status == "fail"
    assert "DeleteObject" in cov.message
    assert s3_object_coverage(estate, read_only=True).status == "pass"


def test_event_name_select_list_misses_the_rest() -> None:
    selectors = adv(sel(DATA, S3_OBJECTS, fs("eventName", equals=("PutObject", "DeleteObject"))))
    cov = s3_object_coverage(Estate(trails=(trail(selectors=selectors),)), read_only=False)
    assert cov.status == "fail"


def test_single_region_trails_fail_naming_regions() -> None:
    estate = Estate(trails=(single("us-east-1", selectors=all_s3()),))
    cov = s3_object_coverage(estate, read_only=False)
    assert cov.status == "fail"
    assert "no trail records them in us-east-2" in cov.message
    # one single-region trail per region together cover every region
    per_region = Estate(trails=tuple(
        single(r, id=f"t-{r}", selectors=all_s3()) for r in DEFAULT_REGIONS
    ))  # fmt: skip
    assert s3_object_coverage(per_region, read_only=False).status == "pass"


def test_two_trails_with_complementary_selectors_pass_together() -> None:
    payroll = adv(sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::payroll/")))
    rest = adv(sel(DATA, S3_OBJECTS, fs("resources.ARN", not_starts_with="arn:aws:s3:::payroll/")))
    estate = Estate(trails=(trail(id="a", selectors=payroll), trail(id="b", selectors=rest)))
    cov = s3_object_coverage(estate, read_only=False)
    assert cov.status == "pass"
    assert "(by a, b)" in cov.message


def test_cross_field_gap_between_two_selectors_is_found() -> None:
    # Selector 1: every bucket but payroll. Selector 2: payroll, but not from the console.
    # Console writes to payroll are missed; varying one field at a time would not see it.
    selectors = adv(
        sel(DATA, S3_OBJECTS, fs("resources.ARN", not_starts_with="arn:aws:s3:::payroll/")),
        sel(DATA, S3_OBJECTS, fs("resources.ARN", starts_with="arn:aws:s3:::payroll/"),
            fs("sessionCredentialFromConsole", not_equals="true")),
    )  # fmt: skip
    cov = s3_object_coverage(Estate(trails=(trail(selectors=selectors),)), read_only=False)
    assert cov.status == "fail"
    assert "bucket payroll" in cov.message


def test_logging_off_fails_and_unknown_is_unknown() -> None:
    off = Estate(trails=(trail(selectors=all_s3(), is_logging=False),))
    assert s3_object_coverage(off, read_only=False).status == "fail"
    unsure = Estate(trails=(trail(selectors=VAR),))
    cov = s3_object_coverage(unsure, read_only=False)
    assert cov.status == "unknown"
    assert "var.selectors" in cov.message


def test_unknown_bucket_value_is_unknown() -> None:
    selectors = adv(sel(DATA, S3_OBJECTS, fs("resources.ARN", not_starts_with=Unknown("var.b"))))
    cov = s3_object_coverage(Estate(trails=(trail(selectors=selectors),)), read_only=False)
    assert cov.status == "unknown"


def test_management_only_trail_fails_s3_coverage() -> None:
    cov = s3_object_coverage(Estate(trails=(trail(),)), read_only=False)
    assert cov.status == "fail"
    assert "no trail records them in any region" in cov.message


# -- the own trails' probe classes (coverage._OwnOutcomes) --------------------------------------


S3_FIELDS = ("eventName", "resources.ARN", "readOnly", "userIdentity.arn",
             "sessionCredentialFromConsole")  # fmt: skip


@st.composite
def _s3_selectors(draw: st.DrawFn) -> AdvancedSelector:
    """Data selectors for S3 objects, with conditions on the probes' fields."""
    fields = [FieldSelector("eventCategory", equals=("Data",))]
    if draw(st.booleans()):
        fields.append(FieldSelector("resources.type", equals=("AWS::S3::Object",)))
    for name in draw(st.lists(st.sampled_from(S3_FIELDS), max_size=2, unique=True)):
        op = draw(st.sampled_from(OPERATORS))
        values = tuple(draw(st.lists(st.sampled_from(FIELD_VALUES[name]), min_size=1,
                                     max_size=2)))  # fmt: skip
        fields.append(FieldSelector(name, **{op: values}))
    return AdvancedSelector(tuple(fields))


@st.composite
def _s3_trails(draw: st.DrawFn) -> Estate:
    """One to three of the unit's own trails with S3 data selectors (advanced: object ARNs,
    event names, read-only, identities, console sessions; or basic), and perhaps another unit's
    organization trail."""
    own = []
    for n in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            chosen = Selectors("advanced", advanced=tuple(draw(st.lists(
                st.one_of(_s3_selectors(), advanced_selectors()), min_size=1, max_size=3))))
        else:
            chosen = Selectors("basic", basic=tuple(draw(st.lists(basic_selectors(), min_size=1,
                                                                  max_size=2))))
        base = draw(st.one_of(st.just(PLAIN), trails()))
        own.append(Trail(**{**base.__dict__, "id": f"aws_cloudtrail.t{n}", "selectors": chosen}))
    if draw(st.booleans()):
        org = draw(trails(Selectors("advanced", advanced=(draw(advanced_selectors()),))))
        own.append(Trail(**{**org.__dict__, "id": "aws_cloudtrail.org (other)",
                            "foreign_unit": "other", "is_organization": True}))
    return Estate(trails=tuple(own))


@settings(max_examples=150, deadline=None)
@given(_s3_trails(), st.booleans())
def test_probes_the_own_trails_cannot_tell_apart_are_decided_alike(
    estate: Estate, read_only: bool
) -> None:
    regions = ("us-east-1", "us-west-2", "cn-north-1")
    classed = s3_object_coverage(estate, regions, read_only, default_region="us-east-1")
    original = coverage._OwnOutcomes.of
    try:
        # every probe a class of its own: each is decided by every own trail
        coverage._OwnOutcomes.of = lambda self, values: tuple(values.items())
        exact = s3_object_coverage(estate, regions, read_only, default_region="us-east-1")
    finally:
        coverage._OwnOutcomes.of = original
    assert classed == exact


def test_an_s3_probes_bucket_is_in_its_objects_partition() -> None:
    from checker.simulator.coverage import _S3Probe

    for obj, bucket in (("arn:aws-cn:s3:::b/k", "arn:aws-cn:s3:::b"),
                        ("arn:aws:s3:::b/k", "arn:aws:s3:::b")):  # fmt: skip
        values = {"eventSource": "s3.amazonaws.com", "eventName": "PutObject",
                  "resources.ARN": obj}
        resources = _S3Probe("cn-north-1", False, values).event().resources
        assert [r.arn for r in resources] == [obj, bucket]

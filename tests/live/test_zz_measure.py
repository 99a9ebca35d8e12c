from collections import Counter
from typing import Any
from checker.engine import evaluate, load_rules
from checker.loaders.aws.live import AuditOptions, audit
from tests.live.account import Account
from tests.live.conftest import FakeAws

REGIONS = ("us-east-1", "eu-west-1", "us-west-2")

def counts(aws: FakeAws) -> Any:
    r = audit(AuditOptions(regions=REGIONS, endpoint_url=aws.url), aws.factory)
    f = evaluate(r.estate, load_rules())
    return r, f

def test_measure(aws: FakeAws, account: Account) -> None:
    r0, base = counts(aws)
    aws.lake_errors = {reg: "AccessDeniedException" for reg in REGIONS}
    r1, denied = counts(aws)
    b = Counter((x.rule_id, x.status) for x in base)
    d = Counter((x.rule_id, x.status) for x in denied)
    with open("/tmp/r20/measure.txt", "w") as out:
        out.write(f"base {len(base)} {Counter(x.status for x in base)}\n")
        out.write(f"denied {len(denied)} {Counter(x.status for x in denied)}\n")
        for k in sorted(set(b) | set(d)):
            if b[k] != d[k]:
                out.write(f"{k} {b[k]} -> {d[k]}\n")
        for x in denied:
            if (x.rule_id, x.status, x.resource) not in {(y.rule_id, y.status, y.resource) for y in base}:
                out.write(f"  NEW {x.rule_id} {x.status} {x.resource}: {x.message[:300]}\n")

def test_debug(aws: FakeAws, account: Account) -> None:
    from checker.units import unit_views
    from checker.simulator.coverage import compiled_trails
    from checker.simulator.events import Event
    from checker.simulator.pipeline import simulate_event
    aws.lake_errors = {reg: "AccessDeniedException" for reg in REGIONS}
    r, f = counts(aws)
    with open("/tmp/r20/debug.txt", "w") as out:
        out.write(repr(r.estate.unread) + "\n")
        for v in unit_views(r.estate):
            out.write(f"view {v.name} trails={[t.id for t in v.estate.trails]} stores={[s.id for s in v.estate.event_data_stores]}\n")
            ev = Event("s3.amazonaws.com", "PutObject", "us-east-1", read_only=False, event_category="Data", recipient_account_id="123456789012")
            res = simulate_event(v.estate, compiled_trails(v.estate), ev)
            out.write(repr(res.to_json()) + "\n")
        for x in f:
            if x.rule_id in ("CT009", "CT120"):
                out.write(f"{x.rule_id} {x.status} {x.message[:400]}\n")

def _diff(name, base, denied, out):
    b = Counter((x.rule_id, x.status) for x in base)
    d = Counter((x.rule_id, x.status) for x in denied)
    out.write(f"== {name}: base {len(base)} -> {len(denied)} {dict(Counter(x.status for x in denied))}\n")
    for k in sorted(set(b) | set(d)):
        if b[k] != d[k]:
            out.write(f"{k} {b[k]} -> {d[k]}\n")
    seen = {(y.rule_id, y.status, y.resource) for y in base}
    for x in denied:
        if (x.rule_id, x.status, x.resource) not in seen:
            out.write(f"  NEW {x.rule_id} {x.status} {x.resource}: {x.message[:250]}\n")

def test_measure_more(aws: FakeAws, account: Account) -> None:
    from tests.live.test_live_faults import _denied_in, JSON11
    from tests.live.conftest import response
    _, base = counts(aws)
    out = open("/tmp/r20/measure2.txt", "w")
    aws.hooks.append(("before-send.cloudtrail.DescribeTrails", _denied_in("eu-west-1")))
    _, f = counts(aws); _diff("DescribeTrails denied in eu-west-1", base, f, out)
    aws.hooks.clear()
    def denied(request, **_):
        body = (b"<ErrorResponse><Error><Type>Sender</Type><Code>AuthorizationError</Code>"
                b"<Message>not authorized</Message></Error></ErrorResponse>")
        return response(request.url, 403, body, "text/xml")
    aws.hooks.append(("before-send.sns.ListSubscriptionsByTopic", denied))
    _, f = counts(aws); _diff("ListSubscriptionsByTopic denied", base, f, out)
    aws.hooks.clear()
    def ddenied(request, **_):
        return response(request.url, 400, b'{"__type":"AccessDeniedException","message":"no"}', JSON11)
    aws.hooks.append(("before-send.organizations.ListPolicies", ddenied))
    _, f = counts(aws); _diff("ListPolicies denied", base, f, out)
    out.close()

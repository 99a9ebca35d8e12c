"""Predicates about a trail's deliveries as CloudTrail reports them (CT012; facts in
docs/semantics/delivery-errors.md). Only a trail read from AWS has a status: the rule does not
apply to a trail from IaC, whose findings stay as they were."""

from __future__ import annotations

from checker.delivery_state import DestinationKey, destination_health
from checker.model import Location, Trail, Unknown
from checker.predicates.context import Context, PredicateArgs
from checker.rules import Outcome, Subject

NAMES: dict[DestinationKey, str] = {
    "s3": "S3", "cloudwatch_logs": "CloudWatch Logs", "sns": "SNS", "digest": "digest files",
}  # fmt: skip


def reports_delivery(ctx: Context, subject: Subject[Trail], args: PredicateArgs) -> Outcome:
    """Applies when the trail comes with a status (or should, and it could not be read)."""
    has = subject.obj.delivery is not None
    return Outcome("pass" if has else "fail", "the trail has a status" if has else "IaC trail")


def configured(trail: Trail) -> list[DestinationKey]:
    """The destinations the trail uses: S3 always, the others when set up."""
    out: list[DestinationKey] = ["s3"]
    if trail.log_group is not None:
        out.append("cloudwatch_logs")
    if trail.sns_topic is not None:
        out.append("sns")
    if trail.log_file_validation is True:
        out.append("digest")
    return out


def delivery_working(ctx: Context, subject: Subject[Trail], args: PredicateArgs) -> Outcome:
    """No configured destination has a current delivery error. A current error fails, naming
    it and its time; an error that cannot be dated against the latest success is unknown."""
    trail = subject.obj
    if isinstance(trail.delivery, Unknown):
        return Outcome("unknown", f"the trail's status is unknown: {trail.delivery.reason}",
                       trail.where("delivery"))  # fmt: skip
    failing: list[tuple[DestinationKey, str]] = []
    unknown: list[tuple[DestinationKey, str]] = []
    for key in configured(trail):
        ok, why = destination_health(trail.delivery, key)
        if ok is False:
            if key == "digest":
                why += ("; log file validation is on, but without digest files the log files "
                        "cannot be validated")  # fmt: skip
            failing.append((key, why))
        elif isinstance(ok, Unknown):
            unknown.append((key, why))
    if failing:  # a fail holds whatever the unknown ones are
        return Outcome("fail", "; ".join(w for _, w in failing), _where(trail, failing[0][0]))
    if unknown:
        return Outcome("unknown", "; ".join(w for _, w in unknown), _where(trail, unknown[0][0]))
    checked = ", ".join(NAMES[k] for k in configured(trail))
    return Outcome("pass", f"checked: {checked}", trail.where("delivery"))


def _where(trail: Trail, key: DestinationKey) -> Location:
    own = f"delivery.{key}"
    return trail.where(own if own in trail.lines else "delivery")

"""What CloudTrail says about a trail's latest deliveries (GetTrailStatus), per destination.

Only an account read (live, saved `get-trail-status` output, a snapshot) has a status. A trail
from Terraform or CloudFormation describes intent and has none: its `Trail.delivery` is None and
nothing here applies to it. Facts and sources: docs/semantics/delivery-errors.md.

Each destination is true (no current error), false (the latest delivery failed and none has
succeeded since) or unknown (an error is reported but its time cannot be placed against the
latest successful delivery, or the status could not be read), with the error text and times kept
so that a finding can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from checker.unknowns import Tri, Unknown

DestinationKey = Literal["s3", "cloudwatch_logs", "sns", "digest"]

# what each destination is called in a message
WHAT: dict[DestinationKey, str] = {
    "s3": "log file delivery to S3",
    "cloudwatch_logs": "delivery to CloudWatch Logs",
    "sns": "the SNS notification",
    "digest": "digest file delivery to S3",
}


@dataclass(frozen=True)
class DeliveryState:
    """One destination's latest delivery. Times are ISO 8601 UTC text (`2024-05-01T10:00:00Z`)."""

    delivering: Tri = True
    error: str | None = None  # the latest error CloudTrail reports, current or stale
    last_delivered: str | None = None  # the latest successful delivery
    failed_at: str | None = None  # the failed attempt, when the status dates it

    def failure(self, key: DestinationKey) -> str:
        """The sentence that names a current failure (`delivering` is False)."""
        when = f" at {self.failed_at}" if self.failed_at else ""
        since = (
            f", after the latest successful delivery at {self.last_delivered}"
            if self.last_delivered
            else ", and no delivery has ever succeeded"
        )
        return f"{WHAT[key]} fails: CloudTrail reports {self.error!r}{when}{since}"


@dataclass(frozen=True)
class DeliveryStatus:
    """A trail's destinations as GetTrailStatus reports them. A destination the trail does not
    use (no log group, no topic, validation off) is still recorded; the judge asks only about the
    ones configured."""

    s3: DeliveryState = DeliveryState()
    cloudwatch_logs: DeliveryState = DeliveryState()
    sns: DeliveryState = DeliveryState()
    digest: DeliveryState = DeliveryState()

    def state(self, key: DestinationKey) -> DeliveryState:
        state: DeliveryState = getattr(self, key)
        return state


def destination_health(
    delivery: DeliveryStatus | Unknown | None, key: DestinationKey
) -> tuple[Tri, str]:
    """Whether one destination delivers now, and why: (True, "") when it does or when the trail
    has no status at all (IaC: intent only); (False, the failure) or (Unknown, its reason)."""
    if delivery is None:
        return True, ""
    if isinstance(delivery, Unknown):
        return delivery, f"whether {WHAT[key]} works is unknown ({delivery.reason})"
    state = delivery.state(key)
    if isinstance(state.delivering, Unknown):
        return state.delivering, f"whether {WHAT[key]} works is unknown ({state.delivering.reason})"
    if state.delivering is False:
        return False, state.failure(key)
    return True, ""

"""Python predicates: the escape hatch of the declarative rule language.

A rule's `{predicate: NAME, args: {...}}` calls `PREDICATES[NAME](ctx, subject, args)`: the
evaluation context, the subject of the rule's scope (`checker.rules.Subject`) and the rule's
`args`. A predicate returns one `Outcome` or several (estate-scope predicates report per
resource). The table below is the whole registry: a new predicate is a function in one of these
modules and one line here, under the name its rules use (the function's own name).
"""

from __future__ import annotations

from checker.predicates import (
    cis_alarms,
    critical_coverage,
    delivery,
    eventbridge,
    evidence,
    evidence_keys,
    evidence_retention,
    evidence_tampering,
    lake,
    simulated,
    trail,
)
from checker.predicates.context import Predicate

PREDICATES: dict[str, Predicate] = {
    # one trail (scope trail; customer_managed_key also scope event_data_store)
    "covers_us_east_1": trail.covers_us_east_1,
    "customer_managed_key": trail.customer_managed_key,
    "valid_selectors": simulated.valid_selectors,
    "reports_delivery": delivery.reports_delivery,
    "delivery_working": delivery.delivery_working,
    # the trail's bucket (scope bucket) and key (scope key)
    "object_lock_retention": evidence.object_lock_retention,
    "access_logging_on": evidence.access_logging_on,
    "bucket_not_public": evidence.bucket_not_public,
    "bucket_policy_source": evidence.bucket_policy_source,
    "bucket_tls_only": evidence.bucket_tls_only,
    "key_rotation": evidence_keys.key_rotation,
    "trail_key_policy": evidence_keys.trail_key_policy,
    # other single resources (scopes event_data_store, event_rule)
    "lake_retention": lake.lake_retention,
    "lake_selectors": lake.lake_selectors,
    "valid_event_pattern": eventbridge.valid_event_pattern,
    # the set of trails of one deployment unit (scope estate)
    "insights_enabled": trail.insights_enabled,
    "records_all_management_events": simulated.records_all_management_events,
    "records_all_s3_objects": simulated.records_all_s3_objects,
    "log_retention": evidence_retention.log_retention,
    "deny_trail_tampering": evidence_tampering.deny_trail_tampering,
    "cis_alarm": cis_alarms.cis_alarm,
    "critical_event_coverage": critical_coverage.critical_event_coverage,
    "critical_event_alerting": critical_coverage.critical_event_alerting,
}

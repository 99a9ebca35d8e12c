"""The shapes of the CloudTrail CLI outputs trailcheck reads (docs/semantics.md, botocore's
CloudTrail model), checked before the values reach the converters shared with the live loader.

Output straight from the CLI always fits; a saved file edited by hand may not, and then the
first misfit is reported with its path so the loader can name the line (CT000).
"""

from __future__ import annotations

from typing import Any

STR: Any = str
BOOL: Any = bool
INT: Any = int
STRINGS = [STR]

TRAIL = {
    "Name": STR, "S3BucketName": STR, "S3KeyPrefix": STR, "SnsTopicName": STR,
    "SnsTopicARN": STR, "IncludeGlobalServiceEvents": BOOL, "IsMultiRegionTrail": BOOL,
    "HomeRegion": STR, "TrailARN": STR, "LogFileValidationEnabled": BOOL,
    "CloudWatchLogsLogGroupArn": STR, "CloudWatchLogsRoleArn": STR, "KmsKeyId": STR,
    "HasCustomEventSelectors": BOOL, "HasInsightSelectors": BOOL, "IsOrganizationTrail": BOOL,
}  # fmt: skip
EVENT_SELECTORS = [
    {
        "ReadWriteType": STR,
        "IncludeManagementEvents": BOOL,
        "DataResources": [{"Type": STR, "Values": STRINGS}],
        "ExcludeManagementEventSources": STRINGS,
    }
]
FIELD_SELECTOR = {
    "Field": STR, "Equals": STRINGS, "NotEquals": STRINGS, "StartsWith": STRINGS,
    "NotStartsWith": STRINGS, "EndsWith": STRINGS, "NotEndsWith": STRINGS,
}  # fmt: skip
ADVANCED_EVENT_SELECTORS = [{"Name": STR, "FieldSelectors": [FIELD_SELECTOR]}]
INSIGHT_SELECTORS = [{"InsightType": STR, "EventCategories": STRINGS}]
SELECTOR_OUTPUT = {
    "TrailARN": STR,
    "EventSelectors": EVENT_SELECTORS,
    "AdvancedEventSelectors": ADVANCED_EVENT_SELECTORS,
}
INSIGHT_OUTPUT = {"TrailARN": STR, "InsightSelectors": INSIGHT_SELECTORS}
# ListTrails: each trail's ARN, name and home Region only (CloudTrail API reference, TrailInfo)
TRAIL_LIST_OUTPUT = {"Trails": [{"TrailARN": STR, "Name": STR, "HomeRegion": STR}],
                     "NextToken": STR}
# CloudTrail Lake: a ListEventDataStores entry and GetEventDataStore output share these keys
# (the list's configuration keys are deprecated, and it has no KmsKeyId or BillingMode)
EVENT_DATA_STORE = {
    "EventDataStoreArn": STR, "Name": STR, "Status": STR,
    "AdvancedEventSelectors": ADVANCED_EVENT_SELECTORS, "MultiRegionEnabled": BOOL,
    "OrganizationEnabled": BOOL, "RetentionPeriod": INT, "TerminationProtectionEnabled": BOOL,
    "KmsKeyId": STR, "BillingMode": STR,
}  # fmt: skip
EVENT_DATA_STORES_OUTPUT = {"EventDataStores": [EVENT_DATA_STORE]}
STORE_INSIGHT_OUTPUT = {
    "EventDataStoreArn": STR, "InsightSelectors": INSIGHT_SELECTORS, "InsightsDestination": STR,
}

_NAMES = {str: "a string", bool: "true or false", int: "a whole number"}


Misfit = tuple[tuple[Any, ...], str]  # (path, what was expected)


def misfit(value: Any, shape: Any, path: tuple[Any, ...] = ()) -> Misfit | None:
    """The path and expectation of the first part of `value` that does not fit `shape`
    (a type, `[item shape]`, or `{key: shape}` with every key optional and others ignored)."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return path, "an object"
        for key, sub in shape.items():
            if key in value:
                found = misfit(value[key], sub, (*path, key))
                if found is not None:
                    return found
        return None
    if isinstance(shape, list):
        if not isinstance(value, list):
            return path, "a list"
        for i, item in enumerate(value):
            found = misfit(item, shape[0], (*path, i))
            if found is not None:
                return found
        return None
    if not isinstance(value, shape) or (shape is not bool and isinstance(value, bool)):
        return path, _NAMES.get(shape, shape.__name__)
    return None

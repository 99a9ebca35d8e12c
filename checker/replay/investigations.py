"""The questions the scenario catalog's seed scenarios ask of a log bucket, as parameterised SQL
over the CloudTrail table: who terminated an instance, failed console sign-ins and their source
IPs, who deleted a bucket, root usage. Parameters are positional (`?`), as prepared statements
take them in DuckDB, Athena (`EXECUTE ... USING`), Trino and Spark; every query takes the first
and last eventTime of the period first.

The record fields each query reads follow the scenarios' sample events
(policies/scenarios/seeds.yaml and cis.yaml) and the CloudTrail record contents (CloudTrail UG,
"CloudTrail record contents for management, data, and network activity events").
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.replay.queries import TABLE


@dataclass(frozen=True)
class Investigation:
    scenario: str  # the catalog's scenario id
    name: str
    question: str
    params: tuple[str, ...]  # after the period's start and end
    where: str
    columns: str = (
        "eventtime, useridentity.type AS identity_type, useridentity.arn AS identity_arn, "
        "useridentity.accountid AS identity_account, sourceipaddress, useragent, awsregion, "
        "recipientaccountid, errorcode, eventid"
    )

    def sql(self, table: str = TABLE) -> str:
        return (f"SELECT {self.columns} FROM {table} WHERE eventtime >= ? AND eventtime <= ? "
                f"AND {self.where} ORDER BY eventtime")  # fmt: skip


INVESTIGATIONS: tuple[Investigation, ...] = (
    Investigation(
        "ec2-instance-terminated", "who-terminated-instance",
        "Who terminated instance X?", ("instance id, e.g. i-0123456789abcdef0",),
        "eventsource = 'ec2.amazonaws.com' AND eventname = 'TerminateInstances' "
        "AND strpos(requestparameters, ?) > 0",
    ),
    Investigation(
        "console-login-failures", "failed-console-sign-ins",
        "Failed console sign-ins, with their source IP addresses", (),
        "eventsource = 'signin.amazonaws.com' AND eventname = 'ConsoleLogin' AND "
        "(errormessage = 'Failed authentication' OR "
        "json_extract_string(responseelements, '$.ConsoleLogin') = 'Failure')",
        "eventtime, sourceipaddress, useridentity.type AS identity_type, "
        "useridentity.username AS user_name, useridentity.arn AS identity_arn, errormessage, "
        "json_extract_string(additionaleventdata, '$.MFAUsed') AS mfa_used, awsregion, "
        "recipientaccountid, eventid",
    ),
    Investigation(
        "s3-bucket-deleted", "who-deleted-bucket",
        "Who deleted bucket B?", ("bucket name",),
        "eventsource = 's3.amazonaws.com' AND eventname = 'DeleteBucket' "
        "AND json_extract_string(requestparameters, '$.bucketName') = ?",
    ),
    Investigation(
        "cis-03-root-usage", "root-usage",
        "What did the root user do?", (),
        "useridentity.type = 'Root' AND useridentity.invokedby IS NULL "
        "AND coalesce(eventtype, '') <> 'AwsServiceEvent'",
    ),
)

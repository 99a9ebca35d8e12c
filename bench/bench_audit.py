#!/usr/bin/env python3
"""Wall time and API calls of `trailcheck audit` against the moto emulator, 17 Regions.

    python bench/bench_audit.py [--runs 5] [--workers 8] [--regions R1,R2,...]

Starts moto in server mode on 127.0.0.1, builds the test account of tests/live/account.py
(a multi-Region trail, single-Region trails in eu-west-1 and us-west-2, buckets with and without
Object Lock, a KMS key, a log group with a metric filter, an alarm, an SNS subscription), then
times `checker.loaders.aws.live.audit` (the reading) and the whole `audit` command (reading, rules,
JSON report) over the 17 default-enabled Regions. API calls are counted per Region with a
`before-call` hook on the audit's clients. Target: under 15 s for 17 Regions.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import statistics
import sys
import time
from collections import Counter
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


class Counting:
    """The audit's session factory: counts calls and works around the emulator's gaps."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()  # (region, service:Operation)

    def factory(self, profile: str | None) -> Any:
        import boto3
        from botocore.awsrequest import AWSResponse

        session = boto3.Session(region_name="us-east-1")

        def count(event_name: str, context: dict[str, Any], **_: Any) -> None:
            _, service, op = event_name.split(".")[:3]
            self.calls[(context.get("client_region") or "", f"{service}:{op}")] += 1

        def strip_account_host(request: Any, **_: Any) -> None:  # s3control host prefix
            request.url = re.sub(r"//\d{12}\.", "//", request.url, count=1)

        def no_event_data_stores(**_: Any) -> Any:  # not implemented by moto
            return AWSResponse("", 200, {}, None), {"EventDataStores": []}

        session.events.register("before-call.*.*", count)
        session.events.register("before-sign.s3-control.*", strip_account_host)
        session.events.register("before-call.cloudtrail.ListEventDataStores", no_event_data_stores)
        return session


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--regions", default="")
    args = parser.parse_args()

    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")  # fmt: skip
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    from checker.cli import build_parser
    from checker.commands import audit as audit_command
    from checker.loaders.aws.live import AuditOptions, audit
    from checker.regions import DEFAULT_REGIONS
    from tests.live.account import build_account

    regions = tuple(r for r in args.regions.split(",") if r) or DEFAULT_REGIONS
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"

        class Setup:  # plain clients for building the account
            def client(self, service: str, region: str = "us-east-1") -> Any:
                import boto3

                return boto3.Session().client(service, region_name=region, endpoint_url=url)

        build_account(Setup())
        options = AuditOptions(regions=regions, endpoint_url=url, workers=args.workers)

        loader_times, command_times = [], []
        counted = Counting()
        for run in range(args.runs):
            counter = Counting()
            start = time.perf_counter()
            result = audit(options, counter.factory)
            loader_times.append(time.perf_counter() - start)
            if run == 0:
                counted = counter
                assert not result.not_checked, [n.reason for n in result.not_checked]
                assert len(result.estate.trails) == 3

            argv = ["audit", "--endpoint-url", url, "--regions", ",".join(regions),
                    "--workers", str(args.workers), "--format", "json", "--no-config"]  # fmt: skip
            parsed = build_parser().parse_args(argv)
            start = time.perf_counter()
            with redirect_stdout(io.StringIO()):
                code = audit_command.run(parsed, session_factory=Counting().factory)
            command_times.append(time.perf_counter() - start)
            assert code in (0, 1), code
    finally:
        server.stop()

    per_region: Counter[str] = Counter()
    for (region, _), n in counted.calls.items():
        per_region[region] += n
    print(f"trailcheck audit against moto {url}: {len(regions)} Regions, {args.workers} workers, "
          f"{args.runs} runs")  # fmt: skip
    print(
        f"  reading (live.audit):  median {statistics.median(loader_times):.2f} s  "
        f"(min {min(loader_times):.2f}, max {max(loader_times):.2f})"
    )
    print(
        f"  whole command (json):  median {statistics.median(command_times):.2f} s  "
        f"(min {min(command_times):.2f}, max {max(command_times):.2f})"
    )
    print(f"  API calls: {sum(per_region.values())} in total")
    for region in sorted(per_region, key=lambda r: (-per_region[r], r)):
        ops = Counter({op: n for (r, op), n in counted.calls.items() if r == region})
        detail = ", ".join(f"{op} {n}" for op, n in sorted(ops.items()))
        print(f"    {region:<16} {per_region[region]:>3}  {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

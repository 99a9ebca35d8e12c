#!/usr/bin/env python3
"""Wall time and API calls of `trailcheck audit` against the moto emulator, 17 Regions.

    python bench/bench_audit.py [--runs 5] [--workers 8] [--regions R1,R2,...]
    python bench/bench_audit.py --organization 20 [--runs 1] [--workers 8] [--regions ...]

Starts moto in server mode on 127.0.0.1, builds the test account of tests/live/account.py
(a multi-Region trail, single-Region trails in eu-west-1 and us-west-2, buckets with and without
Object Lock, a KMS key, a log group with a metric filter, an alarm, an SNS subscription), then
times `checker.loaders.aws.live.audit` (the reading) and the whole `audit` command (reading, rules,
JSON report) over the 17 default-enabled Regions. API calls are counted per Region with a
`before-call` hook on the audit's clients. Target: under 15 s for 17 Regions.

With `--organization N`: the organization of tests/live/organization.py with N accounts (the
management account, a log archive account, one member with a trail of its own, one without the
audit role, one closed; no throttling here), audited with `--organization --role-name`. Prints
the API calls per account (each operation call counted once, retries not included; the
sts:AssumeRole calls are the caller's) and the wall time of the reading, of the whole command,
and of the judging and JSON report alone. moto runs in a process of its own and answers one
request at a time or so: against the emulator the reading measures mostly moto (its first run
also builds moto's per-account backends), and a real organization answers in parallel.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
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
    parser.add_argument("--organization", type=int, default=0, metavar="N",
                        help="audit an emulated organization of N accounts instead")
    args = parser.parse_args()
    if args.organization:
        return organization(args)

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


def moto_process() -> tuple[subprocess.Popen[bytes], str]:
    """moto's server in a process of its own on 127.0.0.1: in this process (as the tests run
    it) the emulator's work would compete with the audit's threads for the interpreter lock."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/moto-api/data.json"):
                return server, url
        except OSError:
            time.sleep(0.05)
    server.terminate()
    raise SystemExit("moto's server did not start")


def organization(args: argparse.Namespace) -> int:
    """`audit --organization` of an emulated organization of `args.organization` accounts."""
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")  # fmt: skip
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from checker.cli import build_parser
    from checker.commands import audit as audit_command
    from checker.loaders.aws.live import AuditOptions, audit
    from checker.regions import DEFAULT_REGIONS
    from tests.live.conftest import FakeAws
    from tests.live.organization import MANAGEMENT, ROLE_NAME, OrgHooks, build_organization

    if args.organization < 6:
        raise SystemExit("--organization needs at least 6 accounts (tests/live/organization.py)")
    regions = tuple(r for r in args.regions.split(",") if r) or DEFAULT_REGIONS
    server, url = moto_process()
    try:
        aws = FakeAws(url)
        start = time.perf_counter()
        org = build_organization(aws, members=args.organization - 1)
        setup = time.perf_counter() - start
        hooks = OrgHooks(org)
        hooks.register(aws.add_hook, throttle=False)
        calls: Counter[tuple[str, str]] = Counter()  # (account, service:Operation)

        def count(event_name: str, request_signer: Any, **_: Any) -> None:
            key = request_signer._credentials.access_key  # bench only: whose client this is
            account = MANAGEMENT if key == "testing" else hooks.keys.get(key, "?")
            calls[(account, ":".join(event_name.split(".")[1:3]))] += 1

        aws.add_hook("before-call.*.*", count)
        options = AuditOptions(regions=regions, endpoint_url=url, workers=args.workers,
                               organization_role=ROLE_NAME)  # fmt: skip
        loader_times, command_times = [], []
        for run in range(args.runs):
            calls.clear()
            start = time.perf_counter()
            result = audit(options, aws.factory)
            loader_times.append(time.perf_counter() - start)
            argv = ["audit", "--organization", "--role-name", ROLE_NAME, "--endpoint-url", url,
                    "--regions", ",".join(regions), "--workers", str(args.workers),
                    "--format", "json", "--no-config", "--no-progress"]  # fmt: skip
            parsed = build_parser().parse_args(argv)
            if run == 0:
                counted = Counter(calls)
                statuses = Counter(a.status for a in result.accounts)
                assert len(result.accounts) == args.organization, len(result.accounts)
                start = time.perf_counter()  # judging every account and the JSON report
                audit_command.render_audit("json", audit_command.build_report(
                    result, parsed, audit_command.audit_options(parsed)))  # fmt: skip
                judging = time.perf_counter() - start
            start = time.perf_counter()
            with redirect_stdout(io.StringIO()):
                code = audit_command.run(parsed, session_factory=aws.factory)
            command_times.append(time.perf_counter() - start)
            assert code == 2, code  # the account without the role is a CT000 failure
    finally:
        server.terminate()
        server.wait()

    per_account: Counter[str] = Counter()
    for (account, _), n in counted.items():
        per_account[account] += n
    members = sorted(n for a, n in per_account.items() if a not in (MANAGEMENT, "?"))
    print(f"trailcheck audit --organization against moto {url}: {args.organization} accounts "
          f"({dict(statuses)}), {len(regions)} Regions, {args.workers} workers, {args.runs} "
          f"run(s); organization built in {setup:.1f} s")  # fmt: skip
    print(
        f"  reading (live.audit):  median {statistics.median(loader_times):.2f} s  "
        f"(min {min(loader_times):.2f}, max {max(loader_times):.2f})"
    )
    print(
        f"  whole command (json):  median {statistics.median(command_times):.2f} s  "
        f"(min {min(command_times):.2f}, max {max(command_times):.2f})"
    )
    print(f"  judging and JSON report alone (no AWS call): {judging:.2f} s")
    print(f"  API calls: {sum(per_account.values())} in total, "
          f"{sum(per_account.values()) / args.organization:.1f} per account")  # fmt: skip
    print(f"    management account (caller): {per_account[MANAGEMENT]}")
    if members:
        print(f"    member accounts: median {statistics.median(members):.0f} "
              f"(min {members[0]}, max {members[-1]})")  # fmt: skip
    typical = next((a for a in per_account if a not in (MANAGEMENT, "?", org.log_archive,
                                                         org.own_trail)), None)  # fmt: skip
    for label, account in (("management", MANAGEMENT), ("a member", typical)):
        if account is None:
            continue
        ops = {op: n for (a, op), n in counted.items() if a == account}
        print(f"    {label} {account}: " + ", ".join(f"{op} {n}" for op, n in sorted(ops.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())

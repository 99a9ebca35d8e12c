"""A real AWS API emulator for the audit tests: moto in server mode on 127.0.0.1.

- `moto_url` starts one ThreadedMotoServer for the session (free port) and stops it at the end;
- `aws` resets the emulator, sets dummy credentials and gives a `FakeAws`: the session factory
  the audit is given, which adds the tests' botocore hooks (fault injection, call counting) to
  every client the audit creates, plus the shims for what the emulator cannot do (below);
- `account` builds the account the audit reads (tests/live/account.py).

Emulator shims, kept here in the tests and never in the product:
- s3control puts the account id in the host name (`123456789012.127.0.0.1`), which does not
  resolve: a `before-sign` hook drops that prefix;
- moto has no CloudTrail Lake (ListEventDataStores answers HTTP 500): a `before-call` hook answers
  ListEventDataStores, GetEventDataStore and GetInsightSelectors for a store from
  `FakeAws.event_data_stores` (GetEventDataStore answers, none by default), in pages of
  `FakeAws.lake_page_size` stores when it is set, or with the error `FakeAws.lake_errors` names
  for the Region;
- moto's DescribeTrails always says HasCustomEventSelectors/HasInsightSelectors false: the product
  never relies on those flags (it always reads the selectors), so nothing is needed.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("moto.server")

from botocore.awsrequest import AWSResponse  # noqa: E402

from tests.live.account import Account, build_account  # noqa: E402

Hook = tuple[str, Callable[..., Any]]


class RawBody:
    """The `raw` of a botocore AWSResponse made up by a hook."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def response(url: str, status: int, body: bytes, content_type: str) -> AWSResponse:
    return AWSResponse(url, status, {"Content-Type": content_type}, RawBody(body))


def _strip_account_host(request: Any, **_: Any) -> None:
    request.url = re.sub(r"//\d{12}\.", "//", request.url, count=1)


_LOADER: Any = None


def _botocore_session() -> Any:
    """A botocore session sharing one model loader with every other test session: loading the
    service models again for each test would cost about a second each."""
    global _LOADER
    import botocore.session
    from botocore.loaders import create_loader

    if _LOADER is None:
        _LOADER = create_loader()
    core = botocore.session.Session()
    core.register_component("data_loader", _LOADER)
    return core


@dataclass
class FakeAws:
    url: str
    hooks: list[Hook] = field(default_factory=list)
    sent: Counter[tuple[str, str]] = field(default_factory=Counter)  # (service, operation)
    sessions: int = 0
    event_data_stores: list[dict[str, Any]] = field(default_factory=list)
    lake_page_size: int = 0  # > 0: ListEventDataStores answers in pages of this size, as AWS can
    # Region -> the error code ListEventDataStores answers there (HTTP 400, no retry)
    lake_errors: dict[str, str] = field(default_factory=dict)
    _setup_session: Any = None
    _setup_clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def add_hook(self, event: str, handler: Callable[..., Any]) -> None:
        self.hooks.append((event, handler))

    def session(self) -> Any:
        s = boto3.Session(region_name="us-east-1", botocore_session=_botocore_session())
        s.events.register("before-sign.s3-control.*", _strip_account_host)
        for op in ("ListEventDataStores", "GetEventDataStore", "GetInsightSelectors"):
            s.events.register(f"before-call.cloudtrail.{op}", self._lake)
        s.events.register("before-send.*.*", self._count)
        for event, handler in self.hooks:
            s.events.register(event, handler)
        return s

    def _lake(self, model: Any, params: Any, context: Any = None, **_: Any) -> Any:
        """The emulator's missing CloudTrail Lake, answered from `event_data_stores`."""
        import json

        region = (context or {}).get("client_region", "")
        if model.name == "ListEventDataStores" and region in self.lake_errors:
            code = self.lake_errors[region]
            error = {"Error": {"Code": code, "Message": f"{code} in {region}"},
                     "ResponseMetadata": {"HTTPStatusCode": 400}}  # fmt: skip
            return AWSResponse("", 400, {}, RawBody(b"")), error
        body = params.get("body") if isinstance(params, dict) else None
        request = json.loads(body) if body else {}
        found = [s for s in self.event_data_stores
                 if s["EventDataStoreArn"] == request.get("EventDataStore")]  # fmt: skip
        if model.name == "ListEventDataStores":
            listed = [{k: s[k] for k in ("EventDataStoreArn", "Name")}
                      for s in self.event_data_stores]  # fmt: skip
            answer: dict[str, Any] = {"EventDataStores": listed}
            if self.lake_page_size:
                start = int(str(request.get("NextToken") or "page0")[4:])
                end = start + self.lake_page_size
                answer["EventDataStores"] = listed[start:end]
                if end < len(listed):
                    answer["NextToken"] = f"page{end}"
        elif model.name == "GetEventDataStore" and found:
            answer = {k: v for k, v in found[0].items() if k != "InsightSelectors"}
        elif model.name == "GetInsightSelectors" and found:
            answer = {"EventDataStoreArn": found[0]["EventDataStoreArn"],
                      "InsightSelectors": found[0].get("InsightSelectors", [])}  # fmt: skip
        else:
            return None  # the emulator's own answer (a trail's insight selectors)
        return AWSResponse("", 200, {}, RawBody(b"")), answer

    def factory(self, profile: str | None) -> Any:
        """The audit's SessionFactory."""
        self.sessions += 1
        return self.session()

    def _count(self, request: Any, event_name: str = "", **_: Any) -> None:
        parts = event_name.split(".")
        self.sent[(parts[1], parts[2])] += 1

    def session_for_account(self, account_id: str) -> Any:
        """A plain session in another emulated account (moto keys accounts by credentials)."""
        creds = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/setup", RoleSessionName="setup"
        )["Credentials"]
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"], region_name="us-east-1",
            botocore_session=_botocore_session(),
        )  # fmt: skip

    def client(self, service: str, region: str = "us-east-1") -> Any:
        """A plain client for setting the emulator up (no audit guard), from one shared session:
        a boto3 session loads every service model again, which is what costs time here."""
        key = (service, region)
        if key not in self._setup_clients:
            if self._setup_session is None:
                self._setup_session = self.session()
            self._setup_clients[key] = self._setup_session.client(
                service, region_name=region, endpoint_url=self.url
            )
        return self._setup_clients[key]


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def fresh_emulator(moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> FakeAws:
    """The emulator reset, with dummy credentials and no AWS configuration from the machine."""
    import urllib.request

    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    request = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request) as reply:
        assert reply.status == 200
    return FakeAws(moto_url)


@pytest.fixture
def aws(moto_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> FakeAws:
    return fresh_emulator(moto_url, monkeypatch, tmp_path)  # a fresh emulator for every test


def without_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries without their sleeps, so the throttling tests take milliseconds."""
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    without_backoff(monkeypatch)


@pytest.fixture
def account(aws: FakeAws) -> Account:
    return build_account(aws)

"""The hub wired whole, as real processes: a hub and two connectors that join it, apply with their own keys and
are approved; the hub crawls them; the consumer finds the provider's Korean dataset at the hub and, with the hit,
negotiates an offer that needs the hub's tier credential and pulls the data. The operator suspends the consumer:
the provider refuses it within ``hub_refresh`` + 1 s; reinstated, it is back with new credentials. A member that
stops keeps its entries at the hub, which says when it last saw it."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sangsaeng.client import Client
from sangsaeng.hub.members.brn import check_digit
from sangsaeng.identity import tokens
from sangsaeng.identity.keys import load_private_key
from sangsaeng.launch import ConnectorProcess, HubProcess, free_port
from sangsaeng.settings import Settings
from tests.helpers import SAMPLE_CSV

REFRESH = 1.0
CATALOG_REQUEST = {"@context": ["https://w3id.org/dspace/2025/1/context.jsonld"], "@type": "CatalogRequestMessage"}
TIER = {"leftOperand": "tier", "operator": "isAnyOf", "rightOperand": ["1차"]}
TIER_OFFER = {"permission": [{"action": "use", "constraint": [TIER]}]}


def sangsaeng(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sangsaeng", *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def brn(first_nine: str) -> str:
    return f"{first_nine[:3]}-{first_nine[3:5]}-{first_nine[5:]}{check_digit(first_nine)}"


def until(check: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> float:
    """Seconds until ``check()`` is true; fails after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout} s")


class Member:
    def __init__(self, root: Path, name: str, hub_url: str, nine: str) -> None:
        self.dir, self.port = root / name, free_port()
        sangsaeng(
            "init", "--participant-id", f"urn:uuid:{uuid.uuid4()}", "--name", name, "--data-dir", str(self.dir),
            "--port", str(self.port), "--hub", hub_url, "--yes",
        )  # fmt: skip
        self.settings = Settings(data_dir=self.dir)
        self.id = self.settings.participant_id
        applied = sangsaeng(
            "hub", "apply", hub_url, "--data-dir", str(self.dir), "--brn", brn(nine), "--ksic", "C30",
            "--region", "경상남도", "--size", "중소기업", "--tier", "현대차=1차", "--contact-name", "김담당",
            "--contact-email", "kim@example.kr", "--contact-phone", "055-123-4567", "--en",
        )  # fmt: skip
        found = re.search(r"application (\S+)", applied)
        assert found is not None, applied
        self.application = found.group(1)
        self.process = ConnectorProcess(self.dir, self.port)
        self.client: Client | None = None

    def start(self) -> Client:
        self.process.start()
        self.client = Client(self.process.url, self.settings.api_key.get_secret_value())
        return self.client

    def token(self, audience: str) -> str:
        return tokens.issue(load_private_key(self.settings.key_path), self.id, audience, time_now())

    def wallet(self) -> list[str]:
        path = self.settings.credentials_path
        return json.loads(path.read_text("utf-8")) if path.exists() else []


def time_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def test_onboarding_search_negotiation_and_revocation_through_a_real_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANGSAENG_HUB_REFRESH", str(REFRESH))  # the processes inherit it
    monkeypatch.setenv("SANGSAENG_HUB_CRAWL_EVERY", "3600")  # the test asks for each crawl
    monkeypatch.setenv("SANGSAENG_HUB_CRAWL_TIMEOUT", "3")
    hub_dir, hub_port = tmp_path / "hub", free_port()
    sangsaeng("hub", "init", "--name", "상생 허브", "--port", str(hub_port), "--data-dir", str(hub_dir), "--en")
    hub = HubProcess(hub_dir, hub_port).start()
    operator = {"X-API-Key": Settings(data_dir=hub_dir).api_key.get_secret_value()}
    members: list[Member] = []
    try:
        hub_id = httpx.get(f"{hub.url}/.well-known/sangsaeng-hub").json()["id"]
        provider = Member(tmp_path, "provider", hub.url, "220816251")
        consumer = Member(tmp_path, "consumer", hub.url, "123456789")
        members += [provider, consumer]
        for member in members:
            sangsaeng("hub", "approve", member.application, "--data-dir", str(hub_dir), "--en")
        held = sangsaeng("hub", "credentials", "--data-dir", str(consumer.dir), "--en")
        assert "1 valid credential" in held and len(consumer.wallet()) == 1
        first_credential = consumer.wallet()[0]
        sell, buy = provider.start(), consumer.start()
        until(lambda: len(provider.wallet()) == 1, 15, "the provider's credentials fetched by the running connector")

        dataset = sell.add_dataset(_csv(tmp_path), "수입검사결과", "입고 부품의 검사 결과")
        offer = sell.create_offer(dataset["id"], TIER_OFFER)
        crawled = sangsaeng("hub", "crawl", "--data-dir", str(hub_dir), "--en")
        assert "1 indexed" in crawled or "2 indexed" in crawled, crawled

        search = f"{hub.url}/hub/catalog/search"
        assert httpx.get(search, params={"q": "검사"}).status_code == 401  # members and the operator only
        answer = httpx.get(search, params={"q": "검사"}, headers={"Authorization": f"Bearer {consumer.token(hub_id)}"})
        assert answer.status_code == 200, answer.text
        [hit] = answer.json()["hits"]
        assert hit["provider"]["id"] == provider.id and hit["title"] == "수입검사결과"
        assert hit["provider"]["endpoint"] == provider.settings.protocol_url
        assert hit["offers"][0]["id"] == offer["id"] and hit["provider"]["tier"] == ["1차"]
        by_operator = httpx.get(search, params={"q": "inspection 경상남도"}, headers=operator)  # words the hub adds
        assert by_operator.status_code == 200 and len(by_operator.json()["hits"]) == 0  # "inspection" is not in it
        assert len(httpx.get(search, params={"q": "경상남도 검사"}, headers=operator).json()["hits"]) == 1

        agreement = _agree(buy, hit)
        transfer = buy.start_transfer(agreement)
        buy.wait_transfer_ready(transfer["id"])
        out = tmp_path / "pulled.csv"
        buy.pull(transfer["id"], out, "text/csv")
        pulled, sent = (list(csv.reader(t.splitlines())) for t in (out.read_text("utf-8"), SAMPLE_CSV))
        assert [r[0] for r in pulled] == [r[0] for r in sent] and pulled[0] == sent[0]  # every lot, typed values

        def protocol_status() -> int:  # the consumer's own protocol request to the provider
            auth = {"Authorization": f"Bearer {consumer.token(provider.id)}"}
            return httpx.post(
                f"{provider.process.url}/dsp/catalog/request", json=CATALOG_REQUEST, headers=auth
            ).status_code

        assert protocol_status() == 200
        sangsaeng("hub", "suspend", consumer.application, "--reason", "점검", "--data-dir", str(hub_dir), "--en")
        took = until(lambda: protocol_status() == 401, REFRESH + 1, "the provider refused the suspended consumer")
        assert took <= REFRESH + 1

        sangsaeng("hub", "reinstate", consumer.application, "--data-dir", str(hub_dir), "--en")
        until(lambda: protocol_status() == 200, REFRESH + 1, "the provider served the reinstated consumer")
        until(lambda: consumer.wallet() not in ([], [first_credential]), 10, "the new credential fetched")
        assert _agree(buy, hit)  # the tier offer is granted again: the new credential counts

        provider.process.stop()
        sangsaeng("hub", "crawl", "--data-dir", str(hub_dir), "--en")
        states = httpx.get(f"{hub.url}/hub/catalog/members", headers=operator).json()["members"]
        [seen] = [m for m in states if m["id"] == provider.id]
        assert seen["lastSeen"] is not None and seen["lastError"] and seen["failures"] == 1 and seen["datasets"] == 1
        kept = httpx.get(search, params={"q": "검사"}, headers=operator).json()["hits"]
        assert [h["datasetId"] for h in kept] == [hit["datasetId"]]  # its entries stay
    finally:
        for member in members:
            if member.client is not None:
                member.client.close()
            member.process.stop()
        hub.stop()


def _csv(root: Path) -> Path:
    path = root / "inspections.csv"
    path.write_text(SAMPLE_CSV, "utf-8")
    return path


def _agree(client: Client, hit: dict[str, Any]) -> str:
    started = client.negotiate(hit["provider"]["id"], hit["datasetId"], hit["offers"][0]["id"])
    final = client.wait_negotiation(started["id"])
    assert final["state"] == "FINALIZED", final
    agreement: str = final["agreementId"]
    return agreement

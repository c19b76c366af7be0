"""The hub's federated catalog: crawl 100 members holding 10,000 datasets in all, re-crawl when 1% changed, search.

Members are in-process DSP catalogs of our connectors' shape, served over HTTP by one ASGI app through httpx (the
hub's crawl asks each with ``If-None-Match``; an unchanged one answers 304). Figure: the re-crawl after 1% of the
datasets changed. Baseline, same run: one bare catalog request to each member (the whole catalog, not indexed).
Aim: re-crawl ≤ 10 s, search p99 ≤ 50 ms.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.common import Figure, PeakRss
from sangsaeng.hub.catalog.crawl import Crawler, Fetched
from sangsaeng.hub.catalog.index import SqliteIndex
from sangsaeng.hub.catalog.model import Filters, Member
from sangsaeng.hub.catalog.text import terms
from sangsaeng.policy.templates import template

WORDS_KO = ["수입검사", "출하검사", "열처리", "도금", "사출", "프레스", "용접", "측정", "결과", "기록", "에너지"]
WORDS_EN = ["inspection", "incoming", "shipment", "heat", "plating", "molding", "press", "welding", "energy", "log"]
QUALITY = template("quality-to-customer").policy({"customer": "urn:p:oem", "days": "90"})


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def make_dataset(member: int, i: int, rng: random.Random, revision: int = 0) -> dict[str, Any]:
    ko = " ".join(rng.sample(WORDS_KO, 3))
    en = " ".join(rng.sample(WORDS_EN, 3))
    dataset_id = f"urn:uuid:{member:08d}-0000-4000-8000-{i:012d}"
    return {
        "@id": dataset_id,
        "@type": "Dataset",
        "title": f"{ko} {i} ({en})" + (f" r{revision}" if revision else ""),
        "description": f"{ko} — {en}, lot records of part family {rng.randint(1, 400)}",
        "conformsTo": "urn:sangsaeng:standard:quality_result:v1",
        "hasPolicy": [{**QUALITY, "@id": f"{dataset_id}:offer", "@type": "Offer"}],
        "distribution": [{"@type": "Distribution", "format": "HttpData-PULL", "accessService": "urn:x#dsp"}],
    }


class Members:
    def __init__(self, count: int, datasets: int) -> None:
        rng = random.Random(17)
        self.catalogs = [[make_dataset(m, i, rng) for i in range(datasets // count)] for m in range(count)]
        self.rendered: list[tuple[bytes, str]] = [self._render(m) for m in range(count)]
        self.requests = 0

    def _render(self, m: int) -> tuple[bytes, str]:
        body = orjson.dumps({"@type": "Catalog", "participantId": f"urn:p:m{m}", "dataset": self.catalogs[m]})
        return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'

    def change(self, share: float) -> int:
        """Change ``share`` of all datasets (titles); the number of members touched."""
        rng = random.Random(18)
        flat = [(m, i) for m, c in enumerate(self.catalogs) for i in range(len(c))]
        touched = set()
        for m, i in rng.sample(flat, max(1, int(len(flat) * share))):
            self.catalogs[m][i] = make_dataset(m, i, rng, revision=1)
            touched.add(m)
        for m in touched:
            self.rendered[m] = self._render(m)
        return len(touched)

    async def catalog(self, request: Request) -> Response:
        self.requests += 1
        body, tag = self.rendered[int(request.path_params["m"])]
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers={"ETag": tag})
        return Response(body, media_type="application/json", headers={"ETag": tag})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/m{m:int}/dsp/catalog/request", self.catalog, methods=["POST"])])


def run(root: Path, members: int = 100, datasets: int = 10_000) -> Figure:
    return asyncio.run(_run(root, members, datasets))


async def _run(root: Path, count: int, datasets: int) -> Figure:
    fake = Members(count, datasets)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=fake.app()), base_url="http://members")
    listed = [
        Member(f"urn:p:m{m}", f"회원사 {m}", f"http://members/m{m}/dsp", ("tier1",), ("C29",)) for m in range(count)
    ]

    async def fetch(member: Member, tag: str | None) -> Fetched:
        headers = {"If-None-Match": tag} if tag else {}
        response = await http.post(f"{member.endpoint}/catalog/request", content=b"{}", headers=headers)
        if response.status_code == 304:
            return Fetched(None, tag)
        response.raise_for_status()
        return Fetched(orjson.loads(response.content), response.headers.get("etag"))

    async def bare() -> float:
        begun = time.perf_counter()
        for m in listed:
            (await http.post(f"{m.endpoint}/catalog/request", content=b"{}")).raise_for_status()
        return time.perf_counter() - begun

    index = SqliteIndex(root / "hub-catalog.sqlite")
    crawler = Crawler(lambda: listed, fetch, index, Clock())
    with PeakRss({"bench (hub)": os.getpid()}) as memory:
        baseline = await bare()
        begun = time.perf_counter()
        full = await crawler.crawl()
        full_s = time.perf_counter() - begun
        assert len(full.indexed) == count and index.count() == datasets // count * count
        touched = fake.change(0.01)
        begun = time.perf_counter()
        again = await crawler.crawl()
        recrawl_s = time.perf_counter() - begun
        assert len(again.indexed) == touched
        begun = time.perf_counter()
        await crawler.crawl()
        unchanged_s = time.perf_counter() - begun
        rng = random.Random(19)
        samples: dict[str, list[float]] = {"ko": [], "en": []}
        for language, words in (("ko", WORDS_KO), ("en", WORDS_EN)):
            for _ in range(300):
                query = " ".join(rng.sample(words, rng.choice((1, 1, 2)))) if language == "ko" else rng.choice(words)
                if rng.random() < 0.3:
                    query = query[:2] if language == "ko" else query[:4]  # a part of a word
                started = time.perf_counter()
                index.search(terms(query), Filters(), 20)
                samples[language].append((time.perf_counter() - started) * 1000)
    await http.aclose()
    index.close()

    def p(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 1 else values[0]

    return Figure(
        name=f"hub catalog: re-crawl of {count} members ({datasets:,} datasets) after 1% of the datasets changed",
        value=recrawl_s,
        unit="s",
        baseline=baseline,
        baseline_name=f"{count} bare catalog requests, whole catalogs, nothing indexed",
        ratio=recrawl_s / baseline,
        aim="re-crawl ≤ 10 s, search p99 ≤ 50 ms",
        memory=memory.report(),
        notes=[
            f"full crawl (every member read and indexed): {full_s:.2f} s",
            f"1% of the datasets changed touched {touched} of {count} members; those were read whole and re-indexed,"
            " the others answered 304",
            f"a crawl with nothing changed: {unchanged_s * 1000:.0f} ms ({count} requests answered 304)",
            f"search p50/p99, Korean: {p(samples['ko'], 50):.2f} / {p(samples['ko'], 99):.2f} ms;"
            f" English: {p(samples['en'], 50):.2f} / {p(samples['en'], 99):.2f} ms (300 queries each, 20 hits)",
        ],
    )

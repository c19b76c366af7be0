"""The company's support figures as an Excel workbook: what it shares and with whom, what it received, its level
over time — by names, with headings in the reader's language and numbers as numbers; the hub's sheet says when
the hub did not answer, and the company's own figures go out regardless."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import openpyxl
import pytest

from tests.hosting_space import hosting_hub
from tests.hub_space import HUB_URL
from tests.test_portal_assessment import hosted_member
from tests.test_portal_support_overview import trade

pytestmark = pytest.mark.anyio


def sheets(content: bytes) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {s.title: [list(r) for r in s.iter_rows(values_only=True)] for s in book.worksheets}


async def test_the_workbook_holds_the_pages_figures_by_name(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit", "mirae"]) as h:
        dure, hanbit, mirae = (h.space.tenants[n] for n in ("dure", "hanbit", "mirae"))
        await trade(dure, hanbit, 2)
        await trade(dure, mirae, 1)
        await trade(hanbit, dure, 1)
        _, portal = await hosted_member(h, "dure")
        page = await portal.get("/portal/support")
        assert 'href="/c/dure/portal/support/export.xlsx"' in page
        answer = await portal.client.get("/portal/support/export.xlsx", headers={"Accept-Language": "ko"})
        assert answer.status_code == 200 and answer.headers["content-disposition"].startswith("attachment;")
        found = sheets(answer.content)
        assert list(found) == ["공유한 데이터", "받은 데이터", "수준 변화"]
        given = found["공유한 데이터"]
        assert given[0][:4] == ["파트너", "데이터셋", "계약 수", "유효"]
        assert [(r[0], r[2], r[3]) for r in given[1:]] == [("Hanbit", 2, 2), ("Mirae", 1, 1)]  # numbers as numbers
        assert [(r[0], r[2]) for r in found["받은 데이터"][1:]] == [("Hanbit", 1)]
        assert found["수준 변화"] == [["완료 일시", "레벨", "단계"]]  # no assessment yet
        english = await portal.client.get("/portal/support/export.xlsx", headers={"Accept-Language": "en"})
        assert list(sheets(english.content)) == ["What we share", "What we received", "Level over time"]

        h.space.router.down.add(httpx.URL(HUB_URL).netloc.decode())  # the hub down: its sheet says so
        silent = sheets(
            (await portal.client.get("/portal/support/export.xlsx", headers={"Accept-Language": "ko"})).content
        )
        assert [(r[0], r[2]) for r in silent["공유한 데이터"][1:]] == [("Hanbit", 2), ("Mirae", 1)]
        assert any("허브가 응답하지 않아" in str(r[0]) for r in silent["수준 변화"])

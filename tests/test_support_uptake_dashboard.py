"""Programs taken up on the operator's dashboard: members per program and state counted as the scenario says (a
listed program without any, a retired one kept for those who took it up), the table and its chart on the page in
the reader's language, and the same numbers in the Excel export."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from sangsaeng.hub.service.hub import Hub
from sangsaeng.roles import API_KEY
from sangsaeng.support.service.dashboard import Dashboard
from sangsaeng.tenants.host import ROOT
from tests.hub_space import hub_space
from tests.test_support_dashboard import brn, numbers_of, signed_in
from tests.test_support_experts_api import added, member_of, program_doc

pytestmark = pytest.mark.anyio


async def test_programs_taken_up_are_counted_shown_and_exported(tmp_path: Path) -> None:
    async with hub_space(tmp_path) as space:
        a, b = await member_of(space, 1), await member_of(space, 2, name="다온산업", brn="110-81-00010")
        c = await member_of(space, 3, name="세움", brn=brn(3))
        build = await added(space.operator, "/hub/support/programs", program_doc("스마트공장 구축"))
        voucher = await added(space.operator, "/hub/support/programs", program_doc("제조 AI 바우처"))
        quiet = await added(space.operator, "/hub/support/programs", program_doc("아무도 없는 사업"))
        said = [(a, build, "granted"), (b, build, "applied"), (c, build, "applied"), (a, voucher, "declined"),
                (b, voucher, "withdrawn"), (b, build, "granted")]  # fmt: skip  # b moves on: counted once, granted
        for member, program, state in said:
            path = f"/hub/support/programs/{program['id']}/uptake"
            answer = await space.raw.post(path, json={"state": state}, headers=space.as_member(member))
            assert answer.status_code == 200, answer.text
        await space.operator.post(f"/hub/support/programs/{voucher['id']}/retire")

        hub: Hub = space.app.state.host.contexts[ROOT].own(Hub, lambda: pytest.fail("no hub"))
        figures = await Dashboard(hub).figures(API_KEY)
        # by Korean name: 스마트공장 구축, 아무도 없는 사업, 제조 AI 바우처 (retired, but taken up)
        counted = [(p.program_id, p.counts) for p in figures.uptake]
        assert counted == [(build["id"], (1, 2, 0, 0)), (quiet["id"], (0, 0, 0, 0)), (voucher["id"], (0, 0, 1, 1))]

        async with signed_in(space, "ko") as client:
            page = (await client.get("/portal/hub/dashboard")).text
            client.cookies.set("lang", "en")
            answer = await client.get("/portal/hub/dashboard.xlsx")
        table = re.search(r'<table id="table-uptake">.*?</table>', page, re.S)
        assert table is not None
        assert "지원사업 참여 현황" in page
        assert ["지원사업", "신청함", "선정됨", "탈락함", "포기함"] == re.findall(
            r'<th scope="col">([^<]+)</th>', table.group(0)
        )
        first = re.search(r'<tr><th scope="row">([^<]+)</th>(.*?)</tr>', table.group(0), re.S)
        assert first is not None and first.group(1) == "스마트공장 구축"
        assert re.findall(r'<td class="num">(\d+)</td>', first.group(2)) == ["1", "2", "0", "0"]
        assert "지원사업별 신청·선정 회원" in page

        assert answer.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(answer.content))
        sheet = book["Programs taken up"]
        assert [cell.value for cell in sheet[1]] == ["Program", "applied", "granted", "declined", "withdrawn"]
        assert numbers_of(sheet) == [
            ["스마트공장 구축 (en)", 1, 2, 0, 0],
            ["아무도 없는 사업 (en)", 0, 0, 0, 0],
            ["제조 AI 바우처 (en)", 0, 0, 1, 1],
        ]

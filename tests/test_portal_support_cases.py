"""Success cases on a member's own portal (``portal/support/cases.py``), in-process with connectors the hub hosts:
a case published through the form — refused first field by field, beside the field the hub names, with what was
typed kept — found by a Korean search of part of a compound word (검사 finds 수입검사…), read with its numbers,
edited and withdrawn; another member cannot edit or withdraw it (the hub's 404, shown as not found, and nothing
changes); a viewer sees no form; a form without the session's token is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.hosting_space import hosting_hub
from tests.tenants_space import csrf_of
from tests.test_portal_assessment import Portal, hosted_member, hub_of, text_of
from tests.test_portal_support_experts import visible

pytestmark = pytest.mark.anyio
PAGE = "/portal/support/cases"


def case_form(**changes: str) -> dict[str, str]:
    """The form as a person fills it: a Korean case with two results, one row left empty between them."""
    return {
        "title.ko": "수입검사자동화로 불량 감소",
        "problem.ko": "수입검사를 눈으로 해서 불량이 고객에게 넘어갔습니다.",
        "done.ko": "머신비전 검사기를 들이고 결과를 MES에 연결했습니다.",
        "sector": "C30",
        "levelBefore": "2",
        "levelAfter": "3",
        "technologies": "머신비전, OPC UA",
        "contact.name": "김담당",
        "contact.email": "kim@dure.co.kr",
        "results.0.metric.ko": "불량",
        "results.0.before": "1,200",
        "results.0.after": "400",
        "results.0.unit": "ppm",
        "results.2.metric.ko": "검사 시간",
        "results.2.before": "30",
        "results.2.after": "5",
        "results.2.unit": "분/로트",
    } | changes


def field_value(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"(?: value="([^"]*)")?[^>]*>([^<]*)', html)
    assert found is not None, name
    return found.group(1) if found.group(1) is not None else found.group(2)


async def search(portal: Portal, **query: str) -> list[str]:
    """The ids of the cases a search finds, in the page's order."""
    page = await portal.client.get(PAGE, params=query, headers={"Accept-Language": "ko"})
    assert page.status_code == 200, page.text[:2000]
    found = page.text.split('<section id="found">', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<article class="case" id="case-([^"]+)"', found)


async def test_a_case_is_published_found_by_part_of_a_korean_word_edited_and_withdrawn(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        tenant, portal = await hosted_member(h, "dure")
        form_page = await portal.get(f"{PAGE}/new")
        csrf = csrf_of(form_page)

        # A result's number that is not one: said beside that row's field (the form's third row), nothing published.
        refused = await portal.post(f"{PAGE}/new", case_form(**{"results.2.after": "다섯"}), csrf, status=400)
        assert "다섯" in text_of(refused.text, "error-results.2.after")
        assert field_value(refused.text, "results.2.after") == "다섯"  # what was typed stays
        assert field_value(refused.text, "title.ko") == "수입검사자동화로 불량 감소"
        # An English title with Korean texts: the hub names the texts' languages, said beside the problem.
        mixed = await portal.post(f"{PAGE}/new", case_form(**{"title.en": "Fewer defects"}), csrf, status=400)
        assert text_of(mixed.text, "error-problem")
        # A contact without an e-mail address.
        nobody = await portal.post(f"{PAGE}/new", case_form(**{"contact.email": ""}), csrf, status=400)
        assert text_of(nobody.text, "error-contact.email")
        assert (await hub_of(tenant).get("/hub/support/cases/mine"))["cases"] == []

        moved = await portal.post(f"{PAGE}/new", case_form(), csrf)
        case_id = moved.headers["location"].rsplit("/", 1)[1]
        [kept] = (await hub_of(tenant).get("/hub/support/cases/mine"))["cases"]
        assert kept["id"] == case_id and kept["title"] == {"ko": "수입검사자동화로 불량 감소"}
        assert [(r["before"], r["after"], r["unit"]) for r in kept["results"]] == [
            (1200, 400, "ppm"),
            (30, 5, "분/로트"),
        ]
        assert kept["technologies"] == ["머신비전", "OPC UA"] and kept["publisher"] == "Dure"

        # The case's page: its numbers before → after in their unit, the change, levels by name.
        page = await portal.get(f"{PAGE}/{case_id}")
        rows = [re.sub(r"\s+", " ", r) for r in re.findall(r'<tr class="result">(.*?)</tr>', page, re.S)]
        assert len(rows) == 2
        cells = [re.sub(r"<[^>]+>", "|", r) for r in rows]
        assert "불량" in cells[0] and "1,200" in cells[0] and "400" in cells[0] and "ppm" in cells[0]
        assert "−66.7%" in cells[0] and "−83.3%" in cells[1]
        assert "중간1 (레벨 2) → 중간2 (레벨 3)" in text_of(page, "facts")
        assert 'id="edit"' in page and 'id="withdraw"' in page
        assert "support." not in visible(page)

        # Found by part of the compound 수입검사자동화, and by an English word too; not by a word it lacks.
        assert await search(portal, q="검사") == [case_id]
        assert await search(portal, q="ppm") == [case_id]
        assert await search(portal, q="용접") == []
        assert await search(portal, q="검사", sector="C30", level="2") == [case_id]
        assert await search(portal, q="검사", level="3") == []
        bad = await portal.client.get(PAGE, params={"sector": "Z99"}, headers={"Accept-Language": "ko"})
        assert bad.status_code == 400 and text_of(bad.text, "error-sector")
        odd = await portal.client.get(PAGE, params={"level": "x"}, headers={"Accept-Language": "ko"})
        assert odd.status_code == 400 and "x은(는) 스마트공장 수준이 아닙니다" in text_of(odd.text, "error-level")
        assert f"own-{case_id}" in odd.text  # the member's own cases still shown

        # Edited: the form comes filled; the new title is what the hub keeps and what a search finds.
        edit = await portal.get(f"{PAGE}/{case_id}/edit")
        assert field_value(edit, "results.0.before") == "1200" and field_value(edit, "results.1.unit") == "분/로트"
        assert field_value(edit, "technologies") == "머신비전, OPC UA"
        changed = {k: v for k, v in re.findall(r'name="([^"]+)" value="([^"]*)"', edit) if k != "csrf"}
        changed |= {"problem.ko": field_value(edit, "problem.ko"), "done.ko": field_value(edit, "done.ko")}
        changed |= {"levelBefore": "2", "levelAfter": "4", "title.ko": "출하검사 자동화로 불량 감소"}
        await portal.post(f"{PAGE}/{case_id}/edit", changed, csrf_of(edit))
        [kept] = (await hub_of(tenant).get("/hub/support/cases/mine"))["cases"]
        assert kept["title"] == {"ko": "출하검사 자동화로 불량 감소"} and kept["levelAfter"] == 4
        assert len(kept["results"]) == 2
        assert await search(portal, q="출하") == [case_id] and await search(portal, q="수입검사자동화") == []

        # Withdrawn: gone from the search, listed as withdrawn among its own.
        page = await portal.get(f"{PAGE}/{case_id}")
        moved = await portal.post(f"{PAGE}/{case_id}/withdraw", {}, csrf_of(page))
        assert moved.headers["location"].endswith(f"{PAGE}#mine")
        assert await search(portal, q="검사") == []
        listing = await portal.get(PAGE)
        assert "철회됨" in text_of(listing, f"own-{case_id}")
        assert "철회되어" in text_of(await portal.get(f"{PAGE}/{case_id}"), "withdrawn")


async def test_another_member_cannot_edit_or_withdraw_a_case_and_is_told_it_is_not_found(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure", "hanbit"]) as h:
        owner, dure = await hosted_member(h, "dure")
        _, hanbit = await hosted_member(h, "hanbit")
        page = await dure.get(f"{PAGE}/new")
        moved = await dure.post(f"{PAGE}/new", case_form(), csrf_of(page))
        case_id = moved.headers["location"].rsplit("/", 1)[1]
        before = await hub_of(owner).get(f"/hub/support/cases/{case_id}")

        # The other member reads the published case, without edit or withdraw …
        seen = await hanbit.get(f"{PAGE}/{case_id}")
        assert "수입검사자동화로 불량 감소" in seen and 'id="edit"' not in seen and 'id="withdraw"' not in seen
        # … and whatever it sends is the hub's 404: not found, and nothing changes.
        csrf = csrf_of(seen)
        for sent in (
            hanbit.client.get(f"{PAGE}/{case_id}/edit", headers={"Accept-Language": "ko"}),
            hanbit.client.post(f"{PAGE}/{case_id}/edit", data=case_form(**{"title.ko": "가로챔"}) | {"csrf": csrf}),
            hanbit.client.post(f"{PAGE}/{case_id}/withdraw", data={"csrf": csrf}),
        ):
            answer = await sent
            assert answer.status_code == 404, answer.text[:1000]
            assert "찾을 수 없" in visible(answer.text) or "not found" in visible(answer.text).lower()
        assert (await hub_of(owner).get(f"/hub/support/cases/{case_id}")) == before

        # A withdrawn case is the owner's only: to the other member it is unknown, as an id never made.
        await dure.post(f"{PAGE}/{case_id}/withdraw", {}, csrf_of(await dure.get(f"{PAGE}/{case_id}")))
        await hanbit.get(f"{PAGE}/{case_id}", status=404)
        await hanbit.get(f"{PAGE}/00000000-0000-4000-8000-000000000000", status=404)


async def test_a_viewer_sees_no_form_and_a_form_without_the_sessions_token_is_refused(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        tenant, admin = await hosted_member(h, "dure")
        page = await admin.get(f"{PAGE}/new")
        await admin.post(f"{PAGE}/new", case_form(), None, status=403)
        await admin.post(f"{PAGE}/new", case_form(), "forged", status=403)
        await admin.post(f"{PAGE}/new", case_form(stray="x"), csrf_of(page), status=400)
        assert (await hub_of(tenant).get("/hub/support/cases/mine"))["cases"] == []
        moved = await admin.post(f"{PAGE}/new", case_form(), csrf_of(page))
        case_id = moved.headers["location"].rsplit("/", 1)[1]
        await admin.post(f"{PAGE}/{case_id}/withdraw", {}, None, status=403)

        _, viewer = await hosted_member(h, "dure", role="viewer")
        listing = await viewer.get(PAGE)
        assert 'id="publish"' not in listing and "열람자는 사례를 볼 수만 있고" in text_of(listing, "read-only")
        seen = await viewer.get(f"{PAGE}/{case_id}")
        assert 'id="edit"' not in seen and '<form method="post" action="/c/dure/portal/support' not in seen
        await viewer.get(f"{PAGE}/new", status=403)
        await viewer.get(f"{PAGE}/{case_id}/edit", status=403)
        await viewer.post(f"{PAGE}/{case_id}/withdraw", {}, csrf_of(seen), status=403)
        await viewer.post(f"{PAGE}/new", case_form(), csrf_of(seen), status=403)
        [kept] = (await hub_of(tenant).get("/hub/support/cases/mine"))["cases"]
        assert kept["state"] == "published"

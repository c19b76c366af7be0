"""Sector benchmarks on a member's own portal (``portal/support/benchmarks.py``), in-process with connectors the hub
hosts (its benchmark settings lowered as docs/support/benchmarks.md allows: three contributors make a cell): the
aggregates-only terms in Korean and English and agreeing to them; a batch with one bad value refused beside its row
with nothing saved, then taken (a value in another unit converted); no position before a release, and after the
operator releases, the member's band among its peers with the chart, the cells of its own sector and region only,
the one too small saying why. A viewer sees no form; a form without the session's token is refused.

What the page must show is checked against the hub's own answers and, for the band, against the published
quartiles by this test's own reading of the rule, not the page's code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sangsaeng.hubclient.support import HubSupport
from tests.hosting_space import HubHosting, facts, hosting_hub
from tests.tenants_space import csrf_of
from tests.test_portal_assessment import hosted_member, hub_of, text_of
from tests.test_portal_support_experts import visible

pytestmark = pytest.mark.anyio
PAGE = "/portal/support/benchmarks"
HUB = "/hub/support/benchmarks"
BANDS = ("bottom-25", "25-50", "50-75", "top-25")


def quarter(h: HubHosting) -> str:
    from zoneinfo import ZoneInfo

    today = h.clock.now().astimezone(ZoneInfo("Asia/Seoul")).date()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def rows_of(html: str) -> dict[str, int]:
    """The contribution form's row of each indicator, as the page preselects them."""
    return {
        indicator: int(row)
        for row, indicator in re.findall(
            r'<select name="row\.(\d+)\.indicator"[^>]*>.*?<option value="([^"]+)" selected', html, re.S
        )
    }


async def peer(h: HubHosting, name: str, value: float, **company: Any) -> HubSupport:
    """Another hosted member that agrees and contributes its OEE through the hub's API (not the portal)."""
    answer = await h.operator.post("/hub/hosted", json={"company": facts(name.title(), **company), "name": name})
    assert answer.status_code == 201, answer.text
    c = h.space.host.contexts[name].connector
    hub = HubSupport(c.settings, c.key, c.peer.http, c.now)
    await hub.post(f"{HUB}/agreement", {"terms": (await hub.get(f"{HUB}/terms"))["version"]})
    period = quarter(h)
    await hub.post(f"{HUB}/contributions", {"contributions": [
        {"indicator": "oee", "period": period, "value": value, "unit": "%"}]})  # fmt: skip
    return hub


def band_by_rule(value: float, quartiles: tuple[float, float, float], better: str) -> str:
    """The quarter a value falls in, counted from the worse end; a value on a quartile goes to the better side."""
    if better == "higher":
        return BANDS[sum(value >= q for q in quartiles)]
    return BANDS[sum(value <= q for q in quartiles)]


def svg_of(html: str, indicator: str) -> str:
    found = re.search(rf'<article class="standing" id="position-{indicator}">.*?(<svg.*?</svg>)', html, re.S)
    assert found is not None, f"no chart for {indicator}"
    return found.group(1)


async def test_agree_contribute_with_a_refusal_beside_its_row_and_see_the_position_after_a_release(
    tmp_path: Path,
) -> None:
    async with hosting_hub(tmp_path, ["dure"], benchmark_min_contributors=3) as h:
        tenant, portal = await hosted_member(h, "dure")
        period = quarter(h)

        # The terms, in the reader's language, and no contribution form before agreeing.
        page = await portal.get(PAGE)
        terms = await hub_of(tenant).get(f"{HUB}/terms")
        assert text_of(page, "terms-text") == re.sub(r"\s+", " ", terms["text"]["ko"]).strip()
        assert 'id="contribution-form"' not in page and 'id="agree"' in page
        assert "아직 약관에 동의하지 않았습니다" in text_of(page, "not-agreed")
        english = await portal.client.get(PAGE, headers={"Accept-Language": "en"})
        assert text_of(english.text, "terms-text") == re.sub(r"\s+", " ", terms["text"]["en"]).strip()
        for indicator in terms["indicators"]:  # each indicator with the unit the hub takes
            assert indicator["unit"]["ko"] in text_of(page, f"indicator-{indicator['id']}")
        assert "support." not in visible(page) and "support." not in visible(english.text)

        moved = await portal.post(f"{PAGE}/agree", {"terms": terms["version"], "shown": period}, csrf_of(page))
        assert moved.headers["location"].endswith(f"{PAGE}?period={period}#contribute")
        assert (await hub_of(tenant).get(f"{HUB}/agreement"))["agreed"] is True
        page = await portal.get(PAGE)
        assert "약관 2026.1에 동의했습니다" in text_of(page, "agreed") and 'id="agree"' not in page
        rows = rows_of(page)
        assert set(rows) == {i["id"] for i in terms["indicators"]}

        # One bad value among good ones: refused beside its row, the others kept as typed, nothing saved.
        energy = rows["energy-per-unit"]
        form = {f"row.{rows['oee']}.value": "150", f"row.{rows['defect-ppm']}.value": "120",
                f"row.{energy}.value": "1,500", f"row.{energy}.unit": "Wh/개"}  # fmt: skip
        filled = {k: v for k, v in re.findall(r'name="(row\.[^"]+)" value="([^"]*)"', page)}
        filled |= {f"row.{n}.indicator": i for i, n in rows.items()}
        refused = await portal.post(f"{PAGE}/contribute", filled | form | {"shown": period}, csrf_of(page), 400)
        said = text_of(refused.text, f"error-row-{rows['oee']}")
        assert "150" in said and "설비종합효율(OEE)" in said and "0~100" in said
        assert f'name="row.{rows["defect-ppm"]}.value" value="120"' in refused.text
        assert 'id="error-row-' + str(rows["defect-ppm"]) not in refused.text
        assert (await hub_of(tenant).get(f"{HUB}/contributions"))["contributions"] == []

        form[f"row.{rows['oee']}.value"] = "72.5"
        moved = await portal.post(f"{PAGE}/contribute", filled | form | {"shown": period}, csrf_of(page))
        assert moved.headers["location"].endswith(f"{PAGE}?period={period}#contributions")
        kept = {c["indicator"]["id"]: c for c in (await hub_of(tenant).get(f"{HUB}/contributions"))["contributions"]}
        assert set(kept) == {"oee", "defect-ppm", "energy-per-unit"}
        assert kept["energy-per-unit"]["value"] == pytest.approx(1.5)  # 1,500 Wh/개 is 1.5 kWh/개
        page = await portal.get(PAGE)
        listed = [re.sub(r"\s+", " ", r) for r in re.findall(r'<tr class="contribution">(.*?)</tr>', page, re.S)]
        assert len(listed) == 3 and any("1.5 kWh/개" in r and "1,500 Wh/개" in r for r in listed)

        # Before a release: no band, said so.
        assert "공표되지 않았습니다" in text_of(page, "unpublished-oee")
        assert "<svg" not in page.split('id="position"', 1)[1]

        # Two peers of the same sector and region, one elsewhere; the operator releases the quarter.
        await peer(h, "hanbit", 60)
        await peer(h, "sejin", 85)
        await peer(h, "busan", 70, region="부산광역시")
        released = await h.operator.post(f"{HUB}/releases", json={"period": period})
        assert released.status_code == 201, released.text

        page = await portal.get(PAGE)
        [position] = [p for p in (await hub_of(tenant).get(f"{HUB}/position", period=period))["positions"]
                      if p["indicator"]["id"] == "oee"]  # fmt: skip
        assert position["band"] is not None and position["against"]["level"] == "sector-region"
        assert text_of(page, "band-oee").startswith(position["band"]["label"]["ko"])
        q = position["against"]["quartiles"]
        quartiles = (q["p25"], q["p50"], q["p75"])
        assert position["band"]["id"] == band_by_rule(72.5, quartiles, "higher")
        chart = svg_of(page, "oee")
        own = re.search(
            r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*class="band own" data-band="([^"]+)"', chart
        )
        marker = re.search(r'<line x1="([\d.]+)"[^>]*class="you" data-value="([^"]+)"', chart)
        assert own is not None and marker is not None, chart
        assert own.group(3) == position["band"]["id"] and float(marker.group(2)) == 72.5
        assert float(own.group(1)) - 0.01 <= float(marker.group(1)) <= float(own.group(1)) + float(own.group(2)) + 0.01

        # The defect rate was given by this member alone: its cells suppressed, each saying why; no band.
        assert "공표되지 않았습니다" in text_of(page, "unpublished-defect-ppm")
        cells = page.split('<section id="cells">', 1)[1].split("</section>", 1)[0]
        suppressed = re.findall(r'<tr class="suppressed" data-indicator="defect-ppm">(.*?)</tr>', cells, re.S)
        assert suppressed and all("3곳보다 적습니다" in re.sub(r"<[^>]+>", " ", r) for r in suppressed)
        # Its own place only (as its credentials from the hub attest): 경상남도 and the sector, not Busan's cell.
        assert "귀사가 속한 업종과 지역의 셀입니다" in cells
        every = (await h.operator.get(f"{HUB}/cells", params={"period": period})).json()["cells"]
        assert any((c["region"] or {}).get("code") == "KR-26" for c in every)  # there is one to leave out
        assert "부산광역시" not in re.sub(r"<[^>]+>", " ", cells)
        assert "경상남도" in cells and re.search(r'<tr class="published" data-indicator="oee">', cells)


async def test_a_viewer_sees_no_form_and_a_form_without_the_sessions_token_is_refused(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        tenant, admin = await hosted_member(h, "dure")
        page = await admin.get(PAGE)
        version = (await hub_of(tenant).get(f"{HUB}/terms"))["version"]
        await admin.post(f"{PAGE}/agree", {"terms": version}, None, status=403)
        await admin.post(f"{PAGE}/agree", {"terms": version}, "forged", status=403)
        assert (await hub_of(tenant).get(f"{HUB}/agreement"))["agreed"] is False
        await admin.post(f"{PAGE}/agree", {"terms": version}, csrf_of(page))
        row = {"row.0.indicator": "oee", "row.0.period": quarter(h), "row.0.value": "70", "row.0.unit": "%"}
        await admin.post(f"{PAGE}/contribute", row, None, status=403)
        await admin.post(f"{PAGE}/contribute", row | {"row.0.colour": "red"}, csrf_of(page), status=400)

        _, viewer = await hosted_member(h, "dure", role="viewer")
        seen = await viewer.get(PAGE)
        assert "열람자는 결과를 볼 수만 있고" in text_of(seen, "read-only")
        assert 'id="contribution-form"' not in seen and '<form method="post" action="/c/dure/portal/support' not in seen
        await viewer.post(f"{PAGE}/contribute", row, csrf_of(seen), status=403)
        await viewer.post(f"{PAGE}/agree", {"terms": version}, csrf_of(seen), status=403)
        assert (await hub_of(tenant).get(f"{HUB}/contributions"))["contributions"] == []


async def test_a_period_the_hub_does_not_take_is_said_beside_the_period(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["dure"]) as h:
        _, portal = await hosted_member(h, "dure")
        answer = await portal.client.get(PAGE, params={"period": "2026-Q7"}, headers={"Accept-Language": "ko"})
        assert answer.status_code == 400 and "2026-Q7" in text_of(answer.text, "error-period")
        assert 'id="position-problem"' not in answer.text and 'id="terms-text"' in answer.text

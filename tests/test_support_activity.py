"""Members' monthly activity: counted from what a connector holds (counts and entity ids only), reported to the
hub, read back by the member, summed by the operator — and refused whole when a report is not one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sangsaeng.activity import COUNTS, Tally, month_of, read_report
from sangsaeng.errors import InvalidInput
from sangsaeng.usecases.activity import months_to_report, report_to_hub, tally
from tests.helpers import SAMPLE_CSV, negotiate, offer_policy, publish, start_transfer
from tests.hosting_space import hosting_hub
from tests.hub_space import company, hub_space

pytestmark = pytest.mark.anyio
SEOUL = ZoneInfo("Asia/Seoul")
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))


@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(["p1", "p2", "p3"]), moments), max_size=30),
    st.lists(
        st.tuples(
            st.sampled_from(["provider", "consumer"]),
            st.sampled_from(["STARTED", "COMPLETED", "REQUESTED", "TERMINATED"]),
            moments,
        ),
        max_size=30,
    ),
    moments,
)
def test_a_month_counts_what_began_in_it_in_the_companys_zone(
    agreements: list[tuple[bool, str, datetime]], transfers: list[tuple[str, str, datetime]], when: datetime
) -> None:
    month = month_of(when, SEOUL)
    counted = Tally(month, SEOUL, "me")
    for providing, partner, at in agreements:
        counted.agreement("me" if providing else partner, partner if providing else "me", at)
    for role, state, at in transfers:
        counted.transfer(role, state, at)
    report = counted.report().counts

    def local(at: datetime) -> str:
        at = at.astimezone(SEOUL)
        return f"{at.year:04d}-{at.month:02d}"

    inside = [a for a in agreements if local(a[2]) == month]
    assert report["agreementsProvided"] == sum(1 for a in inside if a[0])
    assert report["agreementsObtained"] == sum(1 for a in inside if not a[0])
    assert report["partners"] == len({a[1] for a in inside})
    exchanged = [t for t in transfers if local(t[2]) == month and t[1] in ("STARTED", "COMPLETED")]
    assert report["transfersProvided"] == sum(1 for t in exchanged if t[0] == "provider")
    assert report["transfersObtained"] == sum(1 for t in exchanged if t[0] == "consumer")


def test_the_month_is_the_companys_and_the_last_one_is_sent_again_early_in_a_month() -> None:
    late = datetime(2026, 10, 31, 16, 30, tzinfo=UTC)  # 2026-11-01 01:30 in Seoul
    assert month_of(late, SEOUL) == "2026-11"
    assert months_to_report(late, SEOUL) == ["2026-10", "2026-11"]
    assert months_to_report(late + timedelta(days=5), SEOUL) == ["2026-11"]


NOW = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
GOOD = {"month": "2026-11", "agreementsProvided": 2, "entities": ["inspection_result"]}


@pytest.mark.parametrize(
    ("body", "position"),
    [
        ([], "$"),
        ({**GOOD, "partnerNames": ["현대모터"]}, "$.partnerNames"),  # names are never taken
        ({**GOOD, "month": "2026-13"}, "$.month"),
        ({**GOOD, "month": "2026-12"}, "$.month"),  # not begun
        ({**GOOD, "agreementsProvided": -1}, "$.agreementsProvided"),
        ({**GOOD, "agreementsProvided": True}, "$.agreementsProvided"),
        ({**GOOD, "streams": 10**10}, "$.streams"),
        ({**GOOD, "transfersObtained": 1.5}, "$.transfersObtained"),
        ({**GOOD, "entities": ["Inspection Result"]}, "$.entities[0]"),
        ({**GOOD, "entities": "inspection_result"}, "$.entities"),
    ],
)
def test_a_report_that_is_not_one_is_refused_where_it_goes_wrong(body: Any, position: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_report(body, NOW, SEOUL)
    assert refused.value.position == position
    assert refused.value.details["message_ko"] and refused.value.hint


async def test_members_report_read_their_own_and_the_operator_reads_sums(tmp_path: Path) -> None:
    async with hub_space(tmp_path) as hub:
        one, two, outsider = company(1), company(2), company(3)
        await hub.approved(one)
        await hub.approved(two)
        month = month_of(hub.clock.now(), SEOUL)
        for member, provided in ((one, 3), (two, 4)):
            body = {"month": month, "agreementsProvided": provided, "partners": 1, "entities": ["inspection_result"]}
            taken = await hub.raw.post("/hub/support/activity", json=body, headers=hub.as_member(member))
            assert taken.status_code == 200, taken.text
        again = {"month": month, "agreementsProvided": 5}  # the month reported again: replaced
        assert (await hub.raw.post("/hub/support/activity", json=again, headers=hub.as_member(one))).status_code == 200
        mine = (await hub.raw.get("/hub/support/activity/me", headers=hub.as_member(one))).json()["reports"]
        assert [(r["month"], r["agreementsProvided"], r["entities"]) for r in mine] == [(month, 5, [])]
        theirs = (await hub.raw.get("/hub/support/activity/me", headers=hub.as_member(two))).json()["reports"]
        assert [r["agreementsProvided"] for r in theirs] == [4]
        totals = (await hub.operator.get("/hub/support/activity")).json()["months"]
        assert totals == [{"month": month, "members": 2, **dict.fromkeys(COUNTS, 0), "agreementsProvided": 9,
                           "partners": 1}]  # fmt: skip
        # Members do not read the totals; an applicant not yet approved reports nothing; bad input is a 400.
        assert (await hub.raw.get("/hub/support/activity", headers=hub.as_member(two))).status_code == 401
        await hub.applied(outsider)
        refused = await hub.raw.post("/hub/support/activity", json=again, headers=hub.as_member(outsider))
        assert refused.status_code == 403
        bad = await hub.raw.post("/hub/support/activity", json={"month": "soon"}, headers=hub.as_member(one))
        assert bad.status_code == 400 and bad.json()["error"]["position"] == "$.month"


async def test_a_hosted_connector_counts_its_trade_and_reports_it(tmp_path: Path) -> None:
    async with hosting_hub(tmp_path, ["a", "b"]) as h:
        a, b = h.space.tenants["a"], h.space.tenants["b"]
        dataset_id, offer_id = await publish(a, SAMPLE_CSV, offer_policy(b.id))  # type: ignore[arg-type]
        final = await negotiate(b, a, dataset_id, offer_id)  # type: ignore[arg-type]
        await start_transfer(b, final["agreementId"])  # type: ignore[arg-type]
        provider = h.space.host.contexts["a"].connector
        month = month_of(provider.now(), ZoneInfo(provider.settings.timezone))
        counted = (await tally(provider, month)).counts
        assert (counted["datasetsOffered"], counted["agreementsProvided"], counted["partners"]) == (1, 1, 1)
        assert counted["agreementsObtained"] == 0
        provider.settings = provider.settings.model_copy(update={"hub_share_activity": True})
        assert await report_to_hub(provider) >= 1
        mine = await h.operator.get("/hub/support/activity")
        [row] = mine.json()["months"]
        assert (row["members"], row["agreementsProvided"], row["datasetsOffered"]) == (1, 1, 1)

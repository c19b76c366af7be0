"""What a connector tells the hub's crawl: whether a dataset may be listed at the hub (``sangsaeng:listedAtHub``,
set per dataset by its provider), and an entity tag, so that asking again for an unchanged catalog costs a 304."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sangsaeng.catalog.service import fetch_catalog, fetch_catalog_since
from sangsaeng.cli.main import app
from sangsaeng.demo.data import write_inspection_csv
from sangsaeng.dsp.catalog import LISTED_AT_HUB
from sangsaeng.launch import running
from tests.helpers import SAMPLE_CSV, Dataspace, publish

pytestmark = pytest.mark.anyio
EVERYONE = {"permission": [{"action": "use"}]}


async def test_a_provider_unlists_a_dataset_and_its_catalog_says_so(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    kept, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    hidden, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    assert (await supplier.api.get(f"/api/datasets/{hidden}")).json()["listedAtHub"] is True

    changed = await supplier.api.patch(f"/api/datasets/{hidden}", json={"listedAtHub": False})
    assert changed.status_code == 200, changed.text
    assert changed.json()["listedAtHub"] is False
    entries = {d["@id"]: d for d in (await fetch_catalog(oem.connector, supplier.id))["dataset"]}
    assert entries[hidden][LISTED_AT_HUB] is False
    assert LISTED_AT_HUB not in entries[kept]  # listed is the default, and says nothing
    # Partners who ask the provider still see the dataset and its offers: only the hub leaves it out.
    assert entries[hidden]["hasPolicy"]

    again = await supplier.api.patch(f"/api/datasets/{hidden}", json={"listedAtHub": True})
    assert again.json()["listedAtHub"] is True
    entries = {d["@id"]: d for d in (await fetch_catalog(oem.connector, supplier.id))["dataset"]}
    assert LISTED_AT_HUB not in entries[hidden]


async def test_changing_the_listing_refuses_what_it_does_not_understand(two: Dataspace) -> None:
    supplier = two.parties["supplier"]
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    for body in ({"listedAtHub": "false"}, {"listedAtHub": 0}, {}, {"listedAtHub": False, "title": "x"}):
        refused = await supplier.api.patch(f"/api/datasets/{dataset_id}", json=body)
        assert refused.status_code in (400, 422), (body, refused.text)
        assert "error" in refused.json()
    assert (await supplier.api.get(f"/api/datasets/{dataset_id}")).json()["listedAtHub"] is True
    unknown = await supplier.api.patch("/api/datasets/urn:uuid:nope", json={"listedAtHub": False})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not-found"


async def test_an_unchanged_catalog_is_answered_304_and_a_change_gives_a_new_tag(two: Dataspace) -> None:
    supplier, oem = two.parties["supplier"], two.parties["oem"]
    dataset_id, _ = await publish(supplier, SAMPLE_CSV, EVERYONE)
    catalog, tag = await fetch_catalog_since(oem.connector, supplier.id, None)
    assert catalog is not None and tag
    answered = len(two.router.received)
    unchanged, same = await fetch_catalog_since(oem.connector, supplier.id, tag)
    assert unchanged is None and same == tag
    assert len(two.router.received) == answered, "a 304 carries no catalog"

    await supplier.api.patch(f"/api/datasets/{dataset_id}", json={"listedAtHub": False})
    changed, new_tag = await fetch_catalog_since(oem.connector, supplier.id, tag)
    assert changed is not None and new_tag not in (None, tag)
    # A stale tag is never mistaken for the current one, and each caller's view has its own tag.
    _, other_view = await fetch_catalog_since(supplier.connector, oem.id, None)
    assert other_view != new_tag


@pytest.mark.processes
@pytest.mark.xdist_group("processes")
def test_the_command_line_unlists_and_relists_a_dataset(tmp_path: Path) -> None:
    runner = CliRunner()
    with running(tmp_path, ["supplier"]) as nodes:
        supplier = str(nodes["supplier"].init.settings.data_dir)
        source = write_inspection_csv(tmp_path / "inspections.csv", 5)
        added = runner.invoke(app, ["dataset", "add", str(source), "--title", "검사", "--data-dir", supplier])
        dataset_id = re.findall(r"urn:uuid:[0-9a-f-]{36}", added.output)[0]
        out = runner.invoke(app, ["dataset", "unlist", dataset_id, "--data-dir", supplier, "--ko"])
        assert out.exit_code == 0, out.output
        assert "허브 카탈로그 검색에서 뺐습니다" in out.output and "검사" in out.output
        assert nodes["supplier"].client.get(f"/datasets/{dataset_id}")["listedAtHub"] is False
        back = runner.invoke(app, ["dataset", "relist", dataset_id, "--data-dir", supplier, "--en"])
        assert back.exit_code == 0 and "lists it again" in back.output, back.output
        assert nodes["supplier"].client.get(f"/datasets/{dataset_id}")["listedAtHub"] is True
        missing = runner.invoke(app, ["dataset", "unlist", "urn:uuid:none", "--data-dir", supplier])
        assert missing.exit_code != 0 and "no dataset" in missing.output

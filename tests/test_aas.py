"""Equipment as an Asset Administration Shell: verified by aas-core, and read back unchanged."""

from __future__ import annotations

import json
from typing import Any

import aas_core3.jsonization as jsonization
import aas_core3.verification as verification
import pytest

from sangsaeng.errors import InvalidInput
from sangsaeng.standard.aas import NAMEPLATE, TECHNICAL_DATA, equipment_from_aas, equipment_to_aas
from sangsaeng.standard.entities import Equipment

CNC = Equipment(
    id="urn:uuid:7d0f6c64-0000-4000-8000-000000000001",
    site="site:changwon-1",
    isa95_path="Hanbit/Changwon/Machining/Line2/CNC-07",
    manufacturer="DN Solutions",
    model="DNM 5700",
    serial_number="DN-5700-1234",
    year=2019,
)


@pytest.mark.parametrize("equipment", [CNC, Equipment(id="urn:x:bare", site="s", isa95_path="E/S/A")])
def test_equipment_round_trips_through_a_verified_shell(equipment: Equipment) -> None:
    document = equipment_to_aas(equipment)
    environment = jsonization.environment_from_jsonable(json.loads(json.dumps(document)))
    assert list(verification.verify(environment)) == []
    assert equipment_from_aas(document) == equipment


def test_the_shell_carries_the_nameplate_and_technical_data_templates() -> None:
    document = equipment_to_aas(CNC)
    semantic = {s["idShort"]: s["semanticId"]["keys"][0]["value"] for s in document["submodels"]}
    assert semantic == {"Nameplate": NAMEPLATE, "TechnicalData": TECHNICAL_DATA}
    nameplate = next(s for s in document["submodels"] if s["idShort"] == "Nameplate")
    elements = {e["idShort"]: e for e in nameplate["submodelElements"]}
    assert elements["SerialNumber"]["value"] == "DN-5700-1234"
    assert elements["ManufacturerName"]["value"] == [{"language": "en", "text": "DN Solutions"}]


@pytest.mark.parametrize(
    "document",
    [{"assetAdministrationShells": "nope"}, {"submodels": []}, {"assetAdministrationShells": [{"id": ""}]}],
)
def test_what_is_not_a_valid_environment_is_refused(document: Any) -> None:
    with pytest.raises(InvalidInput):
        equipment_from_aas(document)

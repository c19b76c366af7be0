"""Every field and code of the canonical model has a Korean and an English name, including the fields issue 14
adds (point 7), so that the portal and the upload flow never show a field as its code."""

from __future__ import annotations

import re

from sangsaeng.standard import labels
from sangsaeng.standard.entities import ENTITIES, literal_values

HANGUL = re.compile(r"[가-힣]")
# The fields point 7 of issue 14 adds: labelled before they land, so the portal speaks of them at once.
ADDED = {
    "quality_result": ("sample", "nominal", "lot", "disposition"),
    "production_run": ("shift", "started_at", "ended_at", "defect_count", "cavities"),
    "energy_record": ("calorific_factor", "calorific_unit", "calorific_basis", "estimated"),
}
ADDED_CODES = {
    "disposition": ("accept", "reject", "rework", "reinspect", "concession"),
    "calorific_basis": ("gross", "net"),
}


def test_every_entity_and_field_has_a_korean_name_and_description() -> None:
    missing = [
        f"{entity}.{name}"
        for entity, model in ENTITIES.items()
        for name in model.model_fields
        if not HANGUL.search(labels.field_label(entity, name, "ko"))
        or not HANGUL.search(labels.field_description(entity, name, "ko"))
        or not labels.field_label(entity, name, "en")
        or not labels.field_description(entity, name, "en")
    ]
    assert missing == []
    for entity, model in ENTITIES.items():
        assert labels.entity_label(entity, "ko") == model.title_ko
        assert labels.entity_label(entity, "en") != entity


def test_the_fields_being_added_are_named_already() -> None:
    for entity, names in ADDED.items():
        for name in names:
            assert HANGUL.search(labels.field_label(entity, name)), (entity, name)
    for field, codes in ADDED_CODES.items():
        assert all(HANGUL.search(labels.code_label(field, code)) for code in codes), field


def test_every_code_a_field_may_hold_has_words() -> None:
    for entity, model in ENTITIES.items():
        for name, info in model.model_fields.items():
            for code in literal_values(info.annotation):
                assert labels.code_label(name, code, "ko") != code, (entity, name, code)
                assert labels.code_label(name, code, "en"), (entity, name, code)
    assert labels.code_label("carrier", "electricity") == "전력"
    assert labels.code_label("passed", True) == "합격" and labels.code_label("passed", False, "en") == "fail"


def test_labels_fall_back_to_the_name_and_never_guess_across_entities() -> None:
    assert labels.field_label("quality_result", "no_such_field") == "no_such_field"
    assert labels.field_label(None, "raw_unit") == "원본 단위"  # every entity with it says the same
    assert labels.field_label(None, "name") == "name"  # a company's name in one entity, a part's in another
    assert labels.code_label("carrier", "hydrogen") == "hydrogen"
    assert labels.entity_of(["subject", "characteristic", "value", "passed"]) == "quality_result"
    assert labels.entity_of(["id", "name"]) is None and labels.entity_of([]) is None

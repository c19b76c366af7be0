"""The model files (``models/<id>-<version>.toml``) read with ``tomllib``, typed by ``model.py`` and checked
together: a questionnaire names the SIRI and smart-factory versions it maps onto, and the three must fit (every
dimension asked about, every option's band and criteria known, options ordered so that a better answer never
scores lower). A broken file fails loudly at loading, never later in a member's result.

Old versions stay in the folder: an assessment is always read with the versions that scored it."""

from __future__ import annotations

import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sangsaeng.support.assessment.model import Kosf, Questionnaire, Siri

MODELS = Path(__file__).parent / "models"
SIRI_DIMENSIONS = 16  # what the index is: 3 building blocks, 8 pillars, 16 dimensions
KINDS: Mapping[str, type[Siri] | type[Kosf] | type[Questionnaire]] = {
    "siri": Siri,
    "kosf": Kosf,
    "questionnaire": Questionnaire,
}


class ModelError(ValueError):
    """A model file that cannot be used as it is; the message lists every problem found."""


@dataclass(frozen=True)
class Models:
    """The questionnaire and the two models it scores on, checked to fit together."""

    questionnaire: Questionnaire
    siri: Siri
    kosf: Kosf

    @property
    def versions(self) -> dict[str, str]:
        """What scoring records: which version of each model scored an assessment."""
        return {"questionnaire": self.questionnaire.version, "siri": self.siri.version, "kosf": self.kosf.version}


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def versions_of(kind: str) -> list[str]:
    """The versions of one model kind there are files for, oldest first."""
    found = [p.stem.removeprefix(f"{kind}-") for p in MODELS.glob(f"{kind}-*.toml")]
    return sorted(found, key=_version_key)


@cache
def _read(kind: str, version: str) -> Siri | Kosf | Questionnaire:
    path = MODELS / f"{kind}-{version}.toml"
    if kind not in KINDS or not path.is_file():
        raise ModelError(f"no {kind} model of version {version!r} (there are {versions_of(kind)})")
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text("utf-8"))
        found = KINDS[kind].model_validate(raw)
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ModelError(f"{path.name}: {exc}") from exc
    if found.version != version:
        raise ModelError(f"{path.name} says it is version {found.version}")
    return found


@cache
def load(questionnaire_version: str) -> Models:
    """A questionnaire with the SIRI and smart-factory models it names, checked together."""
    questionnaire = _read("questionnaire", questionnaire_version)
    assert isinstance(questionnaire, Questionnaire)
    siri, kosf = _read("siri", questionnaire.siri), _read("kosf", questionnaire.kosf)
    assert isinstance(siri, Siri) and isinstance(kosf, Kosf)
    models = Models(questionnaire, siri, kosf)
    found = problems(models)
    if found:
        raise ModelError(f"questionnaire {questionnaire_version}: " + "; ".join(found))
    return models


def problems(models: Models) -> list[str]:
    """Everything that keeps the three models from being used together (empty: they fit)."""
    return [*_siri_problems(models.siri), *_kosf_problems(models.kosf), *_questionnaire_problems(models)]


def current() -> Models:
    """The newest questionnaire and its models: what a new assessment is taken with."""
    return load(versions_of("questionnaire")[-1])


def scored_with(versions: Mapping[str, Any]) -> Models:
    """The models an assessment was started with (its recorded ``versions``)."""
    models = load(str(versions.get("questionnaire")))
    if models.versions != dict(versions):
        raise ModelError(f"recorded versions {dict(versions)} do not fit the files ({models.versions})")
    return models


# ---- checks ------------------------------------------------------------------------------------------------------
def _repeated(ids: Iterable[str]) -> list[str]:
    return sorted(i for i, n in Counter(ids).items() if n > 1)


def _siri_problems(siri: Siri) -> list[str]:
    problems = []
    dimensions = siri.dimensions
    if len(dimensions) != SIRI_DIMENSIONS:
        problems.append(f"SIRI has {SIRI_DIMENSIONS} dimensions, the file {len(dimensions)}")
    every = [b.id for b in siri.blocks] + [p.id for b in siri.blocks for p in b.pillars] + [d.id for d in dimensions]
    if repeated := _repeated(every):
        problems.append(f"ids used twice in the SIRI model: {repeated}")
    problems += [f"dimension {d.id} names no ladder {d.ladder!r}" for d in dimensions if d.ladder not in siri.ladders]
    return problems


def _kosf_problems(kosf: Kosf) -> list[str]:
    problems = []
    if [lv.level for lv in kosf.levels] != list(range(len(kosf.levels))):
        problems.append("the smart-factory levels are not numbered 0, 1, … in order")
    if kosf.levels[0].criteria:
        problems.append("level 0 is where a company starts: it needs no criteria")
    known = {c.id for c in kosf.criteria}
    needed = [c for lv in kosf.levels for c in lv.criteria]
    problems += [f"a level needs criterion {c!r}, which is not described" for c in needed if c not in known]
    if repeated := _repeated(needed):
        problems.append(f"criteria needed by two levels: {repeated}")
    if unused := sorted(known - set(needed)):
        problems.append(f"criteria no level needs: {unused}")
    if repeated := _repeated(c.id for c in kosf.criteria):
        problems.append(f"criteria described twice: {repeated}")
    return problems


def _questionnaire_problems(models: Models) -> list[str]:
    questionnaire, siri, kosf = models.questionnaire, models.siri, models.kosf
    problems = []
    if repeated := _repeated(q.id for q in questionnaire.questions):
        problems.append(f"questions with the same id: {repeated}")
    dimensions = {d.id for d in siri.dimensions}
    criteria = {c.id for c in kosf.criteria}
    met: set[str] = set()
    for q in questionnaire.questions:
        where = f"question {q.id}"
        if q.dimension not in dimensions:
            problems.append(f"{where} is on dimension {q.dimension!r}, which SIRI {siri.version} does not have")
        if repeated := _repeated(o.id for o in q.options):
            problems.append(f"{where} has options with the same id: {repeated}")
        if max(o.band for o in q.options) != 5:
            problems.append(f"{where} has no answer for band 5, so its dimension could never reach it")
        for before, after in zip(q.options, q.options[1:], strict=False):
            if after.band < before.band:
                problems.append(f"{where}: option {after.id} supports a lower band than {before.id} before it")
            if not set(before.meets) <= set(after.meets):
                problems.append(f"{where}: option {after.id} meets less than {before.id} before it")
        for o in q.options:
            problems += [f"{where}, option {o.id}: no criterion {c!r}" for c in o.meets if c not in criteria]
            met.update(o.meets)
    asked = {q.dimension for q in questionnaire.questions}
    if unasked := sorted(dimensions - asked):
        problems.append(f"dimensions no question asks about: {unasked}")
    for dimension in sorted(asked & dimensions):
        lowest = min(q.options[0].band for q in questionnaire.questions if q.dimension == dimension)
        if lowest != 0:
            problems.append(f"no answer puts dimension {dimension} at band 0")
    if unmet := sorted(criteria - met):
        problems.append(f"criteria no answer can meet, so their level is out of reach: {unmet}")
    return problems

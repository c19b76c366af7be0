"""The assessment in a person's words, in Korean or English: the questionnaire with what every answer means and
which band it supports (nothing hidden), each chosen answer's effect on its dimension and level, each dimension's
band with the answers that set it, and the smart-factory level with what the next one still needs. Texts come
from the model files and the ``assessment`` catalogs; numbers from ``scoring.py``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sangsaeng.i18n.refusals import words
from sangsaeng.support.assessment.loading import Models
from sangsaeng.support.assessment.model import Question
from sangsaeng.support.assessment.scoring import Scores, Summary, blocks, overall, pillars

DOMAIN = "assessment"


def _names(models: Models, language: str) -> dict[str, str]:
    """Every block, pillar and dimension id → its name."""
    siri = models.siri
    found = {b.id: b.name.say(language) for b in siri.blocks}
    found |= {p.id: p.name.say(language) for b in siri.blocks for p in b.pillars}
    found |= {d.id: d.name.say(language) for d in siri.dimensions}
    return found


def questionnaire(models: Models, language: str) -> dict[str, Any]:
    """The questionnaire to show: questions grouped as SIRI groups them, every option with its meaning, the band
    it supports and the criteria it meets, and the bands and levels it scores on."""
    q, siri, kosf = models.questionnaire, models.siri, models.kosf
    where = {d.id: (b.id, p.id) for b in siri.blocks for p in b.pillars for d in p.dimensions}
    names = _names(models, language)
    return {
        "models": models.versions,
        "language": language,
        "name": q.name.say(language),
        "intro": q.intro.say(language),
        "minutes": q.minutes,
        "questions": [
            {
                "id": question.id,
                "block": where[question.dimension][0],
                "pillar": where[question.dimension][1],
                "dimension": question.dimension,
                "dimensionName": names[question.dimension],
                "text": question.text.say(language),
                "help": question.help.say(language) if question.help else None,
                "options": [
                    {
                        "id": o.id,
                        "label": o.label.say(language),
                        "explain": o.explain.say(language),
                        "band": o.band,
                        "meets": list(o.meets),
                    }
                    for o in question.options
                ],
            }
            for question in q.questions
        ],
        "dimensions": [
            {
                "id": d.id,
                "name": d.name.say(language),
                "short": d.short.say(language),
                "about": d.about.say(language),
                "bands": [
                    {"band": n, "name": siri.band_name(d, n).say(language), "meaning": d.bands[n].say(language)}
                    for n in range(6)
                ],
            }
            for d in siri.dimensions
        ],
        "levels": [
            {
                "level": lv.level,
                "stage": lv.stage.say(language),
                "name": lv.name.say(language),
                "about": lv.about.say(language),
                "criteria": [{"id": c, "text": kosf.criterion(c).text.say(language)} for c in lv.criteria],
            }
            for lv in kosf.levels
        ],
        "rules": {
            "band": words(DOMAIN, "rule.band", language),
            "level": words(DOMAIN, "rule.level", language),
            "selfAssessment": words(DOMAIN, "rule.self", language),
        },
    }


def answer(
    models: Models, question: Question, option_id: str, bands: Mapping[str, int] | None, language: str
) -> dict[str, Any]:
    """One chosen answer: what it means, the band it supports and — once the dimension is scored — whether it is
    the answer that sets the band; the smart-factory criteria it meets."""
    option = question.option(option_id)
    assert option is not None, "answers are checked before they are explained"
    dimension = models.siri.dimension(question.dimension)
    band_name = models.siri.band_name(dimension, option.band).say(language)
    dimension_name = dimension.name.say(language)
    effect = [words(DOMAIN, "effect.supports", language, dimension=dimension_name, band=option.band, name=band_name)]
    actual = bands.get(dimension.id) if bands is not None else None
    if actual is not None:
        key = "effect.sets" if option.band == actual else "effect.held"
        effect.append(words(DOMAIN, key, language, band=actual))
    criteria = [models.kosf.criterion(c).text.say(language) for c in option.meets]
    if criteria:
        effect.append(words(DOMAIN, "effect.meets", language, criteria="; ".join(criteria)))
    return {
        "question": question.id,
        "text": question.text.say(language),
        "option": option.id,
        "answer": option.label.say(language),
        "meaning": option.explain.say(language),
        "dimension": dimension.id,
        "band": option.band,
        "bandName": band_name,
        "setsBand": actual is not None and option.band == actual,
        "meets": list(option.meets),
        "effect": " ".join(effect),
    }


def answers(
    models: Models, chosen: Mapping[str, str], bands: Mapping[str, int] | None, language: str
) -> list[dict[str, Any]]:
    """Every answer given so far, in the questionnaire's order."""
    return [answer(models, q, chosen[q.id], bands, language) for q in models.questionnaire.questions if q.id in chosen]


def _summary(summary: Summary, names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": summary.id,
        "name": names[summary.id],
        "mean": summary.mean,
        "lowest": summary.lowest,
        "lowestName": names[summary.lowest],
        "dimensions": list(summary.dimensions),
    }


def _dimensions(models: Models, chosen: Mapping[str, str], bands: Mapping[str, int], language: str) -> list[Any]:
    found = []
    for d in models.siri.dimensions:
        band = bands[d.id]
        held_by = [q for q in models.questionnaire.questions if q.dimension == d.id and _band(q, chosen[q.id]) == band]
        name = models.siri.band_name(d, band).say(language)
        said = "; ".join(q.text.say(language) for q in held_by)
        found.append(
            {
                "id": d.id,
                "name": d.name.say(language),
                "about": d.about.say(language),
                "band": band,
                "bandName": name,
                "meaning": d.bands[band].say(language),
                "heldBy": [q.id for q in held_by],
                "explanation": words(DOMAIN, "dimension.held", language, band=band, name=name, questions=said),
            }
        )
    return found


def _band(question: Question, option_id: str) -> int:
    option = question.option(option_id)
    assert option is not None
    return option.band


def level(models: Models, chosen: Mapping[str, str], scores: Scores, language: str) -> dict[str, Any]:
    """The level reached, the criteria met, and what the next level still needs: for each missing criterion, the
    answers that would meet it (the least advanced option of each question that does)."""
    kosf = models.kosf
    reached = kosf.level(scores.level)
    view: dict[str, Any] = {
        "level": scores.level,
        "stage": reached.stage.say(language),
        "name": reached.name.say(language),
        "about": reached.about.say(language),
        "explanation": words(DOMAIN, "level.reached", language, level=scores.level, name=reached.name.say(language)),
        "met": [{"id": c, "text": kosf.criterion(c).text.say(language)} for c in scores.met],
        "note": words(DOMAIN, "rule.self", language),
        "next": None,
    }
    if scores.level + 1 < len(kosf.levels):
        following = kosf.level(scores.level + 1)
        missing = [c for c in following.criteria if c not in scores.met]
        view["next"] = {
            "level": following.level,
            "name": following.name.say(language),
            "explanation": words(
                DOMAIN, "level.next", language, level=following.level, name=following.name.say(language)
            ),
            "missing": [_how_to_meet(models, c, chosen, language) for c in missing],
        }
    return view


def _how_to_meet(models: Models, criterion: str, chosen: Mapping[str, str], language: str) -> dict[str, Any]:
    ways = []
    for q in models.questionnaire.questions:
        option = next((o for o in q.options if criterion in o.meets), None)
        if option is not None:
            ways.append(
                {
                    "question": q.id,
                    "text": q.text.say(language),
                    "option": option.id,
                    "answer": option.label.say(language),
                    "current": chosen.get(q.id),
                    "explanation": words(
                        DOMAIN,
                        "criterion.by",
                        language,
                        question=q.text.say(language),
                        option=option.label.say(language),
                    ),
                }
            )
    return {"id": criterion, "text": models.kosf.criterion(criterion).text.say(language), "ways": ways}


def result(models: Models, chosen: Mapping[str, str], scores: Scores, language: str) -> dict[str, Any]:
    """A complete assessment's result page as data: bands, summaries, the level, and every answer's effect."""
    names = _names(models, language)
    return {
        "overall": overall(scores.bands),
        "dimensions": _dimensions(models, chosen, scores.bands, language),
        "pillars": [_summary(s, names) for s in pillars(models, scores.bands)],
        "blocks": [_summary(s, names) for s in blocks(models, scores.bands)],
        "level": level(models, chosen, scores, language),
        "answers": answers(models, chosen, scores.bands, language),
    }

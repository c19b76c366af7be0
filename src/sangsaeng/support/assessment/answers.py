"""A member's answers, read strictly: ``{"questionnaire": "<version>", "answers": {"<question id>": "<option
id>" | null}}`` — the version is optional but, when given, must be the one the assessment was started with; each
answer names one of its question's options, and ``null`` takes an answer back. Anything else is refused with the
JSON path of what is wrong and, in Korean and English, what is expected. Answers are saved in parts: ``merge``
lays a part over what was saved before."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from sangsaeng.errors import InvalidInput
from sangsaeng.i18n.refusals import refusal
from sangsaeng.support.assessment.model import Questionnaire

DOMAIN = "assessment"
FIELDS = ("questionnaire", "answers")
Answers = dict[str, str]  # question id → option id
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def path_of(parent: str, key: str) -> str:
    """A JSON path to ``key`` under ``parent``: ``$.answers.x``, or ``$.answers["odd key"]`` for other keys."""
    return f"{parent}.{key}" if _PLAIN_KEY.match(key) else f"{parent}[{json.dumps(key, ensure_ascii=False)}]"


def _shown(value: Any) -> str:
    """A value as it was sent, cut short: what the refusal quotes back."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def read_part(body: Any, questionnaire: Questionnaire) -> dict[str, str | None]:
    """The answers a request sets (an option id) or takes back (``None``), each checked against the questionnaire
    the assessment uses."""
    if not isinstance(body, dict):
        raise refusal(DOMAIN, "body.not-object", at="$")
    for key in body:
        if key not in FIELDS:
            raise refusal(DOMAIN, "body.unknown-field", at=path_of("$", str(key)), field=key, fields=", ".join(FIELDS))
    version = body.get("questionnaire", questionnaire.version)
    if version != questionnaire.version:
        raise refusal(
            DOMAIN, "answers.other-version", at="$.questionnaire", given=_shown(version), version=questionnaire.version
        )
    if "answers" not in body:
        raise refusal(DOMAIN, "answers.missing", at="$.answers")
    part = body["answers"]
    if not isinstance(part, dict):
        raise refusal(DOMAIN, "answers.not-object", at="$.answers")
    found: dict[str, str | None] = {}
    for question_id, option_id in part.items():
        found[question_id] = _checked(questionnaire, question_id, option_id)
    return found


def _checked(questionnaire: Questionnaire, question_id: str, option_id: Any) -> str | None:
    at = path_of("$.answers", question_id)
    question = questionnaire.question(question_id)
    if question is None:
        raise refusal(DOMAIN, "answers.unknown-question", at=at, question=question_id, version=questionnaire.version)
    if option_id is None:
        return None
    options = ", ".join(o.id for o in question.options)
    if not isinstance(option_id, str):
        raise refusal(DOMAIN, "answers.not-an-id", at=at, value=_shown(option_id), options=options)
    if question.option(option_id) is None:
        raise refusal(DOMAIN, "answers.unknown-option", at=at, option=option_id, options=options)
    return option_id


def merge(saved: Mapping[str, str], part: Mapping[str, str | None]) -> Answers:
    """The saved answers with a part laid over them: a given option replaces, ``None`` removes."""
    merged = dict(saved)
    for question_id, option_id in part.items():
        if option_id is None:
            merged.pop(question_id, None)
        else:
            merged[question_id] = option_id
    return merged


def missing(questionnaire: Questionnaire, answers: Mapping[str, str]) -> list[str]:
    """The questions not answered yet, in the questionnaire's order."""
    return [q.id for q in questionnaire.questions if q.id not in answers]


def check_saved(questionnaire: Questionnaire, answers: Mapping[str, str]) -> None:
    """Saved answers still fit (they were checked when saved; this guards what scoring reads)."""
    for question_id, option_id in answers.items():
        _checked(questionnaire, question_id, option_id)


def incomplete(questionnaire: Questionnaire, answers: Mapping[str, str]) -> InvalidInput | None:
    """The refusal to score answers that leave questions open, naming them; ``None`` when all are answered."""
    left = missing(questionnaire, answers)
    if not left:
        return None
    return refusal(
        DOMAIN,
        "answers.incomplete",
        at="$.answers",
        extra={"missing": left},
        count=len(left),
        total=len(questionnaire.questions),
        questions=", ".join(left[:5]) + (", …" if len(left) > 5 else ""),
    )

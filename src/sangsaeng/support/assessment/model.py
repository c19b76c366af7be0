"""The three models of the assessment as typed, frozen values read from their TOML files: the SIRI index
(building blocks → pillars → 16 dimensions, each with six bands 0–5), the Korean smart-factory levels (0 미도입,
1 기초 … 5 고도화, each with the criteria it needs) and the questionnaire (questions on one dimension each, options
with the band they support and the criteria they meet). Unknown keys are refused (``extra="forbid"``): a typo in
a model file fails its loading, it is not silently ignored."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")]
Version = Annotated[str, Field(pattern=r"^[0-9]{4}\.[0-9]{1,3}$")]
Band = Annotated[int, Field(ge=0, le=5)]
BANDS = range(6)  # SIRI rates every dimension in bands 0–5
LANGUAGES = ("ko", "en")


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Words(Frozen):
    """A text a person reads, in Korean and English."""

    ko: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def say(self, language: str) -> str:
        return self.ko if language == "ko" else self.en


# ---- SIRI --------------------------------------------------------------------------------------------------------
class Dimension(Frozen):
    id: Id
    name: Words
    short: Words  # the label on the radar chart
    about: Words  # what the dimension looks at
    ladder: Id  # the names of its bands (``Siri.ladders``)
    bands: Annotated[tuple[Words, ...], Field(min_length=6, max_length=6)]  # what each band 0–5 means here


class Pillar(Frozen):
    id: Id
    name: Words
    dimensions: Annotated[tuple[Dimension, ...], Field(min_length=1)]


class Block(Frozen):
    id: Id
    name: Words
    pillars: Annotated[tuple[Pillar, ...], Field(min_length=1)]


class Siri(Frozen):
    id: Literal["siri"]
    version: Version
    name: Words
    source: Words
    ladders: dict[Id, Annotated[tuple[Words, ...], Field(min_length=6, max_length=6)]]
    blocks: Annotated[tuple[Block, ...], Field(min_length=1)]

    @property
    def dimensions(self) -> tuple[Dimension, ...]:
        """Every dimension, in the order of the file (block, pillar, dimension): the radar's axes go this way."""
        return tuple(d for b in self.blocks for p in b.pillars for d in p.dimensions)

    def dimension(self, dimension_id: str) -> Dimension:
        return next(d for d in self.dimensions if d.id == dimension_id)

    def band_name(self, dimension: Dimension, band: int) -> Words:
        return self.ladders[dimension.ladder][band]


# ---- Korean smart-factory levels ---------------------------------------------------------------------------------
class Criterion(Frozen):
    id: Id
    text: Words


class Level(Frozen):
    level: Annotated[int, Field(ge=0, le=5)]
    stage: Words  # the official stage: 기초, 중간1, 중간2, 고도화 (0: 미도입)
    name: Words  # the stage, told apart where two levels share it (고도화 at 4 and 5)
    about: Words
    criteria: tuple[Id, ...]


class Kosf(Frozen):
    id: Literal["kosf"]
    version: Version
    name: Words
    source: Words
    levels: Annotated[tuple[Level, ...], Field(min_length=6, max_length=6)]
    criteria: Annotated[tuple[Criterion, ...], Field(min_length=1)]

    def level(self, number: int) -> Level:
        return self.levels[number]

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)


# ---- the questionnaire -------------------------------------------------------------------------------------------
class Option(Frozen):
    id: Id
    band: Band  # the highest band of the question's dimension this answer supports
    label: Words
    explain: Words  # what choosing it says about the company, in plain words
    meets: tuple[Id, ...] = ()  # the smart-factory criteria it meets


class Question(Frozen):
    id: Id
    dimension: Id
    text: Words
    help: Words | None = None
    options: Annotated[tuple[Option, ...], Field(min_length=2, max_length=8)]

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class Questionnaire(Frozen):
    id: Literal["questionnaire"]
    version: Version
    siri: Version  # the versions of the models its options map onto
    kosf: Version
    minutes: Annotated[int, Field(ge=1, le=120)]
    name: Words
    intro: Words
    questions: Annotated[tuple[Question, ...], Field(min_length=1)]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

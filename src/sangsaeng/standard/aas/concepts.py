"""A signal's concept description (IDTA-01003-a, data specification IEC 61360), written so that a generic AAS tool
shows what the signal is: preferred and short names in Korean and English, the unit symbol, a ``unitId`` naming
the unit in QUDT, and ``isCaseOf`` naming its quantity kind in the IEC CDD and QUDT (``dictionary``).

The concept's id stays our URN (``urn:sangsaeng:signal:<signal>:<canonical unit>``), which the time series'
variables refer to: our reader takes the signal and its unit from it, exactly, whatever names people read; and
reads exports made before the names were added, whose preferred name was the signal id.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

import aas_core3.types as aas

from sangsaeng.standard.aas.dictionary import PublicUnit, expression_of, public_unit
from sangsaeng.standard.aas.identifiers import ENGLISH, IEC61360, KOREAN, SIGNAL, semantic
from sangsaeng.standard.aas.names import SignalName, clean
from sangsaeng.standard.said import CAMEL, refusal, words
from sangsaeng.standard.units import symbol

DEFINITION_LENGTH = 1023  # IEC 61360 definition
_SHOWN = 200  # of a signal id quoted in a definition


def concept_id(signal: str, unit: str) -> str:
    return f"{SIGNAL}{quote(signal, safe='')}:{quote(unit, safe='')}"


def signal_of(identifier: str) -> tuple[str, str] | None:
    """The signal and unit our URN names; None for another id."""
    if not identifier.startswith(SIGNAL) or identifier.count(":") != SIGNAL.count(":") + 1:
        return None
    signal, unit = identifier.removeprefix(SIGNAL).split(":")
    return unquote(signal), unquote(unit)


def shown_unit(unit: str, public: PublicUnit | None) -> str:
    """The unit as a person reads it: the dictionary's symbol, else pint's, else as written."""
    if public is not None:
        return public.symbol
    expression = expression_of(unit)
    return (clean(symbol(expression)) if expression else "") or clean(unit)


def _definitions(signal: str, name: SignalName, unit: str, public: PublicUnit | None) -> tuple[str, str]:
    quoted = repr(clean(signal)[:_SHOWN])

    def said(language: str) -> str:
        text = words("aas.definition", language, name=getattr(name, language), signal=quoted, unit=unit)
        if public is None:
            return text
        code = words("aas.definition.unece", language, code=public.unece) if public.unece else f"QUDT {public.qudt}"
        if public.quantity:
            return text + words("aas.definition.kind", language, kind=getattr(public.quantity, language), code=code)
        return text + f" ({code})"

    return said("ko")[:DEFINITION_LENGTH], said("en")[:DEFINITION_LENGTH]


def signal_concept(signal: str, unit: str, name: SignalName, id_short: str) -> aas.ConceptDescription:
    """The concept description of a signal measured in ``unit`` (a canonical unit, as Measurement rows hold)."""
    public = public_unit(unit)
    shown = shown_unit(unit, public)
    if not shown:
        raise refusal("aas.signal-without-unit", shape=CAMEL, signal=signal[:_SHOWN])
    ko, en = _definitions(signal, name, shown, public)
    content = aas.DataSpecificationIEC61360(
        [
            aas.LangStringPreferredNameTypeIEC61360(KOREAN, name.ko),
            aas.LangStringPreferredNameTypeIEC61360(ENGLISH, name.en),
        ],
        short_name=[aas.LangStringShortNameTypeIEC61360(ENGLISH, name.short)],
        unit=shown,
        unit_id=semantic(public.iri) if public else None,
        definition=[
            aas.LangStringDefinitionTypeIEC61360(KOREAN, ko),
            aas.LangStringDefinitionTypeIEC61360(ENGLISH, en),
        ],
        data_type=aas.DataTypeIEC61360.REAL_MEASURE,
    )
    kind = public.quantity if public else None
    return aas.ConceptDescription(
        concept_id(signal, unit),
        id_short=id_short,
        is_case_of=[semantic(i) for i in kind.public_ids()] if kind else None,
        embedded_data_specifications=[aas.EmbeddedDataSpecification(semantic(IEC61360), content)],
    )


def public_ids(concept: aas.ConceptDescription) -> list[str]:
    """The public dictionaries' ids of the concept's quantity kind (its ``isCaseOf``)."""
    return [r.keys[0].value for r in concept.is_case_of or [] if r.keys]


def _iec61360(concept: aas.ConceptDescription) -> aas.DataSpecificationIEC61360 | None:
    return next(
        (
            spec.data_specification_content
            for spec in concept.embedded_data_specifications or []
            if isinstance(spec.data_specification_content, aas.DataSpecificationIEC61360)
        ),
        None,
    )


def described_signals(concepts: list[aas.ConceptDescription]) -> dict[str, tuple[str, str | None]]:
    """For concepts not named by our URN (another tool's export): the signal as the English preferred name (else
    the first) and the unit as written, by concept id."""
    found: dict[str, tuple[str, str | None]] = {}
    for concept in concepts:
        content = _iec61360(concept)
        if content is None:
            continue
        names = content.preferred_name
        english = next((n.text for n in names if n.language.lower().startswith(ENGLISH)), names[0].text)
        found[concept.id] = (english, content.unit)
    return found

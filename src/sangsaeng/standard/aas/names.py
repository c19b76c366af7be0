"""What people call a machine signal, in Korean and English: the IEC 61360 preferred names and short name of its
concept description.

Nothing upstream names signals for people: a stream mapping or a measurement file carries only the signal id
(``spindle_temperature``, ``주축 부하``). So a caller may give the names (``aas export --signal-names``); for the
others a readable name is derived from the id — its words, and their translation when every word is one a machine
signal commonly has (``spindle_temperature`` → "Spindle temperature" / "주축 온도"). A word the glossary does not
know leaves the id's own words in both languages rather than a guess.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sangsaeng.standard.said import CAMEL, refusal

PREFERRED_NAME_LENGTH = 255  # IEC 61360 preferred name (IDTA-01003-a: PreferredNameTypeIec61360)
SHORT_NAME_LENGTH = 18  # IEC 61360 short name (ShortNameTypeIec61360)


@dataclass(frozen=True)
class SignalName:
    ko: str
    en: str
    short: str  # ≤ 18 characters


# Words of machine signals, English → Korean; a phrase of several words is matched before its words.
GLOSSARY = {
    "spindle": "주축",
    "temperature": "온도",
    "temp": "온도",
    "load": "부하",
    "power": "전력",
    "energy": "에너지",
    "speed": "속도",
    "feed": "이송",
    "feed rate": "이송 속도",
    "flow": "유량",
    "flow rate": "유량",
    "pressure": "압력",
    "current": "전류",
    "voltage": "전압",
    "vibration": "진동",
    "torque": "토크",
    "force": "힘",
    "position": "위치",
    "frequency": "주파수",
    "humidity": "습도",
    "level": "레벨",
    "count": "수량",
    "cycle time": "사이클 타임",
    "cycle": "사이클",
    "time": "시간",
    "motor": "모터",
    "oil": "오일",
    "coolant": "절삭유",
    "hydraulic": "유압",
    "axis": "축",
    "ambient": "주변",
    "air": "공기",
    "water": "물",
    "mold": "금형",
    "mould": "금형",
    "injection": "사출",
    "inlet": "입구",
    "outlet": "출구",
    "actual": "실제",
    "setpoint": "설정값",
    "tool": "공구",
    "wear": "마모",
    "total": "누적",
    "active": "유효",
    "reactive": "무효",
    "main": "주",
}
# Korean → English, the first English word for each Korean one (온도 → temperature, not temp)
_ENGLISH = {ko: en for en, ko in reversed(GLOSSARY.items())}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SEPARATORS = re.compile(r"[\s_\-./:]+")
# Characters an AAS string may hold (XML 1.0): everything else is dropped from a name.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """The text without what an AAS string may not hold, its spaces collapsed."""
    return " ".join(_NOT_XML.sub(" ", text).split())


def _fit(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length].rstrip()


def _words(signal: str) -> list[str]:
    return [w for w in _SEPARATORS.split(_CAMEL.sub(" ", clean(signal))) if w]


def _translate(words: list[str], glossary: Mapping[str, str]) -> list[str] | None:
    """The words in the other language, longest phrases first; None when a word is not in the glossary.
    Numbers and single letters (axis names: x, y, z) stay as they are."""
    found: list[str] = []
    at = 0
    while at < len(words):
        for end in range(len(words), at, -1):
            phrase = " ".join(words[at:end]).lower()
            if phrase in glossary:
                found.append(glossary[phrase])
                at = end
                break
        else:
            word = words[at]
            if not (word.isdigit() or (len(word) == 1 and word.isascii())):
                return None
            found.append(word.upper() if word.isalpha() else word)
            at += 1
    return found


def _korean_words(words: list[str]) -> list[str]:
    """Korean words split where the glossary knows them (주축온도 → 주축, 온도); a word it does not know stays whole."""
    split: list[str] = []
    for word in words:
        rest, parts = word, []
        while rest:
            known = next((k for k in sorted(_ENGLISH, key=len, reverse=True) if rest.startswith(k)), None)
            if known is None:
                parts = [word]
                break
            parts.append(known)
            rest = rest[len(known) :]
        split.extend(parts)
    return split


def _sentence(words: list[str]) -> str:
    """The words as a name: the first capitalised when it is a plain lower-case word (spindle → Spindle)."""
    first = words[0]
    if first.isalpha() and first.islower():
        first = first[:1].upper() + first[1:]
    return " ".join([first, *words[1:]])


def _short(signal: str, words: list[str], fallback: str) -> str:
    """The id itself when it fits in 18 characters; else its words cut to four letters each (spin_temp), as many
    words as fit."""
    plain = clean(signal)
    if plain and len(plain) <= SHORT_NAME_LENGTH:
        return plain
    cut = [w[:4] for w in words]
    while len(cut) > 1 and len("_".join(cut)) > SHORT_NAME_LENGTH:
        cut.pop()
    return _fit("_".join(cut), SHORT_NAME_LENGTH) or _fit(fallback, SHORT_NAME_LENGTH)


def derived_name(signal: str, fallback: str) -> SignalName:
    """A readable name from the signal id alone; ``fallback`` (the id short) when the id has nothing readable."""
    words = _words(signal)
    if not words:
        return SignalName(ko=fallback, en=fallback, short=_fit(fallback, SHORT_NAME_LENGTH))
    own = _fit(" ".join(words), PREFERRED_NAME_LENGTH)
    if _HANGUL.search(signal):
        english = _translate(_korean_words(words), _ENGLISH)
        en = _fit(_sentence(english), PREFERRED_NAME_LENGTH) if english else own
        return SignalName(ko=own, en=en, short=_short(signal, words, fallback))
    korean = _translate(words, GLOSSARY)
    ko = _fit(" ".join(korean), PREFERRED_NAME_LENGTH) if korean else own
    return SignalName(ko=ko, en=_fit(_sentence(words), PREFERRED_NAME_LENGTH), short=_short(signal, words, fallback))


def _text(value: object, position: str, length: int) -> str:
    text = clean(value) if isinstance(value, str) else ""
    if not text or len(text) > length:
        raise refusal("aas.name-length", at=position, shape=CAMEL, position=position, length=length)
    return text


def signal_names(data: object) -> dict[str, SignalName]:
    """Names a caller gives, as ``{signal: {ko: …, en: …, short: …}}`` (short optional); refused whole if any
    name is missing, empty or longer than IEC 61360 allows, or a key is not one of these."""
    if not isinstance(data, dict):
        raise refusal("aas.names-not-mapping", shape=CAMEL)
    names: dict[str, SignalName] = {}
    for signal, given in data.items():
        unknown = sorted(set(given) - {"ko", "en", "short"}) if isinstance(given, dict) else ["(not a mapping)"]
        if unknown:
            keys = ", ".join(map(str, unknown))
            raise refusal("aas.names-unknown-keys", at=str(signal), shape=CAMEL, signal=signal, keys=keys)
        assert isinstance(given, dict)
        ko = _text(given.get("ko"), f"{signal}.ko", PREFERRED_NAME_LENGTH)
        en = _text(given.get("en"), f"{signal}.en", PREFERRED_NAME_LENGTH)
        short = given.get("short")
        names[str(signal)] = SignalName(
            ko=ko,
            en=en,
            short=_text(short, f"{signal}.short", SHORT_NAME_LENGTH)
            if short is not None
            else _short(en, _words(en), en),
        )
    return names

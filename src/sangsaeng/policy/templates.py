"""Named offers for everyday value-chain sharing: a company picks one and fills in who (and how long); the
policy that comes out is an ordinary ODRL offer of our profile, checked like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sangsaeng.errors import InvalidInput


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    default: str | None = None  # None: required
    many: bool = False  # a list (comma-separated on the command line)


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    title_ko: str
    description: str
    parameters: tuple[Parameter, ...]
    build: Callable[[dict[str, Any]], dict[str, Any]]

    def policy(self, given: dict[str, Any]) -> dict[str, Any]:
        """The offer's policy for these parameters; refused, naming each, when some are missing or unknown."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise InvalidInput(
                f"template {self.name!r} takes no parameter {', '.join(unknown)}",
                position="parameters",
                hint=f"its parameters: {', '.join(known) or 'none'}",
            )
        values: dict[str, Any] = {}
        for p in self.parameters:
            value = given.get(p.name, p.default)
            if value is None or value == "" or value == []:
                raise InvalidInput(
                    f"template {self.name!r} needs {p.name}: {p.description}", position=f"parameters.{p.name}"
                )
            if p.many:
                value = [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value)
            values[p.name] = value
        return self.build(values)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "titleKo": self.title_ko,
            "description": self.description,
            "parameters": [
                {"name": p.name, "description": p.description, "default": p.default, "list": p.many}
                for p in self.parameters
            ],
        }


def _c(left: str, operator: str, right: Any) -> dict[str, Any]:
    return {"leftOperand": left, "operator": operator, "rightOperand": right}


def _days(value: Any) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"days must be a whole number, not {value!r}", position="parameters.days") from None
    if not 1 <= days <= 3650:
        raise InvalidInput("days must be between 1 and 3650", position="parameters.days")
    return days


def _quality(v: dict[str, Any]) -> dict[str, Any]:
    days = _days(v["days"])
    return {
        "permission": [
            {
                "action": "use",
                "constraint": [
                    _c("participant", "eq", v["customer"]),
                    _c("purpose", "eq", "quality-analysis"),
                    _c("elapsedTime", "lteq", f"P{days}D"),
                    _c("redistribution", "eq", False),
                ],
                "duty": [{"action": "delete", "constraint": [_c("elapsedTime", "lteq", f"P{days}D")]}],
            }
        ]
    }


def _carbon(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "permission": [
            {
                "action": "use",
                "constraint": [_c("membership", "eq", v["membership"]), _c("purpose", "eq", "carbon-accounting")],
                "duty": [{"action": "attribute"}],
            }
        ]
    }


def _benchmark(v: dict[str, Any]) -> dict[str, Any]:
    k = v["k"]
    if not str(k).isdigit() or int(k) < 2:
        raise InvalidInput("k must be a whole number of at least 2", position="parameters.k")
    return {
        "permission": [
            {
                "action": "use",
                "constraint": [
                    _c("purpose", "eq", "benchmarking"),
                    _c("aggregateOnly", "eq", True),
                    _c("minGroupSize", "gteq", str(k)),
                    _c("redistribution", "eq", False),
                ],
            }
        ]
    }


def _demand(v: dict[str, Any]) -> dict[str, Any]:
    return {
        "permission": [
            {
                "action": "use",
                "constraint": [
                    _c("participant", "isAnyOf", v["suppliers"]),
                    _c("tier", "eq", "1차"),  # the tier word the hub's credentials carry (hub/members/facts.py)
                    _c("purpose", "eq", "demand-planning"),
                    _c("redistribution", "eq", False),
                ],
            }
        ]
    }


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "quality-to-customer",
            "Quality data to my direct customer, for quality analysis, no redistribution",
            "직접 고객사에 품질 데이터 제공 (품질 분석용, 재배포 금지)",
            "Only the named customer may use it, only for quality analysis, for the given number of days after "
            "agreeing (then it must delete it), and may not pass it on.",
            (
                Parameter("customer", "the customer's participant id"),
                Parameter("days", "how long the customer may use it, in days", "365"),
            ),
            _quality,
        ),
        Template(
            "carbon-to-members",
            "Carbon footprint to any verified member, for carbon accounting",
            "인증된 회원사에 탄소발자국 제공 (탄소 회계용)",
            "Any participant whose signed credential shows the membership may use it for carbon accounting, "
            "naming us as the source.",
            (Parameter("membership", "the membership a credential must attest, e.g. the value chain's association"),),
            _carbon,
        ),
        Template(
            "benchmark-aggregates",
            "Aggregates only, for benchmarking",
            "벤치마킹용 집계만 제공 (소그룹 비공개)",
            "No rows leave: only aggregates over groups of at least k rows, for benchmarking, not passed on.",
            (Parameter("k", "the smallest group an aggregate may describe", "5"),),
            _benchmark,
        ),
        Template(
            "demand-to-tier1",
            "Demand forecast to my tier-1 suppliers",
            "1차 협력사에 수요 예측 제공",
            "The named suppliers, if a signed credential shows them as tier-1, may use it for demand planning; "
            "they may not pass it on.",
            (Parameter("suppliers", "the suppliers' participant ids", many=True),),
            _demand,
        ),
    )
}


def template(name: str) -> Template:
    found = TEMPLATES.get(name)
    if found is None:
        raise InvalidInput(f"no template {name!r}", position="template", hint=f"one of: {', '.join(TEMPLATES)}")
    return found

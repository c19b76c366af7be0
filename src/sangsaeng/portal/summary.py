"""A policy in plain words: what the partner will be able to do, and warnings where the terms leave rights wide
open by default (the Act: data provided gives the partner rights unless the contract restricts them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sangsaeng.policy.model import ATTRIBUTES, Atomic, Duty, Policy, flat
from sangsaeng.portal.i18n import Words
from sangsaeng.portal.names import Names


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seen: str = ""  # who sees the offer in the catalog


def _who(values: Any, names: Names | None) -> str:
    listed = list(values) if isinstance(values, list | tuple) else [values]
    return names.partners(listed) if names else ", ".join(str(v) for v in listed)


def seen_by(visible: dict[str, Any], w: Words, names: Names | None = None) -> str:
    """Who will see the offer in the catalog (``Audience.describe()``), in words."""
    named = _who(visible.get("participants", []), names) if visible.get("participants") else ""
    if visible["kind"] == "everyone":
        return w.t("seen.everyone")
    if visible["kind"] == "only":
        return w.t("seen.only", who=named) if named else w.t("seen.nobody")
    if visible["kind"] == "except":
        return w.t("seen.except", who=named)
    return w.t("seen.credentials")


def _listed(a: Atomic) -> list[str]:
    return [str(v) for v in a.right] if isinstance(a.right, tuple) else [str(a.right)]


def summarize(policy: Policy, w: Words, names: Names | None = None, entity: str | None = None) -> Summary:
    """The policy's permissions and duties as sentences, partners by name, purposes, columns and codes in words;
    ``entity``: the canonical entity the data holds, whose column names are shown as its fields' names."""
    out = Summary()

    def columns(a: Atomic) -> str:
        return ", ".join(w.field(entity, c) for c in _listed(a))

    for rule in policy.of_kind("permission"):
        atoms = flat(rule.constraints)
        lefts = {a.left for a in atoms}
        for a in atoms:
            negative = a.operator in ("neq", "isNoneOf")
            if a.left in ("participant", "recipient"):
                out.lines.append(w.t("sum.not_who" if negative else "sum.who", who=_who(a.right, names)))
            elif a.left == "purpose":
                purposes = ", ".join(w.purpose(p) for p in _listed(a))
                out.lines.append(w.t("sum.not_purpose" if negative else "sum.purpose", purpose=purposes))
            elif a.left in ATTRIBUTES:
                value = ", ".join(w.word(f"attribute.{a.left}", v) for v in _listed(a))
                out.lines.append(w.t("sum.credential", attribute=w.word("attribute", a.left), value=value))
            elif a.left == "dateTime" and a.operator in ("lt", "lteq"):
                out.lines.append(w.t("sum.until", when=w.when(a.right)))
            elif a.left == "dateTime":
                out.lines.append(w.t("sum.from", when=w.when(a.right)))
            elif a.left == "elapsedTime" and isinstance(a.right, timedelta):
                out.lines.append(w.t("sum.days", days=w.number(a.right.days)))
            elif a.left == "count":
                out.lines.append(w.t("sum.count", count=w.number(a.right) if isinstance(a.right, int) else a.right))
            elif a.left == "fields":
                out.lines.append(w.t("sum.fields", fields=columns(a)))
            elif a.left == "mask":
                out.lines.append(w.t("sum.mask", fields=columns(a)))
            elif a.left == "rowScope":
                out.lines.append(w.t("sum.rows", field=w.field(entity, a.right.field)))
            elif a.left == "aggregateOnly" and a.right:
                out.lines.append(w.t("sum.aggregates"))
            elif a.left == "minGroupSize":
                out.lines.append(w.t("sum.k", k=w.number(a.right) if isinstance(a.right, int) else a.right))
            elif a.left == "redistribution" and not a.right:
                out.lines.append(w.t("sum.no_passing_on"))
            elif a.left == "derivation" and not a.right:
                out.lines.append(w.t("sum.no_derivation"))
        for duty in rule.duties:
            out.lines.append(duty_text(duty, w))
        if not lefts & {"participant", "recipient", *ATTRIBUTES}:
            out.warnings.append(w.t("warn.anyone"))
        if "purpose" not in lefts:
            out.warnings.append(w.t("warn.any_purpose"))
        if not lefts & {"dateTime", "elapsedTime"}:
            out.warnings.append(w.t("warn.forever"))
        if "redistribution" not in lefts:
            out.warnings.append(w.t("warn.pass_on"))
    for duty in policy.obligations:
        out.lines.append(duty_text(duty, w))
    out.warnings = list(dict.fromkeys(out.warnings))
    return out


def duty_text(duty: Duty, w: Words) -> str:
    """What the partner must do, as a sentence (the words of ``Duty.describe()``)."""
    if duty.action == "delete" and duty.within is not None:
        return w.t("sum.delete", days=w.number(duty.within.days))
    if duty.action == "delete" and duty.by is not None:
        return w.t("sum.delete_by", when=w.when(duty.by))
    return w.t(f"sum.duty.{duty.action}") if w.known(f"sum.duty.{duty.action}") else duty.describe()

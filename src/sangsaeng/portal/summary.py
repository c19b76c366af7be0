"""A policy in plain words: what the partner will be able to do, and warnings where the terms leave rights wide
open by default (the Act: data provided gives the partner rights unless the contract restricts them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sangsaeng.policy.model import ATTRIBUTES, Atomic, Policy, flat
from sangsaeng.portal.i18n import Words


@dataclass
class Summary:
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seen: str = ""  # who sees the offer in the catalog


def seen_by(visible: dict[str, Any], w: Words) -> str:
    """Who will see the offer in the catalog (``Audience.describe()``), in words."""
    named = ", ".join(visible.get("participants", []))
    if visible["kind"] == "everyone":
        return w.t("seen.everyone")
    if visible["kind"] == "only":
        return w.t("seen.only", who=named) if named else w.t("seen.nobody")
    if visible["kind"] == "except":
        return w.t("seen.except", who=named)
    return w.t("seen.credentials")


def _values(a: Atomic) -> str:
    return ", ".join(a.right) if isinstance(a.right, tuple) else str(a.right)


def summarize(policy: Policy, w: Words) -> Summary:
    out = Summary()
    for rule in policy.of_kind("permission"):
        atoms = flat(rule.constraints)
        lefts = {a.left for a in atoms}
        for a in atoms:
            negative = a.operator in ("neq", "isNoneOf")
            if a.left in ("participant", "recipient"):
                out.lines.append(w.t("sum.not_who" if negative else "sum.who", who=_values(a)))
            elif a.left == "purpose":
                out.lines.append(w.t("sum.not_purpose" if negative else "sum.purpose", purpose=_values(a)))
            elif a.left in ATTRIBUTES:
                out.lines.append(w.t("sum.credential", attribute=a.left, value=_values(a)))
            elif a.left == "dateTime" and a.operator in ("lt", "lteq"):
                out.lines.append(w.t("sum.until", when=w.when(a.right)))
            elif a.left == "dateTime":
                out.lines.append(w.t("sum.from", when=w.when(a.right)))
            elif a.left == "elapsedTime" and isinstance(a.right, timedelta):
                out.lines.append(w.t("sum.days", days=a.right.days))
            elif a.left == "count":
                out.lines.append(w.t("sum.count", count=a.right))
            elif a.left == "fields":
                out.lines.append(w.t("sum.fields", fields=_values(a)))
            elif a.left == "mask":
                out.lines.append(w.t("sum.mask", fields=_values(a)))
            elif a.left == "rowScope":
                out.lines.append(w.t("sum.rows", field=a.right.field))
            elif a.left == "aggregateOnly" and a.right:
                out.lines.append(w.t("sum.aggregates"))
            elif a.left == "minGroupSize":
                out.lines.append(w.t("sum.k", k=a.right))
            elif a.left == "redistribution" and not a.right:
                out.lines.append(w.t("sum.no_passing_on"))
            elif a.left == "derivation" and not a.right:
                out.lines.append(w.t("sum.no_derivation"))
        for duty in rule.duties:
            out.lines.append(_duty(duty.action, duty.within, w))
        if not lefts & {"participant", "recipient", *ATTRIBUTES}:
            out.warnings.append(w.t("warn.anyone"))
        if "purpose" not in lefts:
            out.warnings.append(w.t("warn.any_purpose"))
        if not lefts & {"dateTime", "elapsedTime"}:
            out.warnings.append(w.t("warn.forever"))
        if "redistribution" not in lefts:
            out.warnings.append(w.t("warn.pass_on"))
    for duty in policy.obligations:
        out.lines.append(_duty(duty.action, duty.within, w))
    out.warnings = list(dict.fromkeys(out.warnings))
    return out


def _duty(action: str, within: timedelta | None, w: Words) -> str:
    if action == "delete" and within is not None:
        return w.t("sum.delete", days=within.days)
    return w.t(f"sum.duty.{action}")

"""What a member wants of its partners, read whole and checked (pure): the standard entity, from whom — a tier in
one of the asker's own value chains, or named members —, why in its own words, and optionally the offer template
it suggests. Every refusal says where (a JSON path in the body) and how to fix it, in Korean and English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sangsaeng.hub.members.facts import PARTICIPANT_ID, TIER
from sangsaeng.i18n.refusals import refusal
from sangsaeng.policy.templates import TEMPLATES
from sangsaeng.standard.labels import ENTITY_LABELS

WHY_LIMIT: Final = 500
MAX_NAMED: Final = 50
_KEYS: Final = frozenset({"entity", "from", "why", "template"})


@dataclass(frozen=True)
class WantIn:
    entity: str
    chain: str | None  # with ``tier``: every member of that tier in the asker's chain
    tier: str | None
    members: tuple[str, ...] | None  # or these members, by participant id
    why: str
    template: str | None


def read_want(body: Any, chains: tuple[str, ...]) -> WantIn:
    """A want as ``POST /hub/support/plan/wants`` takes it; ``chains``: the value chains the asker serves (the
    chains of its tiers), one of which a want by tier must be in."""
    if not isinstance(body, dict):
        raise refusal("plan", "wants.body", at="$")
    for key in body:
        if key not in _KEYS:
            raise refusal(
                "plan", "wants.key-unknown", at=str(key)[:40], key=str(key)[:40], known=", ".join(sorted(_KEYS))
            )
    entity = body.get("entity")
    if not isinstance(entity, str) or entity not in ENTITY_LABELS:
        raise refusal("plan", "wants.entity", at="entity", given=str(entity)[:64], known=", ".join(ENTITY_LABELS))
    why = body.get("why")
    if not isinstance(why, str) or not why.strip() or len(why) > WHY_LIMIT:
        raise refusal("plan", "wants.why", at="why", limit=WHY_LIMIT)
    template = body.get("template")
    if template is not None and (not isinstance(template, str) or template not in TEMPLATES):
        raise refusal("plan", "wants.template", at="template", given=str(template)[:64], known=", ".join(TEMPLATES))
    chain, tier, members = _read_from(body.get("from"), chains)
    return WantIn(entity, chain, tier, members, " ".join(why.split()), template)


def _read_from(value: Any, chains: tuple[str, ...]) -> tuple[str | None, str | None, tuple[str, ...] | None]:
    if not isinstance(value, dict) or not value or set(value) - {"tier", "chain", "members"}:
        raise refusal("plan", "wants.from", at="from")
    if "members" in value:
        if set(value) != {"members"}:
            raise refusal("plan", "wants.from", at="from")
        named = value["members"]
        if not isinstance(named, list) or not 1 <= len(named) <= MAX_NAMED:
            raise refusal("plan", "wants.members", at="from.members", most=MAX_NAMED)
        for i, member in enumerate(named):
            if not isinstance(member, str) or not PARTICIPANT_ID.match(member):
                raise refusal("plan", "wants.member-id", at=f"from.members[{i}]", given=str(member)[:80])
        return None, None, tuple(dict.fromkeys(named))
    tier = value.get("tier")
    if not isinstance(tier, str) or not TIER.match(tier.strip()):
        raise refusal("plan", "wants.tier", at="from.tier", given=str(tier)[:40])
    chain = value.get("chain")
    if chain is None:
        if len(chains) != 1:
            raise refusal("plan", "wants.chain-choose", at="from.chain", chains=", ".join(chains))
        chain = chains[0]
    if not isinstance(chain, str) or chain.strip() not in chains:
        raise refusal("plan", "wants.chain-yours", at="from.chain", given=str(chain)[:80], chains=", ".join(chains))
    return chain.strip(), tier.strip(), None

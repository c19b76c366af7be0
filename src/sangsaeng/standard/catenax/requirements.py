"""What each Catena-X release requires of the canonical records it is written from, and in which form.

One table serves two uses: a writer refuses a record that lacks a required field or holds it in the wrong form
(``enforce``: an ``InvalidInput`` naming the canonical field, the release and how to give it), and ``still_needed``
tells, for records not yet exported, which fields a release would still need — so that the mapping and the portal
can ask for them before anyone exports. Nothing is ever filled in: a value that is not in the records is not in
the document.

What the schemas require, by release (``required`` in the generated JSON schemas):

- SerialPart and Batch, all releases: the global asset id, the local id (serial or batch number), the production
  date (``manufacturingInformation`` and its date are required), the manufacturer's part id and name.
- SerialPart 4.0.0 also: ``customerPartId``, ``nameAtCustomer`` and ``partClassification`` (a classification is
  a ``standard`` and an ``id``: both). In 3.0.1 these are optional; Batch has no customer fields at all.
- SingleLevelBomAsBuilt, each child: ``businessPartner`` (BPNL of the supplier), ``createdOn``, ``quantity``,
  ``hasAlternatives``.
- SingleLevelUsageAsBuilt, each parent: ``businessPartner`` (BPNL of the customer who built the parent),
  ``createdOn``, ``isOnlyPotentialParent``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sangsaeng.standard.catenax.releases import BOM, PART_NAMES, PARTS, Release, release
from sangsaeng.standard.catenax.values import given, is_asset_id, is_bpnl, is_bpns, is_finite, samm_unit
from sangsaeng.standard.entities import Entity
from sangsaeng.standard.labels import field_label
from sangsaeng.standard.said import PerLanguage, refusal, words


@dataclass(frozen=True)
class Form:
    """A value constraint of a schema, and how to say it: ``words`` is its key in the ``standard`` catalog."""

    check: Callable[[Any], bool]
    words: str

    def said(self, language: str) -> str:
        return words(self.words, language)

    @property
    def ko(self) -> str:
        return self.said("ko")

    @property
    def en(self) -> str:
        return self.said("en")


ASSET_ID = Form(is_asset_id, "catenax.form.asset-id")
BPNL = Form(is_bpnl, "catenax.form.bpnl")
BPNS = Form(is_bpns, "catenax.form.bpns")
KINDS = {
    "serial": Form(lambda v: v == "serial", "catenax.form.serial"),
    "batch": Form(lambda v: v == "batch", "catenax.form.batch"),
}
AS_BUILT = Form(lambda v: v == "as-built", "catenax.form.as-built")
POSITIVE = Form(lambda v: is_finite(v) and v > 0, "catenax.form.positive")
SAMM_UNIT = Form(lambda v: samm_unit(v) is not None, "catenax.form.samm-unit")


@dataclass(frozen=True)
class Rule:
    """A canonical field a release writes: whether it must be there (or must be when ``together`` is), the form
    its value must have, and where it goes in the document."""

    entity: str
    field: str
    path: str
    required: bool
    form: Form | None = None
    together: str | None = None  # required when this other field of the record is given

    def missing(self, record: Mapping[str, Any]) -> bool:
        needed = self.required or (self.together is not None and given(record.get(self.together)))
        return needed and not given(record.get(self.field))

    def wrong(self, record: Mapping[str, Any]) -> bool:
        value = record.get(self.field)
        return self.form is not None and given(value) and not self.form.check(value)


def _part_rules(of: Release) -> tuple[Rule, ...]:
    names = PART_NAMES[min(of.major, 4)]
    serial_4 = of.aspect == "SerialPart" and of.major >= 4
    local = "partInstanceId" if of.aspect == "SerialPart" else "batchId"
    info, made = "partTypeInformation", "manufacturingInformation"
    kind = "serial" if of.aspect == "SerialPart" else "batch"
    rules = [
        Rule("part_instance", "kind", f"(a {of.aspect} is of kind {kind})", True, KINDS[kind]),
        Rule("part_instance", "global_asset_id", of.id_key, True, ASSET_ID),
        # 4.0.0 names a part by its global asset id alone (its official examples give no serial or batch number)
        Rule("part_instance", "local_id", f"localIdentifiers[{local}]", of.major < 4),
        Rule("part_instance", "production_date", f"{made}.{names.date}", True),
        Rule("part_instance", "site", f"{made}.sites[].{names.site}", False, BPNS),
        Rule("part_type", "manufacturer_part_id", f"{info}.manufacturerPartId", True),
        Rule("part_type", "name", f"{info}.nameAtManufacturer", True),
    ]
    if of.aspect == "SerialPart":
        rules += [
            Rule("part_type", "customer_part_id", f"{info}.customerPartId", serial_4),
            Rule("part_type", "name_at_customer", f"{info}.nameAtCustomer", serial_4),
        ]
    classification = f"{info}.partClassification[]"
    return (
        *rules,
        Rule(
            "part_type", "classification", f"{classification}.{names.code}", serial_4, None, "classification_standard"
        ),
        Rule(
            "part_type",
            "classification_standard",
            f"{classification}.{names.standard}",
            serial_4,
            None,
            "classification",
        ),
    )


def _link_rules(of: Release) -> tuple[Rule, ...]:
    items = "childItems[]" if of.aspect == BOM else "parentItems[]"
    parent = of.id_key if of.aspect == BOM else f"{items}.{of.id_key}"
    child = f"{items}.{of.id_key}" if of.aspect == BOM else of.id_key
    partner = ("business_partner", BPNL) if of.aspect == BOM else ("customer", BPNL)
    certainty = "hasAlternatives" if of.aspect == BOM else "isOnlyPotentialParent"
    return (
        Rule("bom_link", "parent", parent, True, ASSET_ID),
        Rule("bom_link", "child", child, True, ASSET_ID),
        Rule("bom_link", "lifecycle", "(as-built links only)", True, AS_BUILT),
        Rule("bom_link", "quantity", f"{items}.quantity.value", True, POSITIVE),
        Rule("bom_link", "quantity_unit", f"{items}.quantity.unit", True, SAMM_UNIT),
        Rule("bom_link", partner[0], f"{items}.businessPartner", True, partner[1]),
        Rule("bom_link", "created_on", f"{items}.createdOn", True),
        Rule("bom_link", "has_alternatives", f"{items}.{certainty}", True),
    )


@cache  # a release's rules never change; a writer asks for them once per record
def rules(of: Release) -> tuple[Rule, ...]:
    """Every canonical field ``of`` writes, with what it requires of it."""
    return _part_rules(of) if of.aspect in PARTS else _link_rules(of)


def _values(record: Entity | Mapping[str, Any]) -> Mapping[str, Any]:
    return record.model_dump() if isinstance(record, Entity) else record


def _naming(record: Entity) -> str:
    return " / ".join(str(getattr(record, key)) for key in type(record).key)


def enforce(of: Release, record: Entity) -> None:
    """Refuse ``record`` when ``of`` requires a field it lacks or holds in another form."""
    values, naming = _values(record), _naming(record)
    for rule in rules(of):
        if rule.entity == record.entity:
            _check(of, rule, values, naming)


def enforce_field(of: Release, entity: str, field: str, value: Any) -> None:
    """Refuse one value of ``entity.field`` that ``of`` would need in another form (or at all)."""
    for rule in rules(of):
        if (rule.entity, rule.field) == (entity, field):
            _check(of, rule, {field: value}, str(value))


def _check(of: Release, rule: Rule, values: Mapping[str, Any], naming: str) -> None:
    if not rule.missing(values) and not rule.wrong(values):
        return  # the usual case, without composing the words of a refusal
    label = PerLanguage(lambda language: field_label(rule.entity, rule.field, language))
    form = PerLanguage(lambda language: rule.form.said(language) if rule.form else "")
    said = {"release": of, "entity": rule.entity, "field": rule.field, "label": label, "naming": naming, "form": form}
    details = {"entity": rule.entity, "field": rule.field, "release": of.urn}
    if rule.missing(values):
        clause = PerLanguage(lambda language: words("catenax.required.form", language, form=form) if rule.form else "")
        raise refusal("catenax.required", at=rule.field, extra=details, **(said | {"path": rule.path, "form": clause}))
    if rule.wrong(values) and rule.form is not None:
        raise refusal("catenax.wrong-form", at=rule.field, extra=details, value=values.get(rule.field), **said)


@dataclass(frozen=True)
class Need:
    """A canonical field a release still needs: how many records lack it, how many hold it in another form,
    and why, in Korean and English."""

    entity: str
    field: str
    missing: int
    wrong: int
    ko: str
    en: str


def still_needed(
    aspect: str,
    records: Iterable[Entity | Mapping[str, Any]],
    *,
    version: str | None = None,
    entity: str | None = None,
) -> tuple[Need, ...]:
    """The fields ``aspect`` (at ``version``, else its current release) still needs of ``records``: canonical
    entities, or rows of canonical field names (then ``entity`` says whose). Only entities the records hold are
    checked; an empty answer means every record could be written."""
    of = release(aspect, version)
    tally: dict[tuple[str, str], list[int]] = {}
    for record in records:
        kind = record.entity if isinstance(record, Entity) else entity
        if kind is None:
            raise refusal("catenax.row-needs-entity", at="entity")
        values = _values(record)
        for rule in rules(of):
            if rule.entity == kind:
                counts = tally.setdefault((rule.entity, rule.field), [0, 0])
                counts[0] += rule.missing(values)
                counts[1] += rule.wrong(values)
    needs = []
    for rule in rules(of):
        missing, wrong = tally.get((rule.entity, rule.field), [0, 0])
        if missing or wrong:
            needs.append(_need(of, rule, missing, wrong))
    return tuple(needs)


def _need(of: Release, rule: Rule, missing: int, wrong: int) -> Need:
    def reasons(language: str) -> str:
        said = []
        if missing:
            said.append(words("catenax.need.missing", language, release=of, path=rule.path, count=missing))
        if wrong and rule.form is not None:
            said.append(words("catenax.need.wrong", language, form=rule.form.said(language), count=wrong))
        return "; ".join(said)

    ko, en = (f"{field_label(rule.entity, rule.field, language)}: {reasons(language)}" for language in ("ko", "en"))
    return Need(rule.entity, rule.field, missing, wrong, ko, en)

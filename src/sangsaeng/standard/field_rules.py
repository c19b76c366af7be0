"""The parts of a mapping document (``mapping.Mapping``): one field's rule, the header, the unpivot of wide
columns; each checks itself as it is read, so a mistake is told where it was written."""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sangsaeng.standard import dates
from sangsaeng.standard.prefixes import problem as prefix_problem
from sangsaeng.standard.said import PerLanguage, Problem


class FieldMap(BaseModel):
    model_config = ConfigDict(extra="forbid")
    column: str | None = Field(None, description="The source column")
    value: Any = Field(None, description="A constant instead of a column")
    format: str | None = Field(
        None,
        description="How dates are written: an example as the file writes it (2026.03.02, 3월분) or a pattern"
        " (%Y.%m.%d)",
    )
    unit: str | None = Field(None, description="The unit every value is in, as the source writes it")
    unit_column: str | None = Field(None, description="A column holding each row's unit")
    values: dict[str, Any] | None = Field(None, description="Source value → canonical value, e.g. 합격: true")
    year: int | None = Field(None, ge=1900, le=2200, description="The year of dates written without one (3월분)")
    at: Literal["start", "end"] | None = Field(
        None, description="A cell naming a day or month is its start (default) or its end (the next one's start)"
    )
    minus: str | None = Field(None, description="A column subtracted from `column`, e.g. 불량수량")
    prefix: str | None = Field(
        None,
        description="Text put before each value (each item of a list) that is not already an identifier of the "
        "prefix's scheme: 품번 BRK-2041 with `prefix: urn:pact:hanbit.example:product-id:` is "
        "urn:pact:hanbit.example:product-id:BRK-2041; after a URI prefix the value is percent-encoded (RFC 8141)",
    )

    @model_validator(mode="after")
    def _one_source(self) -> FieldMap:
        if (self.column is None) == (self.value is None):
            raise Problem("mapping.column-or-value")
        if self.unit is not None and self.unit_column is not None:
            raise Problem("mapping.unit-or-unit-column")
        if self.minus is not None and (self.column is None or self.values is not None):
            raise Problem("mapping.minus-needs-column")
        if self.prefix is not None and (why := prefix_problem(self.prefix)):
            raise Problem("mapping.prefix-invalid", problem=PerLanguage(why.said))
        if self.prefix is not None and self.values is not None:
            raise Problem("mapping.prefix-with-values")
        if self.format is not None:
            rule = self.date_rule
            assert rule is not None
            if not rule.has_date:
                raise Problem("mapping.format-time-only", format=self.format)
            if not rule.has_year and self.year is None:
                raise Problem("mapping.format-no-year", format=self.format)
        return self

    @cached_property
    def date_rule(self) -> dates.DateRule | None:
        """The reading rule of ``format`` (pattern or example); ``ValueError`` saying what to write instead."""
        if self.format is None:
            return None
        pattern = self.format if "%" in self.format else dates.pattern_of(self.format)
        return dates.compile_pattern(pattern)


class Header(BaseModel):
    model_config = ConfigDict(extra="forbid")
    row: int = Field(1, ge=1, description="The sheet row (CSV line) where the header starts, as Excel numbers it")
    rows: Literal[1, 2] = Field(1, description="2: a row of units or sub-names under the row of names")


class Unpivot(BaseModel):
    """Wide columns made long records (see ``layout.Unpivot``)."""

    model_config = ConfigDict(extra="forbid")
    columns: list[str] = Field(min_length=1, description="The wide columns, by their (joined) headers")
    name: str = Field(description="A new column holding each wide column's header")
    value: str = Field(description="A new column holding the cell")
    unit: str | None = Field(None, description="A new column holding the unit written in the header")

    @model_validator(mode="after")
    def _distinct(self) -> Unpivot:
        if len(set(self.columns)) != len(self.columns):
            raise Problem("mapping.unpivot-column-twice")
        new = [n for n in (self.name, self.value, self.unit) if n is not None]
        if len(set(new)) != len(new) or set(new) & set(self.columns):
            raise Problem("mapping.unpivot-names")
        return self


def _base(annotation: Any) -> Any:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) is not None and type(None) in get_args(annotation):
        return _base(args[0])
    return annotation

"""The store of the company's remembered vocabulary: units, code values and headers its files write."""

from __future__ import annotations

from typing import Protocol

from sangsaeng.store.records import Term


class Vocabulary(Protocol):
    async def declare(self, term: Term) -> None:
        """Remember a term; one declared before for the same kind, field and spelling is replaced (the latest
        person's word holds), so declaring never conflicts."""
        ...

    async def terms(self, kind: str | None = None, field: str | None = None) -> list[Term]:
        """The declared terms (of one kind, of one field), by kind, field and spelling."""
        ...

    async def forget(self, kind: str, field: str, written: str) -> bool:
        """Forget one term; whether it was declared."""
        ...

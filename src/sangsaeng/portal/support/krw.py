"""Sums of money in won as people read them: ``5,000만 원``, ``1억 5,000만 원`` in Korean (grouped by 만, 억, 조 and
경, the powers of ten thousand Korean counts in), ``KRW 50,000,000`` in English. Pure."""

from __future__ import annotations

from typing import Final

# Korean names the powers of 10⁴: 만 (10⁴), 억 (10⁸), 조 (10¹²), 경 (10¹⁶); within a group, digits take
# thousands' commas.
GROUPS: Final = ((10**16, "경"), (10**12, "조"), (10**8, "억"), (10**4, "만"))


def won_ko(amount: int) -> str:
    """``50_000_000`` → ``5,000만 원``; ``150_000_000`` → ``1억 5,000만 원``; ``1_234`` → ``1,234 원``."""
    if amount < 0:
        return "−" + won_ko(-amount)
    parts: list[str] = []
    rest = amount
    for size, name in GROUPS:
        count, rest = divmod(rest, size)
        if count:
            parts.append(f"{count:,}{name}")
    if rest or not parts:
        parts.append(f"{rest:,}")
    return " ".join(parts) + " 원"


def won_en(amount: int) -> str:
    """``50_000_000`` → ``KRW 50,000,000``."""
    return f"KRW {amount:,}" if amount >= 0 else f"−KRW {-amount:,}"


def won(amount: int, language: str) -> str:
    return won_ko(amount) if language == "ko" else won_en(amount)

"""How the demo tells what happens: every line from the ``demo`` catalog (``i18n/locale/*/demo.po``), in Korean,
in English, or (the default of ``make demo``) Korean with the English under it, as ``--ko``/``--en`` choose."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.console import Console
from rich.markup import escape

from sangsaeng.i18n import catalogs


class Teller:
    """Says catalog lines on a console; ``korean`` True: Korean only, False: English only, None: both."""

    def __init__(self, console: Console, korean: bool | None = None) -> None:
        self.console = console
        self.languages = ("ko", "en") if korean is None else ("ko",) if korean else ("en",)

    def words(self, key: str, **values: Any) -> list[str]:
        return [catalogs.text("demo", key, language, **values) for language in self.languages]

    def say(self, key: str, **values: Any) -> None:
        """One line (or two: Korean, then the English dimmed under it)."""
        self._print(self.words(key, **values))

    def _print(self, lines: list[str]) -> None:
        for i, line in enumerate(lines):
            self.console.print(escape(line) if i == 0 else f"[dim]{escape(line)}[/]", soft_wrap=True)

    def say_each(self, key: str, values: Callable[[str], Mapping[str, Any]]) -> None:
        """One line whose values differ by language (the hub's own words: a level's name, a step's title): the
        values of each language said are ``values(language)``."""
        self._print([catalogs.text("demo", key, language, **values(language)) for language in self.languages])

    def rule(self, key: str, **values: Any) -> None:
        self.console.rule(f"[bold]{escape(' / '.join(self.words(key, **values)))}")

    def plain(self, text: str) -> None:
        """Something that is the same in both languages: a name, an address, a key, a path."""
        self.console.print(escape(text), soft_wrap=True)

"""The demo says every line from its catalog: each key its modules name is in Korean and English (a missing key
would be printed as the key itself), and the catalog keeps no line the demo no longer says. Read from the code, so
the branches a run of the demo does not take (no expert fits, no cell published) are held to it too."""

from __future__ import annotations

import ast
from pathlib import Path

from sangsaeng.i18n import catalogs

DEMO = Path(__file__).resolve().parent.parent / "src" / "sangsaeng" / "demo"
SAYING = {"say", "say_each", "rule", "words"}  # Teller's methods, each given a key first


Assigned = dict[str, list[ast.expr]]  # every value a name is given in a module (``a = …``, ``a, b = …, …``)


def strings(node: ast.expr, assigned: Assigned) -> set[str]:
    """The keys an argument may be: a string, either branch of ``a if c else b``, or what a local name is given."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return strings(node.body, assigned) | strings(node.orelse, assigned)
    if isinstance(node, ast.Name):
        return {key for value in assigned.get(node.id, []) for key in strings(value, assigned)}
    return set()


def assignments(tree: ast.Module) -> Assigned:
    found: Assigned = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name):
                found.setdefault(target.id, []).append(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for name, value in zip(target.elts, node.value.elts, strict=False):
                    if isinstance(name, ast.Name):
                        found.setdefault(name.id, []).append(value)
    return found


def keys_the_demo_says() -> set[str]:
    found: set[str] = set()
    for module in DEMO.glob("*.py"):
        tree = ast.parse(module.read_text("utf-8"))
        assigned = assignments(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
                continue
            args = node.args
            if node.func.attr in SAYING:
                found |= strings(args[0], assigned)
            elif node.func.attr == "text" and len(args) >= 2 and strings(args[0], assigned) == {"demo"}:
                found |= strings(args[1], assigned)
    return found


def test_the_scan_finds_the_keys_of_every_kind_of_call() -> None:
    said = keys_the_demo_says()
    assert {"title", "where", "step.support", "support.assessment.block", "support.benchmark.all"} <= said
    assert {"support.plan.asked.step", "support.plan.asked.done", "support.plan.asked"} <= said  # one chosen
    assert {"support.program.share", "support.program.amount"} <= said  # a key given with its values


def test_every_key_the_demo_says_is_in_both_catalogs_and_none_is_left_over() -> None:
    said = keys_the_demo_says()
    for language in catalogs.LANGUAGES:
        kept = set(catalogs.entries(language, "demo"))
        assert said - kept == set(), language
        assert kept - said == set(), language

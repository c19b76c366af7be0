"""``sangsaeng offer create|templates``: the terms (ODRL policies) under which a dataset is shared."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sangsaeng.cli.common import DataDir, call, client_of, console, fail, json_argument, pairs

offer_app = typer.Typer(help="Offers: the terms (ODRL policies) under which a dataset is shared.", no_args_is_help=True)


@offer_app.command("create")
def offer_create(
    dataset_id: Annotated[str, typer.Argument(help="The dataset the offer is for")],
    policy: Annotated[str | None, typer.Option(help="The ODRL policy: a JSON file, or JSON text")] = None,
    template: Annotated[
        str | None, typer.Option(help="A named template instead of a policy (see `offer templates`)")
    ] = None,
    param: Annotated[list[str], typer.Option(help="A template parameter, NAME=VALUE (repeatable)")] = [],  # noqa: B006
    offer_id: Annotated[str | None, typer.Option("--id", help="An id for the offer")] = None,
    visible_to: Annotated[
        list[str], typer.Option(help="Show the offer in the catalog to this participant only (repeatable)")
    ] = [],  # noqa: B006
    access_policy: Annotated[
        str | None, typer.Option(help="Who sees the offer: an access policy (JSON file or text) on the caller only")
    ] = None,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Publish DATASET_ID under an offer: a policy, or a template filled in. See POLICY.md for the operands.

    Without --visible-to or --access-policy the catalog shows the offer to whoever its policy could grant it to."""
    if (policy is None) == (template is None):
        fail("give --policy or --template", "`sangsaeng offer templates` lists the templates")
    if visible_to and access_policy is not None:
        fail("give --visible-to or --access-policy, not both", "--visible-to P is an access policy naming P")
    body: dict[str, Any] = {"datasetId": dataset_id, "id": offer_id}
    if visible_to:
        from sangsaeng.policy import access

        body["accessPolicy"] = access.visible_to(visible_to)
    elif access_policy is not None:
        body["accessPolicy"] = json_argument(access_policy, "access-policy")
    if policy is not None:
        body["policy"] = json_argument(policy, "policy")
    else:
        body["template"] = template
        body["parameters"] = {k: ",".join(v) for k, v in pairs(param, "param").items()}
    with client_of(data_dir) as client:
        offer = call(lambda: client.post("/offers", body))
    console.print(f"[green]✓[/] offer [bold]{offer['id']}[/] for {offer['datasetId']}")
    console.print(f"  seen in the catalog by: {_audience(offer['visibleTo'])}")


def _audience(visible: dict[str, Any]) -> str:
    kind, named = visible["kind"], ", ".join(visible.get("participants", []))
    return {
        "everyone": "every member of the dataspace",
        "only": f"{named} only" if named else "no one (no participant could obtain it)",
        "except": f"every member except {named}",
    }.get(kind, "members whose credentials the access policy accepts")


@offer_app.command("templates")
def offer_templates(data_dir: DataDir = Path(".sangsaeng")) -> None:
    """The named offers for everyday sharing, and the parameters each needs."""
    with client_of(data_dir) as client:
        listed = call(lambda: client.get("/templates"))
    for t in listed:
        console.print(f"[bold]{t['name']}[/] — {t['title']} / {t['titleKo']}", soft_wrap=True)
        console.print(f"  {t['description']}", soft_wrap=True)
        for p in t["parameters"]:
            default = f" (default {p['default']})" if p["default"] else ""
            console.print(f"  --param {p['name']}=…  {p['description']}{default}", soft_wrap=True, markup=False)

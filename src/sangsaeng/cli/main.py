"""The ``sangsaeng`` command: set up a connector, run it, and use it from a terminal.

Each command group lives in a module of its own (``sangsaeng.cli.<group>``); this one only assembles them, in the
order ``--help`` lists them.
"""

from __future__ import annotations

import typer

from sangsaeng.cli import catalog, connector, hubhost, hubidentity, hubjoin, hubkeys, negotiate, transfer
from sangsaeng.cli.aas import aas_app
from sangsaeng.cli.agreements import agreement_app
from sangsaeng.cli.audit import audit_app
from sangsaeng.cli.catenax import catenax_app
from sangsaeng.cli.common import console, err
from sangsaeng.cli.credentials import credential_app
from sangsaeng.cli.datasets import dataset_app
from sangsaeng.cli.hub import hub_app
from sangsaeng.cli.map import map_app
from sangsaeng.cli.offers import offer_app
from sangsaeng.cli.pact import pact_app
from sangsaeng.cli.policy import policy_app
from sangsaeng.cli.received import received_app
from sangsaeng.cli.rights import rights_app
from sangsaeng.cli.streams import stream_app
from sangsaeng.cli.users import user_app

__all__ = ["app", "console", "err"]

app = typer.Typer(
    help="Sangsaeng (상생) connector: share industrial data along a value chain under machine-enforced terms.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

connector.register(app)  # init, serve, demo
hubjoin.register(hub_app)  # hub join: a connector trusts a hub (the rest of the group runs one)
hubidentity.register(hub_app)  # hub identity: what the hub's application form asks, and a proof token
hubkeys.register(hub_app)  # hub key next|use|promote: change this connector's key with its hub
hubhost.register(hub_app, app)  # hub host, hub export, import: connectors the hub hosts, and leaving it
app.command()(catalog.catalog)
app.command()(negotiate.negotiate)
app.command()(transfer.transfer)

for group, name in (
    (dataset_app, "dataset"),
    (offer_app, "offer"),
    (policy_app, "policy"),
    (rights_app, "rights"),
    (credential_app, "credential"),
    (agreement_app, "agreement"),
    (received_app, "received"),
    (map_app, "map"),
    (aas_app, "aas"),
    (catenax_app, "catenax"),
    (audit_app, "audit"),
    (stream_app, "stream"),
    (user_app, "user"),
    (pact_app, "pact"),
    (hub_app, "hub"),
):
    app.add_typer(group, name=name)

if __name__ == "__main__":
    app()

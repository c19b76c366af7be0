"""The ``sangsaeng`` command: set up a connector, run it, and use it from a terminal."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sangsaeng.client import ApiError, Client
from sangsaeng.errors import SangsaengError
from sangsaeng.settings import CONFIG_FILE, Settings

app = typer.Typer(
    help="Sangsaeng (상생) connector: share industrial data along a value chain under machine-enforced terms.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
dataset_app = typer.Typer(help="Datasets this connector publishes.", no_args_is_help=True)
offer_app = typer.Typer(help="Offers: the terms (ODRL policies) under which a dataset is shared.", no_args_is_help=True)
app.add_typer(dataset_app, name="dataset")
app.add_typer(offer_app, name="offer")
policy_app = typer.Typer(help="Usage policies: ask what a policy would decide, and why.", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
rights_app = typer.Typer(help="Data rights and lineage of datasets.", no_args_is_help=True)
app.add_typer(rights_app, name="rights")
credential_app = typer.Typer(help="Signed credentials: role, tier, sector, region, membership.", no_args_is_help=True)
app.add_typer(credential_app, name="credential")

# No emoji codes: ids such as urn:x:… must print as they are, never as pictures.
console = Console(emoji=False)
err = Console(stderr=True, emoji=False)

DataDir = Annotated[
    Path,
    typer.Option("--data-dir", "-d", envvar="SANGSAENG_DATA_DIR", help="The connector's data directory."),
]


def _settings(data_dir: Path) -> Settings:
    from pydantic import ValidationError

    try:
        return Settings(data_dir=data_dir)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        _fail(
            f"the settings in {data_dir / CONFIG_FILE} or SANGSAENG_… variables are not valid: {problems}",
            "see docs/settings.md for every setting",
        )
        raise  # _fail exits; this keeps the type checker content


def _client(data_dir: Path) -> Client:
    settings = _settings(data_dir)
    if not settings.api_key.get_secret_value():
        _fail(f"{data_dir} holds no connector", "run `sangsaeng init` first, or pass --data-dir")
    return Client(settings.public_url, settings.api_key.get_secret_value())


def _directory(given: Path | None, data_dir: Path) -> Any:
    """The participant directory with the public keys for offline checks: given, or the data directory's."""
    from sangsaeng.identity.directory import load_directory

    path = given or _settings(data_dir).directory_path
    if not path.exists():
        _fail(f"no participant directory at {path}", "pass --directory FILE")
    try:
        return load_directory(path)
    except SangsaengError as exc:
        _fail(exc.message, exc.hint)


def _fail(message: str, hint: str | None = None) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)  # paths and ids stay whole, to copy
    if hint:
        err.print(f"  [dim]hint:[/] {escape(hint)}", soft_wrap=True)
    raise typer.Exit(2)


def _run(action: Any) -> Any:
    """Run a client call, turning API and connection errors into readable messages."""
    import httpx

    try:
        return action()
    except ApiError as exc:
        _fail(str(exc))
    except httpx.ConnectError:
        _fail("the connector is not running", "start it with `sangsaeng serve`")
    except httpx.HTTPError as exc:
        _fail(f"the connector did not answer: {exc or type(exc).__name__}", "it may still be working; look again later")
    except SangsaengError as exc:
        _fail(exc.message, exc.hint)


@app.command()
def init(
    participant_id: Annotated[str, typer.Option(help="A URI naming the company, e.g. urn:sangsaeng:participant:acme")],
    name: Annotated[str, typer.Option(help="The company's display name")],
    data_dir: DataDir = Path(".sangsaeng"),
    public_url: Annotated[str, typer.Option(help="Base URL other connectors reach this one at")] = "",
    port: Annotated[int, typer.Option(help="Port to serve on")] = 8181,
    directory: Annotated[
        Path | None, typer.Option(help="A shared participant directory file to add this connector to")
    ] = None,
) -> None:
    """Give a connector its identity: a participant id, an Ed25519 key pair and an API key, in DATA_DIR."""
    from sangsaeng.setup import init_connector

    try:
        made = init_connector(data_dir, participant_id, name, port=port, public_url=public_url, directory=directory)
    except SangsaengError as exc:
        _fail(exc.message, exc.hint)
    settings = made.settings
    console.print(f"[green]✓[/] connector [bold]{name}[/] ({participant_id}) in {data_dir}")
    console.print(f"  protocol endpoint  {settings.protocol_url}")
    console.print(f"  directory          {settings.directory_path}")
    console.print(f"  management API key {made.api_key}  [dim](also in {data_dir / CONFIG_FILE})[/]")


@app.command()
def serve(
    data_dir: DataDir = Path(".sangsaeng"),
    host: Annotated[str | None, typer.Option(help="Interface to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
) -> None:
    """Run the connector: protocol API, management API and data plane, until Ctrl-C."""
    import uvicorn

    from sangsaeng.logs import configure
    from sangsaeng.web.app import create_app

    settings = _settings(data_dir)
    configure(settings.log_level, settings.log_json)
    try:
        application = create_app(settings)
    except SangsaengError as exc:
        _fail(exc.message, exc.hint)
    uvicorn.run(
        application,
        host=host or settings.host,
        port=port or settings.port,
        # Believed only from proxies the operator names: uvicorn's default (127.0.0.1) let anyone who reaches the
        # connector from this host, or through a proxy that passes the header on, choose their own address.
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=settings.forwarded_allow_ips or None,
        log_level="warning",
        access_log=False,
    )


@dataset_app.command("add")
def dataset_add(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CSV or Parquet file")],
    title: Annotated[str, typer.Option(help="What the dataset is, in a few words")],
    description: Annotated[str, typer.Option(help="A longer description")] = "",
    dataset_id: Annotated[str | None, typer.Option("--id", help="Add a new version of this dataset")] = None,
    co_generator: Annotated[
        list[str], typer.Option(help="A participant who generated the data with us (repeatable)")
    ] = [],  # noqa: B006
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Register FILE as a new dataset, or as the next version of --id."""
    with _client(data_dir) as client:
        if dataset_id:
            existing = _run(lambda: client.get("/datasets", limit=1000))
            if any(d["id"] == dataset_id for d in existing):
                dataset = _run(lambda: client.add_version(dataset_id, file))
            else:
                dataset = _run(lambda: client.add_dataset(file, title, description, dataset_id, co_generator))
        else:
            dataset = _run(lambda: client.add_dataset(file, title, description, co_generators=co_generator))
    console.print(f"[green]✓[/] dataset [bold]{dataset['id']}[/] version {dataset['version']}")
    console.print(f"  {dataset['rows']} rows, columns: {', '.join(c['name'] for c in dataset['columns'])}")


@dataset_app.command("ingest")
def dataset_ingest(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV (UTF-8 or CP949), .xlsx, .jsonl or .parquet")
    ],
    mapping: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="The mapping (YAML or JSON)")],
    title: Annotated[str | None, typer.Option(help="Title of a new dataset")] = None,
    dataset_id: Annotated[str | None, typer.Option("--id", help="Add a new version of this dataset")] = None,
    description: Annotated[str, typer.Option(help="A longer description")] = "",
    max_errors: Annotated[int, typer.Option(help="Problems tolerated before nothing is written")] = 0,
    accept_partial: Annotated[
        bool, typer.Option(help="Publish the good rows; the others are kept apart with their reasons")
    ] = False,
    rejected_out: Annotated[
        Path | None, typer.Option("--rejected-out", help="Where to save the rows left out (CSV)")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel: the sheet to read (default: the first)")] = None,
    korean: Annotated[bool, typer.Option("--ko", help="Messages in Korean")] = False,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Read FILE through MAPPING into a dataset version of standard data, in one step: whole, or not at all."""
    import httpx

    if not title and not dataset_id:
        _fail("say which dataset", "pass --title for a new dataset or --id to add a version")
    rules = mapping.read_text("utf-8")
    with _client(data_dir) as client:
        try:
            result = client.ingest(
                file,
                rules,
                title=title,
                dataset_id=dataset_id,
                description=description,
                max_errors=max_errors,
                accept_partial=accept_partial,
                sheet=sheet,
            )
        except ApiError as exc:
            report = exc.error.get("details", {}).get("report")
            if report:
                _print_report(report, korean)
            _fail(str(exc))
        except httpx.ConnectError:
            _fail("the connector is not running", "start it with `sangsaeng serve`")
        except httpx.HTTPError as exc:
            _fail(f"the connector did not answer: {exc or type(exc).__name__}", "it may still be working")
        dataset = result["dataset"]
        if result["unchanged"]:
            console.print(
                f"[green]✓[/] {file.name} was ingested through this mapping before: dataset [bold]{dataset['id']}[/] "
                f"version {dataset['version']} holds it",
                soft_wrap=True,
            )
            return
        _print_report(result["report"], korean)
        console.print(
            f"[green]✓[/] dataset [bold]{dataset['id']}[/] version {dataset['version']} ({dataset['entity']}): "
            f"{result['rowsWritten']} rows",
            soft_wrap=True,
        )
        if result["rowsRejected"]:
            target = rejected_out or Path(f"{file.stem}.rejected.csv")
            target.write_bytes(_run(lambda: client.rejected_rows(dataset["id"])))
            console.print(f"  {result['rowsRejected']} rows left out → {target}", soft_wrap=True)


def _print_report(report: dict[str, Any], korean: bool = False) -> None:
    """Counts per problem, then the examples by row and field."""
    for code, count in report["counts"].items():
        console.print(f"  {code}: {count}")
    for finding in report["findings"]:
        text = finding["message_ko"] if korean else finding["message"]
        console.print(f"  row {finding['row']}: {text}", soft_wrap=True, markup=False)  # the text names the field


@dataset_app.command("list")
def dataset_list(data_dir: DataDir = Path(".sangsaeng")) -> None:
    """List this connector's datasets."""
    with _client(data_dir) as client:
        datasets = _run(lambda: client.get("/datasets", limit=1000))
    table = Table("title", "version", "rows")
    table.add_column("id", overflow="fold")  # ids are copied from here: never cut them short
    for d in datasets:
        table.add_row(d["title"], str(d["version"]), str(d["rows"]), d["id"])
    console.print(table)


def _json_argument(value: str, what: str) -> Any:
    """JSON given as text, or as the path of a file holding it."""
    if value.lstrip().startswith(("{", "[")):
        text = value
    else:
        path = Path(value)
        if not path.is_file():
            _fail(f"no {what} file {value}", "pass a JSON file, or the JSON itself")
        text = path.read_text("utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        _fail(f"the {what} is not JSON: {exc}", "pass a file path or a JSON object")


def _pairs(values: list[str], what: str) -> dict[str, list[str]]:
    """NAME=VALUE options (repeatable; a name given twice collects both values)."""
    found: dict[str, list[str]] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name or not value:
            _fail(f"{what} {item!r} is not NAME=VALUE", f"e.g. --{what} tier=tier1")
        found.setdefault(name.strip(), []).append(value.strip())
    return found


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
        _fail("give --policy or --template", "`sangsaeng offer templates` lists the templates")
    if visible_to and access_policy is not None:
        _fail("give --visible-to or --access-policy, not both", "--visible-to P is an access policy naming P")
    body: dict[str, Any] = {"datasetId": dataset_id, "id": offer_id}
    if visible_to:
        from sangsaeng.policy import access

        body["accessPolicy"] = access.visible_to(visible_to)
    elif access_policy is not None:
        body["accessPolicy"] = _json_argument(access_policy, "access-policy")
    if policy is not None:
        body["policy"] = _json_argument(policy, "policy")
    else:
        body["template"] = template
        body["parameters"] = {k: ",".join(v) for k, v in _pairs(param, "param").items()}
    with _client(data_dir) as client:
        offer = _run(lambda: client.post("/offers", body))
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
    with _client(data_dir) as client:
        listed = _run(lambda: client.get("/templates"))
    for t in listed:
        console.print(f"[bold]{t['name']}[/] — {t['title']} / {t['titleKo']}", soft_wrap=True)
        console.print(f"  {t['description']}", soft_wrap=True)
        for p in t["parameters"]:
            default = f" (default {p['default']})" if p["default"] else ""
            console.print(f"  --param {p['name']}=…  {p['description']}{default}", soft_wrap=True, markup=False)


@policy_app.command("explain")
def policy_explain(
    consumer: Annotated[str, typer.Option(help="The participant asking")],
    offer: Annotated[str | None, typer.Option(help="An offer of this connector")] = None,
    agreement: Annotated[str | None, typer.Option(help="An agreement of this connector")] = None,
    policy: Annotated[str | None, typer.Option(help="A policy: a JSON file, or JSON text")] = None,
    purpose: Annotated[str | None, typer.Option(help="The purpose it declares")] = None,
    attr: Annotated[
        list[str], typer.Option(help="A credential attribute it holds, NAME=VALUE, e.g. tier=tier1 (repeatable)")
    ] = [],  # noqa: B006
    fields: Annotated[str | None, typer.Option(help="The fields it would read, comma-separated")] = None,
    operation: Annotated[str, typer.Option(help="read, aggregate, derive or distribute")] = "read",
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Would CONSUMER be allowed, now, and why (not)? Decides as the connector would, without touching data."""
    body: dict[str, Any] = {
        "offerId": offer,
        "agreementId": agreement,
        "policy": _json_argument(policy, "policy") if policy else None,
        "consumer": consumer,
        "purpose": purpose,
        "attributes": _pairs(attr, "attr"),
        "fields": [f.strip() for f in fields.split(",")] if fields else None,
        "operation": operation,
    }
    with _client(data_dir) as client:
        answer = _run(lambda: client.post("/policy/explain", body))
    verdict = "[bold green]✓ allowed[/]" if answer["permit"] else "[bold red]✗ not allowed[/]"
    console.print(f"{verdict}: {consumer}, {operation}" + (f", for {purpose}" if purpose else ""), soft_wrap=True)
    for reason in answer["reasons"]:
        console.print(f"  {reason}", soft_wrap=True, markup=False)
    if answer["permit"]:
        if answer["withheldFields"]:
            console.print(f"  withheld: {', '.join(answer['withheldFields'])}", soft_wrap=True)
        for duty in answer["duties"]:
            console.print(f"  duty: {duty}", soft_wrap=True)
    else:
        raise typer.Exit(1)


@rights_app.command("show")
def rights_show(
    dataset_id: Annotated[str, typer.Argument(help="A dataset of this connector")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Who generated DATASET_ID, what it was made from under which agreements, and who received it."""
    with _client(data_dir) as client:
        record = _run(lambda: client.get(f"/datasets/{dataset_id}/rights"))
    console.print(f"[bold]{record['title']}[/] {record['dataset']}", soft_wrap=True)
    console.print(f"  generated by: {', '.join(record['generators'])}", soft_wrap=True)
    if not record["sources"]:
        console.print("  made from: its generators' own data")
    for source in record["sources"]:
        console.print(
            f"  made from ({source['operation']}): {source['dataset']} of {source['provider']}, "
            f"agreement {source['agreement']}",
            soft_wrap=True,
        )
        for line in source["restrictions"]:
            console.print(f"    {line}", soft_wrap=True, markup=False)
    if not record["recipients"]:
        console.print("  received by: nobody yet")
    for r in record["recipients"]:
        ended = f", ended {r['terminated']}" if r["terminated"] else ""
        console.print(
            f"  received by: {r['participant']} under {r['agreement']} ({r['purpose'] or 'no purpose'}), "
            f"{r['uses']} use(s){ended}",
            soft_wrap=True,
        )


@dataset_app.command("derive")
def dataset_derive(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The derived data, CSV or Parquet")],
    source: Annotated[list[str], typer.Option(help="An agreement the data was obtained under (repeatable)")],
    title: Annotated[str, typer.Option(help="What the dataset is, in a few words")],
    operation: Annotated[str, typer.Option(help="copy, aggregate, join or derive")] = "derive",
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Register FILE as data made from received data: it carries its sources' terms, and offers on it are held to
    them."""
    with _client(data_dir) as client:
        dataset = _run(lambda: client.derive(file, title, source, operation))
    console.print(f"[green]✓[/] dataset [bold]{dataset['id']}[/], made from {', '.join(source)}", soft_wrap=True)


@credential_app.command("issue")
def credential_issue(
    subject: Annotated[str, typer.Option(help="The participant the credential is about")],
    attr: Annotated[list[str], typer.Option(help="What it attests, NAME=VALUE, e.g. tier=tier1 (repeatable)")],
    days: Annotated[int, typer.Option(min=1, max=3650, help="How long it is valid")] = 365,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """As an issuer (the hub, an association), sign a credential for SUBJECT with this connector's key; prints it."""
    from datetime import UTC, datetime, timedelta

    from sangsaeng.identity import credentials
    from sangsaeng.identity.keys import load_private_key

    settings = _settings(data_dir)
    if not settings.participant_id:
        _fail(f"{data_dir} holds no connector", "run `sangsaeng init` first, or pass --data-dir")
    try:
        token = credentials.issue(
            load_private_key(settings.key_path),
            settings.participant_id,
            subject,
            _pairs(attr, "attr"),
            datetime.now(UTC),
            timedelta(days=days),
        )
    except SangsaengError as exc:
        _fail(exc.message, exc.hint)
    print(token)


@credential_app.command("add")
def credential_add(
    token: Annotated[str, typer.Argument(help="The credential an issuer gave this connector")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Keep a signed credential; the connector presents it to providers from its next request on."""
    with _client(data_dir) as client:
        kept = _run(lambda: client.post("/credentials", {"token": token}))
    shown = ", ".join(f"{k}={'/'.join(v)}" for k, v in kept["attributes"].items())
    console.print(f"[green]✓[/] credential from {kept['issuer']}: {shown}", soft_wrap=True)


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Where the demo keeps its connectors")] = Path("demo-data"),
    rows: Annotated[int, typer.Option(help="Inspection records to generate")] = 5000,
    keep_serving: Annotated[bool, typer.Option(help="Keep both connectors running until Ctrl-C")] = True,
) -> None:
    """Two companies on loopback: a supplier publishes inspection data, an OEM negotiates and pulls it."""
    from sangsaeng.demo.run import run_demo

    sys.exit(run_demo(workdir, rows, keep_serving, console))


from sangsaeng.cli import exchange  # noqa: E402 - these use the helpers above
from sangsaeng.cli.audit import audit_app  # noqa: E402
from sangsaeng.cli.catenax import catenax_app  # noqa: E402
from sangsaeng.cli.pact import pact_app  # noqa: E402
from sangsaeng.cli.standard import aas_app, map_app  # noqa: E402
from sangsaeng.cli.streams import stream_app  # noqa: E402
from sangsaeng.cli.users import user_app  # noqa: E402

exchange.register(app)
app.add_typer(map_app, name="map")
app.add_typer(aas_app, name="aas")
app.add_typer(catenax_app, name="catenax")
app.add_typer(audit_app, name="audit")
app.add_typer(stream_app, name="stream")
app.add_typer(user_app, name="user")
app.add_typer(pact_app, name="pact")

if __name__ == "__main__":
    app()

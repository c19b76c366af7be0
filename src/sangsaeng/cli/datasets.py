"""``sangsaeng dataset add|ingest|list|unlist|relist|derive``: the datasets this connector publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.table import Table

from sangsaeng.cli.common import DataDir, call, client_of, console, fail, korean_asked, say
from sangsaeng.client import ApiError

dataset_app = typer.Typer(help="Datasets this connector publishes.", no_args_is_help=True)


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
    with client_of(data_dir) as client:
        if dataset_id:
            existing = call(lambda: client.get("/datasets", limit=1000))
            if any(d["id"] == dataset_id for d in existing):
                dataset = call(lambda: client.add_version(dataset_id, file))
            else:
                dataset = call(lambda: client.add_dataset(file, title, description, dataset_id, co_generator))
        else:
            dataset = call(lambda: client.add_dataset(file, title, description, co_generators=co_generator))
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
        fail("say which dataset", "pass --title for a new dataset or --id to add a version")
    rules = mapping.read_text("utf-8")
    with client_of(data_dir) as client:
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
            fail(str(exc))
        except httpx.ConnectError:
            fail("the connector is not running", "start it with `sangsaeng serve`")
        except httpx.HTTPError as exc:
            fail(f"the connector did not answer: {exc or type(exc).__name__}", "it may still be working")
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
            target.write_bytes(call(lambda: client.rejected_rows(dataset["id"])))
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
    with client_of(data_dir) as client:
        datasets = call(lambda: client.get("/datasets", limit=1000))
    table = Table("title", "version", "rows")
    table.add_column("id", overflow="fold")  # ids are copied from here: never cut them short
    for d in datasets:
        table.add_row(d["title"], str(d["version"]), str(d["rows"]), d["id"])
    console.print(table)


@dataset_app.command("unlist")
def dataset_unlist(
    dataset_id: Annotated[str, typer.Argument(help="The dataset the hub should no longer list")],
    data_dir: DataDir = Path(".sangsaeng"),
    korean: Annotated[bool | None, typer.Option("--ko/--en", help="Messages in Korean or English")] = None,
) -> None:
    """Keep a dataset out of the dataspace hub's catalog search (partners who ask us still see its offers)."""
    _list_at_hub(dataset_id, False, data_dir, korean)


@dataset_app.command("relist")
def dataset_relist(
    dataset_id: Annotated[str, typer.Argument(help="The dataset the hub may list again")],
    data_dir: DataDir = Path(".sangsaeng"),
    korean: Annotated[bool | None, typer.Option("--ko/--en", help="Messages in Korean or English")] = None,
) -> None:
    """Let the dataspace hub list a dataset in its catalog search again (the default)."""
    _list_at_hub(dataset_id, True, data_dir, korean)


def _list_at_hub(dataset_id: str, listed: bool, data_dir: Path, korean: bool | None) -> None:
    with client_of(data_dir) as client:
        found = call(lambda: client.patch(f"/datasets/{quote(dataset_id, safe=':')}", {"listedAtHub": listed}))
    key = "dataset.hub.listed" if listed else "dataset.hub.unlisted"
    console.print(say(key, korean_asked(korean), title=found["title"]), soft_wrap=True, markup=False)


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
    with client_of(data_dir) as client:
        dataset = call(lambda: client.derive(file, title, source, operation))
    console.print(f"[green]✓[/] dataset [bold]{dataset['id']}[/], made from {', '.join(source)}", soft_wrap=True)

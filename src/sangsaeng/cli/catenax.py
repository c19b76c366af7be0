"""``catenax export parts|bom|usage`` and ``catenax import``: canonical Parquet files to Catena-X aspects, one JSON
file per document (the envelope with its semantic id), and such files back to canonical Parquet.

Both work on files alone, with no connector running, and write whole or not at all: every record is checked
before anything is written (an export says, per field, what the release still needs), the output is made in a
hidden folder beside OUT and renamed to OUT only when complete. Messages are in Korean with ``--ko`` or when
LANG (or LC_ALL) starts with ``ko``.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.markup import escape

from sangsaeng.cli.common import DataDir, console, err, korean_asked, say
from sangsaeng.errors import InvalidInput, SangsaengError
from sangsaeng.i18n.refusals import refusal
from sangsaeng.standard.catenax.releases import Aspect
from sangsaeng.standard.entities import BomLink, Entity, PartInstance, PartType

MAX_DEPTH = 32  # the connector's default max_json_depth; an aspect nests four levels
E = TypeVar("E", bound=Entity)

catenax_app: typer.Typer = typer.Typer(
    help="Catena-X traceability aspects (SerialPart, Batch, SingleLevelBomAsBuilt, SingleLevelUsageAsBuilt) "
    "from and to canonical data.",
    no_args_is_help=True,
)
export_app = typer.Typer(help="Canonical Parquet → one Catena-X JSON document per file.", no_args_is_help=True)
catenax_app.add_typer(export_app, name="export")

Out = Annotated[
    Path, typer.Option("--out", "-o", help="The folder to make (new or empty); nothing is in it unless all is")
]
ReleaseOption = Annotated[
    str | None,
    typer.Option(
        "--release", help="The release to write: 4.0.0 (default) or 3.x (3.0.1 parts, 3.0.0 BOMs; 3 for either)"
    ),
]
Korean = Annotated[
    bool | None,
    typer.Option("--ko/--en", help="Messages in Korean or English (default: from LANG)", show_default=False),
]
Zone = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="Where the company works (IANA name): a production date is the day there. "
        "Default: the connector's setting `timezone` (Asia/Seoul when none is set)",
    ),
]


def _refuse(exc: SangsaengError, korean: bool) -> NoReturn:
    """Say what is wrong, where and how to fix it, in the language asked, and stop."""
    message, hint = exc.message, exc.hint
    if korean:
        message = exc.details.get("message_ko") or exc.details.get("messageKo") or message
        hint = exc.details.get("hint_ko") or exc.details.get("hintKo") or hint
    err.print(f"[bold red]{say('refusal.error', korean)}:[/] {escape(message)}", soft_wrap=True)
    if exc.position:
        err.print(f"  [dim]{say('refusal.at', korean)}:[/] {escape(exc.position)}", soft_wrap=True)
    if hint:
        err.print(f"  [dim]{say('refusal.hint', korean)}:[/] {escape(hint)}", soft_wrap=True)
    raise typer.Exit(2)


def _said(key: str, **values: Any) -> InvalidInput:
    """A refusal in both languages: the ``cli`` catalog's ``catenax.KEY``, and ``catenax.KEY.hint`` where it has one."""
    return refusal("cli", f"catenax.{key}", **values)


def _zone(given: str | None, data_dir: Path, korean: bool) -> str:
    """The time zone asked for, else the connector's setting (its default, Asia/Seoul, when there is none)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from pydantic import ValidationError

    from sangsaeng.settings import Settings

    if given is None:
        try:
            return Settings(data_dir=data_dir).timezone
        except ValidationError as exc:
            _refuse(_said("settings-invalid", data_dir=data_dir, problem=exc.errors()[0]["msg"]), korean)
    try:
        ZoneInfo(given)
    except (ZoneInfoNotFoundError, ValueError):
        _refuse(_said("zone-unknown", zone=given), korean)
    return given


def _records(path: Path, model: type[E], korean: bool) -> list[E]:
    """The records of a canonical Parquet file of ``model``'s entity (upgraded to its current version)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from pydantic import ValidationError

    from sangsaeng.standard.versions import read_table, stored_version

    try:
        stored = stored_version(pq.read_schema(path))
        rows = read_table(path).to_pylist()
    except (pa.ArrowInvalid, OSError) as exc:
        _refuse(_said("not-parquet", name=path.name, problem=exc), korean)
    if stored is not None and stored[0] != model.entity:
        _refuse(_said("wrong-entity", name=path.name, stored=stored[0], entity=model.entity), korean)
    found = []
    for row, values in enumerate(rows, 1):
        try:
            found.append(model.model_validate(values))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"]))
            said = {"name": path.name, "row": row, "entity": model.entity, "where": where, "problem": first["msg"]}
            problem = _said("unreadable-record", **said)
            problem.position = f"{path.name}: record {row}, {where}"
            _refuse(problem, korean)
    if not found:
        _refuse(_said("no-records", name=path.name), korean)
    return found


@contextmanager
def _whole_folder(out: Path, korean: bool) -> Iterator[Path]:
    """A hidden folder beside ``out`` to write into; it becomes ``out`` when the block ends, else is removed."""
    import shutil

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        _refuse(_said("folder-not-empty", out=out), korean)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.parent / f".{out.name}.{uuid.uuid4().hex}.partial"
    temporary.mkdir()
    try:
        yield temporary
        os.replace(temporary, out)  # a rename: whole, or (when OUT appeared meanwhile, not empty) refused
    except OSError as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        _refuse(_said("cannot-write", out=out, problem=exc), korean)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _refuse_shortfalls(shortfalls: Sequence[Any], korean: bool) -> NoReturn:
    """Every field a release still needs: its label, how many records, the release, and how to give it."""
    said, why = say("catenax.nothing-exported", korean), say("catenax.nothing-exported.why", korean)
    err.print(f"[bold red]{said}:[/] {why}")
    for shortfall in shortfalls:
        need = shortfall.need
        err.print(f"  {shortfall.text(korean)} [{need.entity}.{need.field}]", soft_wrap=True, markup=False)
        err.print(f"      → {shortfall.hint(korean)}", soft_wrap=True, markup=False, style="dim")
    raise typer.Exit(1)


def _write(out: Path, documents: Iterator[tuple[str, Aspect]], korean: bool) -> Counter[str]:
    """Each document's envelope into its file of a folder that becomes ``out`` when all are written."""
    import orjson

    written: Counter[str] = Counter()
    with _whole_folder(out, korean) as folder:
        try:
            for name, aspect in documents:
                # UTF-8, indented; the writers admit no NaN or infinity (orjson would write null), so none is here
                text = orjson.dumps(aspect.envelope(), option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
                with (folder / name).open("xb") as file:
                    file.write(text)
                written[str(aspect.release)] += 1
        except SangsaengError as exc:
            _refuse(exc, korean)
    return written


def _done(written: Counter[str], out: Path, korean: bool) -> None:
    counts = ", ".join(say("catenax.written", korean, count=n, release=release) for release, n in written.items())
    console.print(f"[green]✓[/] {escape(counts)} → {escape(str(out))}", soft_wrap=True)


@export_app.command("parts")
def export_parts(
    instances: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Canonical part instances (Parquet, from `map ingest`)")
    ],
    types: Annotated[Path, typer.Option("--types", exists=True, dir_okay=False, help="Canonical part types (Parquet)")],
    out: Out,
    manufacturer: Annotated[
        str | None, typer.Option(help="The manufacturer's BPNL, written as each part's manufacturerId")
    ] = None,
    release: ReleaseOption = None,
    timezone: Zone = None,
    korean: Korean = None,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """One SerialPart (serial parts) or Batch (batches) per part instance, named by its serial or batch number
    (else its global asset id)."""
    from sangsaeng.standard.catenax.export import part_documents, part_shortfalls, types_of, unique_parts
    from sangsaeng.standard.catenax.values import is_bpnl

    ko = korean_asked(korean)
    zone = _zone(timezone, data_dir, ko)
    if manufacturer is not None and not is_bpnl(manufacturer):
        _refuse(_said("not-bpnl", manufacturer=manufacturer), ko)
    parts, kinds = _records(instances, PartInstance, ko), _records(types, PartType, ko)
    try:
        unique_parts(parts)
        of_type = types_of(parts, kinds)
        shortfalls = part_shortfalls(parts, of_type, release)
    except SangsaengError as exc:
        _refuse(exc, ko)
    if shortfalls:
        _refuse_shortfalls(shortfalls, ko)
    documents = part_documents(parts, of_type, manufacturer=manufacturer, version=release, zone=zone)
    _done(_write(out, documents, ko), out, ko)


def _export_links(links_file: Path, aspect: str, out: Path, release: str | None, korean: bool) -> None:
    from sangsaeng.standard.catenax.export import bom_documents, link_shortfalls, usage_documents
    from sangsaeng.standard.catenax.releases import BOM

    links = _records(links_file, BomLink, korean)
    try:
        shortfalls = link_shortfalls(aspect, links, release)
    except SangsaengError as exc:
        _refuse(exc, korean)
    if shortfalls:
        _refuse_shortfalls(shortfalls, korean)
    documents = (bom_documents if aspect == BOM else usage_documents)(links, version=release)
    _done(_write(out, documents, korean), out, korean)


LinksFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Canonical as-built BOM links (Parquet)")]


@export_app.command("bom")
def export_bom(links: LinksFile, out: Out, release: ReleaseOption = None, korean: Korean = None) -> None:
    """One SingleLevelBomAsBuilt per parent (its children), named by the parent's global asset id."""
    _export_links(links, "SingleLevelBomAsBuilt", out, release, korean_asked(korean))


@export_app.command("usage")
def export_usage(links: LinksFile, out: Out, release: ReleaseOption = None, korean: Korean = None) -> None:
    """One SingleLevelUsageAsBuilt per child (the parents it was built into), named by the child's global asset
    id: for tracing a recall upward."""
    _export_links(links, "SingleLevelUsageAsBuilt", out, release, korean_asked(korean))


def _sources(given: Sequence[Path], korean: bool) -> list[Path]:
    """The files to read: each file given, and the ``.json`` files of each folder given (by name)."""
    files: list[Path] = []
    for path in given:
        found = (
            sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".json")
            if path.is_dir()
            else [path]
        )
        if not found:
            _refuse(_said("no-json", path=path), korean)
        files += found
    return files


def _documents(path: Path, korean: bool) -> list[tuple[str, Any]]:
    """(where, document) of a file: one document, or a JSON array of them; strict JSON, refused with the file's
    name and the line and column (or the JSON path) of the problem."""
    from sangsaeng.encoding.strict import read_json

    try:
        document = read_json(path.read_bytes(), MAX_DEPTH, InvalidInput)
    except SangsaengError as exc:
        problem = _said("not-json", path=path, problem=exc.message)
        problem.position = f"{path}: {exc.position}"
        _refuse(problem, korean)
    if isinstance(document, list):
        return [(f"{path}[{index}]", item) for index, item in enumerate(document)]
    return [(str(path), document)]


def catenax_import(
    sources: Annotated[
        list[Path], typer.Argument(exists=True, help="Catena-X JSON files, or folders of them (their .json files)")
    ],
    out: Out,
    aspect: Annotated[
        str | None,
        typer.Option(
            "--aspect",
            help="The semantic id of bare documents (without the envelope), e.g. "
            "urn:samm:io.catenax.serial_part:4.0.0#SerialPart",
        ),
    ] = None,
    timezone: Zone = None,
    korean: Korean = None,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Read Catena-X documents (envelopes, or bare with --aspect) into canonical Parquet files in OUT:
    part_instance, part_type and bom_link, each record once (what several documents say of it, merged)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sangsaeng.standard.catenax.gather import Gathered
    from sangsaeng.standard.entities import ENTITIES, arrow_schema

    ko = korean_asked(korean)
    zone = _zone(timezone, data_dir, ko)
    gathered = Gathered()
    for path in _sources(sources, ko):
        for where, document in _documents(path, ko):
            try:
                gathered.add(document, where, aspect, zone)
            except SangsaengError as exc:
                _refuse(exc, ko)
    records = gathered.records()
    if not records:
        _refuse(_said("no-record"), ko)
    with _whole_folder(out, ko) as folder:
        for entity, found in records.items():
            schema = arrow_schema(ENTITIES[entity])
            table = pa.Table.from_pylist([record.model_dump() for record in found], schema=schema)
            pq.write_table(table, folder / f"{entity}.parquet", compression="zstd")
    _imported(gathered, records, out, ko)


def _imported(gathered: Any, records: dict[str, list[Entity]], out: Path, korean: bool) -> None:
    read = sum(gathered.documents.values())
    files = ", ".join(
        say("catenax.imported-file", korean, file=f"{entity}.parquet", count=len(found))
        for entity, found in records.items()
    )
    said = say("catenax.imported", korean, count=read, out=escape(str(out)), files=escape(files))
    console.print(f"[green]✓[/] {said}", soft_wrap=True)
    if gathered.manufacturers:
        said = say("catenax.manufacturers-not-kept", korean, count=gathered.manufacturers)
        console.print(f"  {said}", soft_wrap=True, markup=False)
    if gathered.customers_alone:
        said = say("catenax.customers-not-kept", korean, count=gathered.customers_alone)
        console.print(f"  {said}", soft_wrap=True, markup=False)


catenax_app.command("import")(catenax_import)

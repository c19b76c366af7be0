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

from sangsaeng.cli.main import DataDir, console, err
from sangsaeng.errors import InvalidInput, SangsaengError
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


def _korean(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    return (os.environ.get("LC_ALL") or os.environ.get("LANG") or "").lower().startswith("ko")


def _refuse(exc: SangsaengError, korean: bool) -> NoReturn:
    """Say what is wrong, where and how to fix it, in the language asked, and stop."""
    message, hint = exc.message, exc.hint
    if korean:
        message = exc.details.get("message_ko") or exc.details.get("messageKo") or message
        hint = exc.details.get("hint_ko") or exc.details.get("hintKo") or hint
    err.print(f"[bold red]{'오류' if korean else 'error'}:[/] {escape(message)}", soft_wrap=True)
    if exc.position:
        err.print(f"  [dim]{'위치' if korean else 'at'}:[/] {escape(exc.position)}", soft_wrap=True)
    if hint:
        err.print(f"  [dim]{'해결' if korean else 'hint'}:[/] {escape(hint)}", soft_wrap=True)
    raise typer.Exit(2)


def _said(message: str, message_ko: str, hint: str | None = None, hint_ko: str | None = None) -> InvalidInput:
    details = {"message_ko": message_ko} | ({"hint_ko": hint_ko} if hint_ko else {})
    return InvalidInput(message, hint=hint, details=details)


def _zone(given: str | None, data_dir: Path, korean: bool) -> str:
    """The time zone asked for, else the connector's setting (its default, Asia/Seoul, when there is none)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from pydantic import ValidationError

    from sangsaeng.settings import Settings

    if given is None:
        try:
            return Settings(data_dir=data_dir).timezone
        except ValidationError as exc:
            _refuse(
                _said(
                    f"the connector settings in {data_dir} are not valid: {exc.errors()[0]['msg']}",
                    f"{data_dir}의 커넥터 설정이 올바르지 않습니다: {exc.errors()[0]['msg']}",
                    "pass --timezone, or correct the settings (docs/settings.md)",
                    "--timezone을 주거나 설정을 고치세요 (docs/settings.md)",
                ),
                korean,
            )
    try:
        ZoneInfo(given)
    except (ZoneInfoNotFoundError, ValueError):
        _refuse(
            _said(
                f"unknown time zone {given!r}",
                f"알 수 없는 시간대 {given!r}",
                "give an IANA name such as Asia/Seoul",
                "Asia/Seoul 같은 IANA 이름을 주세요",
            ),
            korean,
        )
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
        _refuse(
            _said(f"{path.name} is not a Parquet file: {exc}", f"{path.name}은(는) Parquet 파일이 아닙니다"), korean
        )
    if stored is not None and stored[0] != model.entity:
        _refuse(
            _said(
                f"{path.name} holds {stored[0]} records, not {model.entity}",
                f"{path.name}에는 {model.entity}가 아니라 {stored[0]} 기록이 있습니다",
                "give the file `map ingest` wrote for this entity",
                "이 엔티티로 `map ingest`한 파일을 주세요",
            ),
            korean,
        )
    found = []
    for row, values in enumerate(rows, 1):
        try:
            found.append(model.model_validate(values))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"]))
            problem = _said(
                f"{path.name}, record {row}: {where}: {first['msg']}",
                f"{path.name} {row}번째 기록의 {where} 값을 {model.entity} 기록으로 읽을 수 없습니다",
                "give the canonical Parquet file `map ingest` wrote",
                "`map ingest`가 쓴 표준 Parquet 파일을 주세요",
            )
            problem.position = f"{path.name}: record {row}, {where}"
            _refuse(problem, korean)
    if not found:
        _refuse(_said(f"{path.name} holds no records", f"{path.name}에 기록이 없습니다"), korean)
    return found


@contextmanager
def _whole_folder(out: Path, korean: bool) -> Iterator[Path]:
    """A hidden folder beside ``out`` to write into; it becomes ``out`` when the block ends, else is removed."""
    import shutil

    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        _refuse(
            _said(
                f"{out} already exists and is not an empty folder",
                f"{out}가 이미 있고 빈 폴더가 아닙니다",
                "name a new folder with --out",
                "--out에 새 폴더를 주세요",
            ),
            korean,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.parent / f".{out.name}.{uuid.uuid4().hex}.partial"
    temporary.mkdir()
    try:
        yield temporary
        os.replace(temporary, out)  # a rename: whole, or (when OUT appeared meanwhile, not empty) refused
    except OSError as exc:
        shutil.rmtree(temporary, ignore_errors=True)
        _refuse(_said(f"could not write {out}: {exc}", f"{out}에 쓸 수 없습니다: {exc}"), korean)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _refuse_shortfalls(shortfalls: Sequence[Any], korean: bool) -> NoReturn:
    """Every field a release still needs: its label, how many records, the release, and how to give it."""
    if korean:
        err.print("[bold red]내보내지 않았습니다:[/] 릴리스에 꼭 필요한 값이 없습니다 (아무것도 쓰지 않았습니다)")
    else:
        err.print("[bold red]nothing exported:[/] the records lack what the release requires (nothing was written)")
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
    if korean:
        counts = ", ".join(f"{release} {n}건" for release, n in written.items())
    else:
        counts = ", ".join(f"{n} {release}" for release, n in written.items())
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

    ko = _korean(korean)
    zone = _zone(timezone, data_dir, ko)
    if manufacturer is not None and not is_bpnl(manufacturer):
        _refuse(
            _said(
                f"the manufacturer {manufacturer!r} is not a BPNL",
                f"제조사 {manufacturer!r}는 BPNL 번호가 아닙니다",
                "give the manufacturer's BPNL: BPNL and 12 letters or digits",
                "제조사의 BPNL 번호(BPNL 뒤에 영문·숫자 12자)를 주세요",
            ),
            ko,
        )
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
    _export_links(links, "SingleLevelBomAsBuilt", out, release, _korean(korean))


@export_app.command("usage")
def export_usage(links: LinksFile, out: Out, release: ReleaseOption = None, korean: Korean = None) -> None:
    """One SingleLevelUsageAsBuilt per child (the parents it was built into), named by the child's global asset
    id: for tracing a recall upward."""
    _export_links(links, "SingleLevelUsageAsBuilt", out, release, _korean(korean))


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
            _refuse(
                _said(
                    f"{path} holds no .json file", f"{path}에 .json 파일이 없습니다", "give the folder an export made"
                ),
                korean,
            )
        files += found
    return files


def _documents(path: Path, korean: bool) -> list[tuple[str, Any]]:
    """(where, document) of a file: one document, or a JSON array of them; strict JSON, refused with the file's
    name and the line and column (or the JSON path) of the problem."""
    from sangsaeng.encoding.strict import read_json

    try:
        document = read_json(path.read_bytes(), MAX_DEPTH, InvalidInput)
    except SangsaengError as exc:
        problem = _said(
            f"{path}: not a JSON document: {exc.message}",
            f"{path}: JSON 문서로 읽을 수 없습니다: {exc.message}",
            "give the file as an export wrote it: one JSON document (or an array of them) in UTF-8",
            "내보낸 그대로의 파일을 주세요: UTF-8로 된 JSON 문서 하나(또는 그 배열)",
        )
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

    ko = _korean(korean)
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
        _refuse(_said("the documents hold no record", "문서에 가져올 기록이 없습니다"), ko)
    with _whole_folder(out, ko) as folder:
        for entity, found in records.items():
            schema = arrow_schema(ENTITIES[entity])
            table = pa.Table.from_pylist([record.model_dump() for record in found], schema=schema)
            pq.write_table(table, folder / f"{entity}.parquet", compression="zstd")
    _imported(gathered, records, out, ko)


def _imported(gathered: Any, records: dict[str, list[Entity]], out: Path, korean: bool) -> None:
    read = sum(gathered.documents.values())
    if korean:
        counts = ", ".join(f"{entity}.parquet {len(found)}건" for entity, found in records.items())
        console.print(f"[green]✓[/] 문서 {read}개 → {escape(str(out))}: {escape(counts)}", soft_wrap=True)
    else:
        counts = ", ".join(f"{entity}.parquet ({len(found)})" for entity, found in records.items())
        console.print(f"[green]✓[/] {read} document(s) → {escape(str(out))}: {escape(counts)}", soft_wrap=True)
    if gathered.manufacturers:
        console.print(
            f"  참고: 부품 {gathered.manufacturers}건의 제조사 ID(manufacturerId)는 "
            "표준 기록에 둘 곳이 없어 옮기지 않았습니다"
            if korean
            else f"  note: the manufacturer's id (manufacturerId) of {gathered.manufacturers} part(s) is not kept: "
            "no canonical record holds it",
            soft_wrap=True,
            markup=False,
        )
    if gathered.customers_alone:
        console.print(
            f"  참고: 상위 부품 없이 적힌 고객사 {gathered.customers_alone}곳은 BOM 구성이 아니어서 옮기지 않았습니다"
            if korean
            else f"  note: {gathered.customers_alone} customer(s) named without their parent items are not kept: "
            "a canonical BOM link needs the parent",
            soft_wrap=True,
            markup=False,
        )


catenax_app.command("import")(catenax_import)

"""``sangsaeng aas export``: equipment and its time series as Asset Administration Shells, for AAS tools.

It works on files alone, with no connector running.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import console, fail, korean_asked
from sangsaeng.errors import SangsaengError

aas_app = typer.Typer(
    help="Asset Administration Shells: equipment and its time series for AAS tools.", no_args_is_help=True
)


@aas_app.command("export")
def aas_export(
    equipment: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Canonical equipment (Parquet, from `map ingest`)")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="The .aasx package or .json environment to write")],
    measurements: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Canonical measurements (Parquet) to add as time series"),
    ] = None,
    signal_names: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="YAML or JSON: what people call each signal, {signal: {ko: …, en: …, short: …}}; "
            "other signals get names derived from their ids",
        ),
    ] = None,
) -> None:
    """Write every piece of EQUIPMENT as an AAS shell (Nameplate, Technical Data, Time Series), verified.

    Each signal carries its names in Korean and English, its unit (a QUDT id) and quantity (IEC CDD, QUDT)."""
    import yaml

    from sangsaeng.standard.aas import SignalName, environment_to_aas, write_aasx
    from sangsaeng.standard.aas import signal_names as read_names
    from sangsaeng.standard.entities import Equipment, Measurement
    from sangsaeng.standard.versions import read_batches, read_table

    if out.suffix.lower() not in (".aasx", ".json"):
        fail(f"cannot tell what to write from {out.name}", "name the output .aasx or .json")
    names: dict[str, SignalName] = {}
    if signal_names is not None:
        korean = korean_asked()
        try:
            names = read_names(yaml.safe_load(signal_names.read_text("utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            fail(f"{signal_names.name} is not YAML or JSON: {exc}", "write {signal: {ko: …, en: …}}")
        except SangsaengError as exc:
            message, hint = exc.message, exc.hint
            if korean:
                message, hint = exc.details.get("messageKo", message), exc.details.get("hintKo", hint)
            fail(f"{signal_names.name}: {message}", hint)
    try:
        machines = [Equipment.model_validate(row) for row in read_table(equipment).to_pylist()]
        series: dict[str, list[Measurement]] = {m.id: [] for m in machines}
        if measurements is not None:
            for batch in read_batches(measurements, batch_rows=65_536):
                for row in batch.to_pylist():
                    if row["equipment"] not in series:
                        fail(f"{measurements.name} measures {row['equipment']}, which {equipment.name} does not list")
                    series[row["equipment"]].append(Measurement.model_validate(row))
        document = environment_to_aas([(m, series[m.id]) for m in machines], names)
    except SangsaengError as exc:
        fail(exc.message, exc.hint)
    except (ValueError, KeyError) as exc:  # not canonical data: pydantic names the field
        fail(f"not canonical data: {exc}", "give the Parquet files `map ingest` wrote")
    if out.suffix.lower() == ".aasx":
        write_aasx(document, out)
    else:
        out.write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")
    total = sum(len(v) for v in series.values())
    console.print(f"[green]✓[/] {len(machines)} shell(s), {total} measurement(s) → {out}", soft_wrap=True)

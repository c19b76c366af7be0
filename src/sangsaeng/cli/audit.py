"""``sangsaeng audit``: check this connector's tamper-evident log, export evidence, check a partner's log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sangsaeng.cli.common import DataDir, call, client_of, console, directory_of

audit_app: typer.Typer = typer.Typer(
    help="The tamper-evident log: check it, export evidence, check partners.", no_args_is_help=True
)


@audit_app.command("verify")
def audit_verify(data_dir: DataDir = Path(".sangsaeng")) -> None:
    """Re-check this connector's whole log: every hash, the chain of entries, every signed head."""
    with client_of(data_dir) as client:
        result = call(lambda: client.post("/audit/verify"))
    if result["valid"]:
        console.print(f"[bold green]✓ valid[/]: {result['size']} entries, {result['heads']} signed heads")
        return
    console.print(f"[bold red]✗ not valid[/]: first bad index {result['firstBadIndex']}")
    for finding in result["findings"]:
        console.print(f"  {finding}", soft_wrap=True, markup=False)
    raise typer.Exit(1)


@audit_app.command("evidence")
def audit_evidence(
    agreement: Annotated[str, typer.Option(help="The agreement the evidence is about")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the bundle")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Export the signed agreement, every log entry about it with inclusion proofs, the signed heads and the
    partner's heads we kept — one file, checked offline by `audit verify-bundle`."""
    with client_of(data_dir) as client:
        response = client.http.get("/audit/evidence", params={"agreement": agreement})
        if response.status_code != 200:
            call(lambda: client.raise_for(response))
    out.write_bytes(response.content)
    console.print(f"[green]✓[/] {out}", soft_wrap=True)


@audit_app.command("verify-bundle")
def audit_verify_bundle(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An evidence bundle")],
    directory: Annotated[
        Path | None, typer.Option(help="Participant directory with the public keys (default: the data directory's)")
    ] = None,
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Check an evidence bundle offline, with nothing but the participants' public keys."""
    from sangsaeng.audit.evidence import verify_bundle
    from sangsaeng.negotiation.signing import verify_export

    known = directory_of(directory, data_dir)
    result = verify_bundle(file.read_bytes(), known.keys_at, lambda document: verify_export(known, document))
    for finding in result.findings:
        console.print(f"  {finding}", soft_wrap=True, markup=False)
    if not result.valid:
        console.print("[bold red]✗ not valid[/]")
        raise typer.Exit(1)
    console.print("[bold green]✓ valid[/]: the evidence is complete and unaltered")


@audit_app.command("check-peer")
def audit_check_peer(
    peer: Annotated[str, typer.Argument(help="The partner whose log heads we kept")],
    data_dir: DataDir = Path(".sangsaeng"),
) -> None:
    """Ask PEER to prove that its log still extends every signed head of it that we kept."""
    with client_of(data_dir) as client:
        result = call(lambda: client.http.post("/audit/check-peer", params={"peer": peer}))
        result = call(lambda: client.check(result))
    for finding in result["findings"]:
        console.print(f"  {finding}", soft_wrap=True, markup=False)
    if not result["valid"]:
        console.print(f"[bold red]✗ {peer}'s log was rewritten[/]")
        raise typer.Exit(1)
    console.print(f"[bold green]✓[/] {peer}'s log extends all {result['checked']} heads we kept", soft_wrap=True)

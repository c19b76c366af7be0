"""AASX packages (IEC 63278 part 5 / IDTA 01005) through Eclipse BaSyx's OPC packager: the environment's JSON
inside, verified before it is packed and after it is read."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from sangsaeng.standard.aas.document import from_document
from sangsaeng.standard.said import refusal


def write_aasx(document: dict[str, Any], target: Path) -> None:
    """Pack an environment (as ``environment_to_aas`` makes it) into an AASX package: every shell with its
    submodels and concept descriptions, as JSON inside."""
    from basyx.aas.adapter import aasx
    from basyx.aas.adapter.json import read_aas_json_file

    from_document(document)  # verified before it is packed
    store = read_aas_json_file(io.StringIO(json.dumps(document)), failsafe=False)
    temporary = target.with_name(f".{target.name}.partial")
    files = aasx.DictSupplementaryFileContainer()  # type: ignore[no-untyped-call]
    try:
        with aasx.AASXWriter(temporary, failsafe=False) as writer:
            # Every object of the environment (write_aas would drop concept descriptions named by global ids).
            writer.write_all_aas_objects("/aasx/data.json", store, files, write_json=True)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def read_aasx(source: Path) -> dict[str, Any]:
    """The environment inside an AASX package, as JSON, verified."""
    from basyx.aas import model
    from basyx.aas.adapter import aasx
    from basyx.aas.adapter.json import write_aas_json_file

    store: model.DictIdentifiableStore[model.Identifiable] = model.DictIdentifiableStore()
    files = aasx.DictSupplementaryFileContainer()  # type: ignore[no-untyped-call]
    try:
        with aasx.AASXReader(source, failsafe=False) as reader:
            reader.read_into(store, files)
    except (ValueError, KeyError, OSError) as exc:
        raise refusal("aas.not-package", name=source.name, problem=str(exc)) from exc
    text = io.StringIO()
    write_aas_json_file(text, store)
    document: dict[str, Any] = json.loads(text.getvalue())
    from_document(document)
    return document

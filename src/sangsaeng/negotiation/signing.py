"""Agreement signatures: Ed25519 over the RFC 8785 (JCS) canonical JSON of the ODRL Agreement.

Both parties sign the same bytes, so anyone holding the directory can check offline what was agreed
(``sangsaeng agreement verify FILE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sangsaeng.encoding import canonical as jcs
from sangsaeng.encoding.moments import moment
from sangsaeng.identity import keys
from sangsaeng.identity.directory import Directory


def canonical(agreement: dict[str, Any]) -> bytes:
    return jcs.canonical(agreement)


def sign_agreement(key: Ed25519PrivateKey, signer: str, agreement: dict[str, Any]) -> dict[str, str]:
    return {"signer": signer, "alg": "EdDSA", "value": keys.sign(key, canonical(agreement))}


def signature_valid(directory: Directory, agreement: dict[str, Any], signature: Any) -> bool:
    """Signed by the signer's key — its current one, its next during a rotation, or one it retired after the
    agreement's ``timestamp`` (an agreement stays verifiable after its parties change keys)."""
    if not isinstance(signature, dict) or signature.get("alg") != "EdDSA":
        return False
    signer, value = signature.get("signer"), signature.get("value")
    if not isinstance(signer, str) or not isinstance(value, str):
        return False
    at = moment(agreement.get("timestamp"))
    return any(keys.verify(public, canonical(agreement), value) for public in directory.keys_at(signer, at))


@dataclass(frozen=True)
class Verification:
    valid: bool
    findings: tuple[str, ...]


def verify_export(directory: Directory, document: Any) -> Verification:
    """Check an exported agreement: both parties' signatures over the same agreement, by the right keys."""
    if not isinstance(document, dict) or not isinstance(document.get("agreement"), dict):
        return Verification(False, ("the file holds no 'agreement' object",))
    agreement = document["agreement"]
    signatures = document.get("signatures")
    if not isinstance(signatures, list):
        return Verification(False, ("the file holds no 'signatures' list",))
    findings: list[str] = []
    ok = True
    for role, party in (
        ("provider (assigner)", agreement.get("assigner")),
        ("consumer (assignee)", agreement.get("assignee")),
    ):
        mine = [s for s in signatures if isinstance(s, dict) and s.get("signer") == party]
        if not mine:
            ok = False
            findings.append(f"✗ no signature by the {role} {party}")
        elif not directory.keys_of(str(party)):
            ok = False
            findings.append(f"✗ the {role} {party} is not in the directory")
        elif signature_valid(directory, agreement, mine[0]):
            findings.append(f"✓ signed by the {role} {party}")
        else:
            ok = False
            findings.append(f"✗ the {role}'s signature does not match the agreement (altered, or another key)")
    return Verification(ok, tuple(findings))

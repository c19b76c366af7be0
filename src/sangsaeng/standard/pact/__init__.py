"""PACT ProductFootprint 2.2, 2.3 and 3.0 at the edge of the canonical ``ProductFootprint`` (``docs/pact.md``).

``requirements`` and ``required_fields`` say what a version needs; ``to_pact`` writes a complete document or
refuses, naming everything missing at once; ``from_pact`` / ``read_pact`` read any 2.x or 3.x document.
"""

from sangsaeng.standard.pact.read import Reading, from_pact, read_pact
from sangsaeng.standard.pact.requirements import Missing, requirements, unsaid
from sangsaeng.standard.pact.units import DECLARED_UNITS, declared
from sangsaeng.standard.pact.versions import SPEC_VERSION, VERSIONS, PactVersion, required_fields
from sangsaeng.standard.pact.write import to_pact

__all__ = [
    "DECLARED_UNITS",
    "SPEC_VERSION",
    "VERSIONS",
    "Missing",
    "PactVersion",
    "Reading",
    "declared",
    "from_pact",
    "read_pact",
    "required_fields",
    "requirements",
    "to_pact",
    "unsaid",
]

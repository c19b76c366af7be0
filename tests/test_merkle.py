"""The Merkle tree against a reference written straight from RFC 9162's recursive definitions (§ 2.1.1–2.1.4):
every tree of 1 … 32 leaves, every inclusion and consistency pair, and every tampered proof refused."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sangsaeng.audit import merkle


# ---- the reference: the RFC's definitions, as written, over the entries themselves -------------------------
def mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + mth(d[:k]) + mth(d[k:])).digest()


def path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]


def subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]


ENTRIES = [f"entry {i}".encode() for i in range(32)]
LEAVES = [merkle.leaf_hash(e) for e in ENTRIES]


@pytest.mark.parametrize("n", range(1, 33))
def test_roots_and_every_proof_match_the_rfc(n: int) -> None:
    d, leaves = ENTRIES[:n], LEAVES[:n]
    assert merkle.root(leaves) == mth(d) == merkle.Frontier.of(leaves).root()
    for m in range(n):
        proof = merkle.inclusion_proof(m, leaves)
        assert proof == path(m, d)
        assert merkle.verify_inclusion(m, n, leaves[m], proof, mth(d))
        assert not merkle.verify_inclusion(m, n, merkle.leaf_hash(b"other"), proof, mth(d))
        if proof:
            assert not merkle.verify_inclusion((m + 1) % n, n, leaves[m], proof, mth(d)) or n == 1
    for m in range(1, n + 1):
        proof = merkle.consistency_proof(m, leaves)
        assert proof == subproof(m, d, True)
        assert merkle.verify_consistency(m, n, mth(d[:m]), mth(d), proof)
        if m < n:
            assert not merkle.verify_consistency(m, n, mth(d[:m]), mth(d[:-1] + [b"x"]), proof)
            assert not merkle.verify_consistency(m, n, merkle.leaf_hash(b"x"), mth(d), proof)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(2, 40), data=st.data())
def test_any_altered_proof_hash_fails(n: int, data: st.DataObject) -> None:
    leaves = [merkle.leaf_hash(str(i).encode()) for i in range(n)]
    tree_root = merkle.root(leaves)
    m = data.draw(st.integers(0, n - 1))
    proof = merkle.inclusion_proof(m, leaves)
    at = data.draw(st.integers(0, len(proof) - 1))
    bad = list(proof)
    bad[at] = bytes(b ^ 1 if i == 0 else b for i, b in enumerate(bad[at]))
    assert not merkle.verify_inclusion(m, n, leaves[m], bad, tree_root)
    assert not merkle.verify_inclusion(m, n, leaves[m], proof[:-1], tree_root)
    first = data.draw(st.integers(1, n - 1))
    consistency = merkle.consistency_proof(first, leaves)
    broken = list(consistency)
    broken[-1] = merkle.leaf_hash(b"nope")
    assert not merkle.verify_consistency(first, n, merkle.root(leaves[:first]), tree_root, broken)


# ---- canonical JSON: the fast path writes exactly what RFC 8785 prescribes ----------------------------------
JSON = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**60), 2**60),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(document=JSON)
def test_canonical_json_is_rfc8785(document: object) -> None:
    import rfc8785

    from sangsaeng.encoding.canonical import canonical

    try:
        expected = bytes(rfc8785.dumps(document))
    except rfc8785.CanonicalizationError:
        return  # integers beyond I-JSON: the reference refuses them, and so do we (through it)
    assert canonical(document) == expected

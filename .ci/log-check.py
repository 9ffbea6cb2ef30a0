#!/usr/bin/env python3
"""An independent check of a Quorum server's Merkle tree log.

Written from RFC 9162 (sections 2.1.1, 2.1.3.2 and 2.1.4.2), the C2SP signed-note and
tlog-checkpoint specifications and RFC 8032 (Ed25519, section 5.1.7 verification), not from
Quorum's code. Python 3 standard library only (Ed25519 is verified with RFC 8032's arithmetic
below), so it runs anywhere with no installs.

    python3 .ci/log-check.py http://127.0.0.1:8000 [VERIFIER_KEY] [--witness WITNESS_KEY]...

It fetches the verifier key (unless given) and the checkpoint, verifies the signature, then
checks, for a sample of leaves, the inclusion proof of each against the checkpoint's root, and the
consistency proof from every smaller size in a sample to the checkpoint, and (C2SP tlog-tiles) that
the hash tiles for the checkpoint's size make its root. It cannot check a leaf's
content (reading entries needs a login); it checks that the proofs the server serves lead to the
root it signed. With `--witness`, it also checks each witness's cosignature on the checkpoint
(C2SP tlog-cosignature, `cosignature/v1`: signature type 0x04, a big-endian 8-byte timestamp,
then an Ed25519 signature of "cosignature/v1\ntime <t>\n" and the checkpoint's text). Exits 1
on any failure.
"""

import base64
import hashlib
import json
import sys
import urllib.request

# --- RFC 8032 Ed25519 verification (section 5.1) ---------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def point_add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    A = (y1 - x1) * (y2 - x2) % P
    B = (y1 + x1) * (y2 + x2) % P
    C = t1 * 2 * D * t2 % P
    Dd = z1 * 2 * z2 % P
    E, F, G, H = B - A, Dd - C, Dd + C, B + A
    return (E * F % P, G * H % P, F * G % P, E * H % P)


def point_mul(s, p):
    q = (0, 1, 1, 0)
    while s > 0:
        if s & 1:
            q = point_add(q, p)
        p = point_add(p, p)
        s >>= 1
    return q


def point_equal(a, b):
    x1, y1, z1, _ = a
    x2, y2, z2, _ = b
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def point_decompress(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


G_Y = 4 * pow(5, P - 2, P) % P
G = (recover_x(G_Y, 0), G_Y, 1, recover_x(G_Y, 0) * G_Y % P)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        return False
    a = point_decompress(public)
    r = point_decompress(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little") % L
    return point_equal(point_mul(s, G), point_add(r, point_mul(h, a)))


# --- C2SP signed note and checkpoint -----------------------------------------------------------


def parse_verifier_key(vkey, kind=0x01):
    """A vkey, `<name>+<hex key id>+<base64(type || public key)>`, of signature type `kind`
    (0x01 a note signer, 0x04 a witness's Ed25519 cosignature)."""
    name, key_id, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key)
    assert raw[0] == kind and len(raw) == 33, f"not a verifier key of type {kind:#04x}: {vkey}"
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    assert bytes.fromhex(key_id) == expected, "the key id does not match the key"
    return name, expected, raw[1:]


def split_note(note):
    """The note's text (with its final newline) and its signature lines as (name, bytes)."""
    text, _, signatures = note.rpartition("\n\n")
    text += "\n"
    lines = []
    for line in signatures.splitlines():
        dash, who, sig = line.split(" ", 2)
        assert dash == "\u2014", "a signature line must start with an em dash"
        lines.append((who, base64.b64decode(sig)))
    return text, lines


def open_checkpoint(note, vkey):
    name, key_id, public = parse_verifier_key(vkey)
    text, signatures = split_note(note)
    verified = False
    for who, raw in signatures:
        if who == name and raw[:4] == key_id:
            verified = verified or ed25519_verify(public, text.encode(), raw[4:])
    assert verified, "no valid signature by " + name
    lines = text.split("\n")
    assert lines[0] == name, "the origin is not the key's name"
    return int(lines[1]), base64.b64decode(lines[2])


def check_cosignature(note, vkey):
    """The time of the valid cosignature of `note` by the witness `vkey` (every line with its
    name and key id must verify)."""
    name, key_id, public = parse_verifier_key(vkey, 0x04)
    text, signatures = split_note(note)
    times = []
    for who, raw in signatures:
        if who != name or raw[:4] != key_id:
            continue
        assert len(raw) == 4 + 8 + 64, f"a cosignature by {name} has the wrong length"
        time = int.from_bytes(raw[4:12], "big")
        message = f"cosignature/v1\ntime {time}\n".encode() + text.encode()
        assert ed25519_verify(public, message, raw[12:]), f"a cosignature by {name} is invalid"
        times.append(time)
    assert times, "no cosignature by witness " + name
    return max(times)


# --- RFC 9162 ----------------------------------------------------------------------------------


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(leaf_index, tree_size, leaf_hash, path, root):
    # RFC 9162 section 2.1.3.2, step by step.
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf_hash
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first, second, first_hash, second_hash, path):
    # RFC 9162 section 2.1.4.2, step by step.
    if first == second:
        return not path and first_hash == second_hash
    if not path:
        return False
    if first & (first - 1) == 0:
        path = [first_hash] + path
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_hash and sr == second_hash and sn == 0


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode()


def main():
    args = sys.argv[1:]
    witnesses = []
    while "--witness" in args:
        at = args.index("--witness")
        witnesses.append(args[at + 1])
        del args[at : at + 2]
    base = args[0].rstrip("/")
    vkey = args[1] if len(args) > 1 else fetch(base + "/log/key")
    note = fetch(base + "/log/checkpoint")
    size, root = open_checkpoint(note, vkey)
    print(f"checkpoint: size {size}, root {base64.b64encode(root).decode()}, signature valid")
    for witness in witnesses:
        time = check_cosignature(note, witness)
        print(f"cosigned by {witness.split('+')[0]} at {time}: valid")
    if size < 2:
        print("the tree is too small to check proofs")
        return
    sample = sorted({0, 1, size // 3, size // 2, size - 2, size - 1})
    for index in sample:
        # The leaf's own hash is the first hash of its sibling's proof (for a leaf with one).
        sibling = index ^ 1
        if sibling >= size:
            continue
        mine = json.loads(fetch(f"{base}/log/proof/inclusion?index={index}&size={size}"))
        theirs = json.loads(fetch(f"{base}/log/proof/inclusion?index={sibling}&size={size}"))
        leaf = base64.b64decode(theirs["hashes"][0])
        path = [base64.b64decode(h) for h in mine["hashes"]]
        assert verify_inclusion(index, size, leaf, path, root), f"inclusion of leaf {index} fails"
        assert not verify_inclusion(index, size, hashlib.sha256(b"x").digest(), path, root)
    print(f"inclusion proofs of leaves {sample}: valid")
    for old in sorted({1, 2, 3, size // 2, size - 1}):
        if not 0 < old < size or old > 64:
            continue
        proof = json.loads(fetch(f"{base}/log/proof/consistency?from={old}&to={old}"))
        assert proof["hashes"] == []
        steps = json.loads(fetch(f"{base}/log/proof/consistency?from={old}&to={size}"))
        path = [base64.b64decode(h) for h in steps["hashes"]]
        old_root = root_of_prefix(base, old, size, root)
        assert verify_consistency(old, size, old_root, root, path), f"consistency {old}->{size}"
    print("consistency proofs: valid")
    check_tiles(base, size, root)


def tile_path(level, index, width):
    # C2SP tlog-tiles: the index in 3-digit elements, all but the last prefixed with "x".
    elements = [f"{index % 1000:03d}"]
    index //= 1000
    while index > 0:
        elements.insert(0, f"x{index % 1000:03d}")
        index //= 1000
    path = f"/log/tile/{level}/" + "/".join(elements)
    return path + (f".p/{width}" if width < 256 else "")


def fetch_tile(base, level, index, width):
    with urllib.request.urlopen(base + tile_path(level, index, width), timeout=30) as response:
        body = response.read()
        cache = response.headers.get("Cache-Control", "")
    assert len(body) == 32 * width, f"tile {level}/{index} has {len(body)} bytes"
    if width == 256:
        assert "immutable" in cache, f"a full tile is not immutable: {cache}"
    return [body[i : i + 32] for i in range(0, len(body), 32)]


def check_tiles(base, size, root):
    """C2SP tlog-tiles: the level-0 tiles for the checkpoint's size (full ones, then the partial
    one) are its leaf hashes, whose Merkle tree hash must be the signed root; each hash of the
    level-1 tile must be the root of a full level-0 tile."""
    if size > 1_000_000:
        print("tiles: the log is too large to fetch every leaf; skipped")
        return
    leaves = []
    for index in range(size // 256):
        leaves += fetch_tile(base, 0, index, 256)
    if size % 256:
        leaves += fetch_tile(base, 0, size // 256, size % 256)
    assert mth(leaves) == root, "the level-0 tiles do not make the signed root"
    full = size // 256
    if full:
        level1 = []
        for index in range(full // 256):
            level1 += fetch_tile(base, 1, index, 256)
        if full % 256:
            level1 += fetch_tile(base, 1, full // 256, full % 256)
        for i, h in enumerate(level1):
            assert h == mth(leaves[i * 256 : (i + 1) * 256]), f"level-1 hash {i} is wrong"
    print(f"tiles: {(size + 255) // 256} level-0 tiles make the signed root")


def root_of_prefix(base, old, size, root):
    """The root of the first `old` leaves, rebuilt from leaf hashes that each carry an inclusion
    proof against the signed root (so the server cannot choose them)."""
    leaves = []
    for index in range(old):
        sibling = index ^ 1 if (index ^ 1) < size else None
        proof = json.loads(fetch(f"{base}/log/proof/inclusion?index={index}&size={size}"))
        path = [base64.b64decode(h) for h in proof["hashes"]]
        other = json.loads(fetch(f"{base}/log/proof/inclusion?index={sibling}&size={size}"))
        leaf = base64.b64decode(other["hashes"][0])
        assert verify_inclusion(index, size, leaf, path, root), f"inclusion of leaf {index}"
        leaves.append(leaf)
    return mth(leaves)


def mth(leaves):
    # RFC 9162 section 2.1.1, on leaf hashes.
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print("FAILED:", failure)
        sys.exit(1)

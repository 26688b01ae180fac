#!/usr/bin/env python3
"""Writes the hostile inputs tests/cli/hostile_files.sh feeds to attnscope (docs/robustness.md).

Each is small on disk (3 MB at most) but declares far more, nests far deeper, or names numbers
past int. Standard library only: no numpy needed. Usage: hostile_files.py OUT_DIR [NAME...]
(no NAME: all of them).
"""
import json
import os
import struct
import sys
import zipfile
import zlib

out = sys.argv[1]


def path(name):
    return os.path.join(out, name)


def npy(descr, shape, data=b"", extra="", version=1):
    """An .npy file: header dict (plus `extra` text before the closing brace), then `data`."""
    dims = "(" + "".join(f"{d}, " for d in shape) + ")"
    header = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, {extra}}}".encode()
    header += b" " * ((64 - (12 + len(header) + 1) % 64) % 64) + b"\n"
    if version == 1:
        head = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header))
    else:
        head = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header))
    return head + header + data


def safetensors(tensors, metadata, data=b""):
    """tensors: name -> (dtype, shape, begin, end); metadata: str -> str."""
    header = {name: {"dtype": t[0], "shape": t[1], "data_offsets": [t[2], t[3]]} for name, t in tensors.items()}
    header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def attn_file(block_shape, tokens, data=b"", block="cross.0", runs=None):
    """An attnscope attention file (format attnscope/1) with one dense F32 block."""
    run = {"name": "", "input": "", "output": "", "source_tokens": tokens, "target_tokens": tokens,
           "blocks": [block], "query_key": {}, "extras": [], "info": {}}
    meta = {"format": "attnscope/1", "meta": "{}", "runs": runs if runs is not None else json.dumps([run])}
    return safetensors({block: ("F32", block_shape, 0, len(data))}, meta, data)


def deflated_zeros(prefix, total):
    """A raw deflate stream of `prefix` then zeros up to `total` bytes, built from one compressed
    1 MiB block repeated (a full flush makes each block independent), so it costs no time to make."""
    mib = 1 << 20
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    rest = total - len(prefix)
    block = c.compress(b"\0" * mib) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == c.compress(b"\0" * mib) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(b"\0" * (rest % mib)) + c.flush()
    return head + block * (rest // mib) + tail


def zip_with(members):
    """A zip archive of (name, raw deflate bytes, uncompressed size, CRC-32) members, ZIP64 where
    needed. The bombs' CRC-32s are left 0: a reader must refuse them before it could check one."""
    body, central = b"", b""
    for name, deflated, size, crc in members:
        n = name.encode()
        big = size >= 0xFFFFFFFF
        extra = struct.pack("<HHQQ", 1, 16, size, len(deflated)) if big else b""
        csize, usize = (0xFFFFFFFF, 0xFFFFFFFF) if big else (len(deflated), size)
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 8, 0, 0, crc, csize, usize, len(n), len(extra)) + n + extra
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 8, 0, 0, crc, csize, usize, len(n),
                               len(extra), 0, 0, 0, 0, len(body)) + n + extra
        body += local + deflated
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0)
    return body + central + end


def small(name, data):
    """A zip member holding `data`, deflated, with its CRC-32."""
    return (name, deflate(data), len(data), zlib.crc32(data))


def bomb(name, header, data_bytes):
    """A zip member: an .npy `header` then `data_bytes` zeros, deflated about 1000:1."""
    return (name, deflated_zeros(header, len(header) + data_bytes), len(header) + data_bytes, 0)


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


depth = 100_000
gib3 = 3 << 30
attention = npy("<f4", (1, 2, 2), struct.pack("<4f", 0.5, 0.5, 0.5, 0.5))
small_k = npy("<f4", (1, 8, 1), b"\0" * 32)


def deep_config():
    os.makedirs(path("deep_config"), exist_ok=True)
    return "deep_config/config.json", b'{"model_type": "bert", "x": ' + b"[" * depth + b"]" * depth + b"}"


CASES = {
    # 1. Nesting: JSON 100,000 levels deep (as attention, a token file, a model config); an NPY
    #    header dict nesting 50,000 lists.
    "deep.json": lambda: b"[" * depth + b"]" * depth,
    "deep_object.json": lambda: b'{"attention": ' + b'{"a": ' * depth + b"0" + b"}" * depth + b"}",
    "deep_tokens.json": lambda: b"[" * depth + b"]" * depth,
    "deep_config": deep_config,
    "deep.npy": lambda: npy("<f4", (1, 1), struct.pack("<f", 1.0), "'x': " + "[" * 50_000 + "]" * 50_000 + ", ", version=2),
    "normal.npy": lambda: npy("<f4", (2, 2), struct.pack("<4f", 0.5, 0.5, 0.5, 0.5)),
    # 2. Declared sizes. A 3 GiB member of zeros deflated to ~3 MB: a token list (read whole); a
    #    token list as long as an equally empty attention array claims to be; query arrays (an
    #    import that holds every array).
    "bomb_tokens.npz": lambda: zip_with([small("cross.0.npy", attention), bomb("tokens.npy", npy("<U1", (gib3 // 4,)), gib3)]),
    "bomb_long_axis.npz": lambda: zip_with([bomb("layer_0.npy", npy("<f4", (1, 1 << 27)), 1 << 29),
                                            bomb("tokens.npy", npy("<U1", (1 << 27,)), 1 << 29)]),
    "bomb_query.npz": lambda: zip_with([bomb("cross.0.q.npy", npy("<f4", (1, 8, gib3 // 32)), gib3),
                                        small("cross.0.k.npy", small_k)]),
    # "runs" listing a million empty runs; a block of 2 billion heads of nothing; empty axes.
    "empty_runs.attn.safetensors": lambda: attn_file([1, 1, 1], ["a"], struct.pack("<f", 1.0),
                                                     runs="[" + ",".join(["{}"] * 1_000_000) + "]"),
    "two_billion_heads.attn.safetensors": lambda: attn_file([2_000_000_000, 0, 0], []),
    "zero_heads.attn.safetensors": lambda: attn_file([0, 2, 2], ["a", "b"]),
    "zero_keys.npy": lambda: npy("<f4", (1, 2, 0)),
    # NPY text dtypes: an item size past any integer, one whose UTF-32 size wraps to 0, zero.
    "huge_itemsize.npy": lambda: npy("<U99999999999999999999", (1,)),
    "wrapping_itemsize.npy": lambda: npy("<U4611686018427387904", (1000000000000,)),
    "zero_itemsize.npy": lambda: npy("|S0", (1000000000000,)),
    # 3. Numbers past int: a block named with a layer past 2147483647.
    "layer_past_int.attn.safetensors": lambda: attn_file([1, 1, 1], ["a"], struct.pack("<f", 1.0), block="cross.99999999999"),
}

for name in sys.argv[2:] or CASES:
    made = CASES[name]()
    if isinstance(made, tuple):
        name, made = made
    write(name, made)

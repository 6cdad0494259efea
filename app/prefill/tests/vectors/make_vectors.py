#!/usr/bin/env python3
"""An independent writer of docs/qr-format.md, used to make the reference vectors in
vectors.txt: Python's cbor2, zlib (raw DEFLATE) and a base45 written from RFC 9285 here.
If our Rust decoder reads these, the specification is enough to write an encoder from.

    pip install cbor2 && python3 make_vectors.py > vectors.txt
"""
import zlib

import cbor2

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def base45(data: bytes) -> str:
    out = []
    for i in range(0, len(data), 2):
        chunk = data[i : i + 2]
        if len(chunk) == 2:
            n = chunk[0] * 256 + chunk[1]
            c, n = n % 45, n // 45
            d, e = n % 45, n // 45
            out += [ALPHABET[c], ALPHABET[d], ALPHABET[e]]
        else:
            n = chunk[0]
            out += [ALPHABET[n % 45], ALPHABET[n // 45]]
    return "".join(out)


def frame(document, parts=1, version=2):
    cbor = cbor2.dumps(document)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE
    p = compressor.compress(cbor) + compressor.flush()
    crc = zlib.crc32(p)
    f = p + crc.to_bytes(4, "big")
    if parts == 1:
        return cbor.hex(), [f"MDG{version}:" + base45(f)]
    size = -(-len(f) // parts)
    pieces = [f[i : i + size] for i in range(0, len(f), size)]
    return cbor.hex(), [
        f"MDG{version}-{i + 1}-{parts}-{crc:08X}:" + base45(piece) for i, piece in enumerate(pieces)
    ]


# docs/examples/single-adult.json, made on 2026-04-01 and valid until 2026-05-01.
SINGLE_ADULT = [
    20260401,
    20260501,
    [1, 20260401, 20260406, ["大阪府大阪市北区中之島一丁目3番20号", None], None, 20260331,
     ["標準市本町三丁目4番5号 グリーンコート102", "1000001"]],
    [["髙橋 𠮷男", None, 20031105, 1, None, None, "世帯主", None]],
    0,
    dict(
        sorted(
            {
                "foreign_member": False,
                "health_insurance": "kokuho",
                "card_holder": True,
                "e_sign": None,
                "seal": False,
                "copies": True,
                "dog_or_moped": True,
                "dog": False,
                "moped": True,
                "private_matters": False,
            }.items()
        )
    ),
    [[1, 2]],
]

def compact(value):
    """Drops trailing nulls from arrays, as docs/qr-format.md §3.2 allows (and our writer does)."""
    if isinstance(value, list):
        items = [compact(v) for v in value]
        while items and items[-1] is None:
            items.pop()
        return items
    return value


# With every null written out: readers must accept it.
_, symbols = frame(SINGLE_ADULT)
print("single-adult symbol", symbols[0])
# Compact, as our writer makes it: its CBOR must match ours byte for byte.
cbor_hex, _ = frame(compact(SINGLE_ADULT))
print("single-adult cbor", cbor_hex)
_, parts = frame(compact(SINGLE_ADULT), parts=3)
for part in reversed(parts):
    print("single-adult part", part)

# Version 1 (§4.1): the relation was a category code. The same single adult (0 = head), and a
# couple whose second member is 1 = spouse with sex 2 (read as 妻) …
SINGLE_ADULT_V1 = SINGLE_ADULT[:3] + [[["髙橋 𠮷男", None, 20031105, 1, None, None, 0, None]]] + SINGLE_ADULT[4:]
_, symbols = frame(compact(SINGLE_ADULT_V1), version=1)
print("v1-single-adult symbol", symbols[0])
COUPLE_V1 = SINGLE_ADULT[:3] + [[
    ["髙橋 𠮷男", None, 20031105, 1, None, None, 0],
    ["髙橋 花子", None, 20040210, 2, None, None, 1],
]] + SINGLE_ADULT[4:]
_, symbols = frame(compact(COUPLE_V1), version=1)
print("v1-couple symbol", symbols[0])
# … and a household with 5 = sibling, which does not say 兄, 姉, 弟 or 妹: refused as older_format.
SIBLINGS_V1 = SINGLE_ADULT[:3] + [[
    ["髙橋 𠮷男", None, 20031105, 1, None, None, 0],
    ["髙橋 一郎", None, 20010101, 1, None, None, 5],
]] + SINGLE_ADULT[4:]
_, symbols = frame(compact(SIBLINGS_V1), version=1)
print("v1-siblings symbol", symbols[0])

# Version 3 (§4.2): an event other than a move, its kind as text, its other dates (Event 7)
# and the member it is about (Event 8). docs/examples/okuyami.json, made on 2026-11-25.
HOME = ["標準市中央三丁目4番5号", "1000001"]
OKUYAMI = [
    20261125,
    20261225,
    ["shibou", 20261120, 20261127, None, None, None, None, {"funeral_date": 20261123}, 0],
    [
        ["相談 正男", "ソウダン マサオ", 19570512, 1, 0, None, "世帯主", HOME],
        ["相談 和子", "ソウダン カズコ", 19590903, 2, 0, None, "妻", HOME],
        ["相談 健一", "ソウダン ケンイチ", 19860218, 1, 0, None, "子", HOME],
    ],
    1,
    dict(
        sorted(
            {
                "death_reported": True,
                "deceased_insurance": "kokuho",
                "deceased_pension": True,
                "deceased_care_certified": False,
                "deceased_income": True,
                "deceased_property": True,
                "deceased_seal": True,
                "deceased_handbook": False,
                "deceased_kokumin_nenkin": False,
                "funeral_by_filer": True,
            }.items()
        )
    ),
    [],
    "046-822-4000",
]
_, symbols = frame(compact(OKUYAMI), version=3)
print("okuyami symbol", symbols[0])
cbor_hex, _ = frame(compact(OKUYAMI), version=3)
print("okuyami cbor", cbor_hex)

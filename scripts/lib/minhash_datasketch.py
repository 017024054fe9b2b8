#!/usr/bin/env python3
"""Reference MinHash throughput with Python's datasketch, for the dedup benchmark.

Reads a JSONL file of chat samples ({"messages": [{"role", "content"}], ...}),
builds exactly the shingles the Swift `MinHasher` builds, and times datasketch's
`MinHash(num_perm=N).update_batch(...)` on them. Prints one JSON object:

    {"docs": n, "seconds": s, "docs_per_s": x, ...}

Like for like with the Swift side (`DatasetDomain.MinHasher`):
  * text = the turns' contents joined by "\\n" (`ChatSample.joinedText`);
  * normalization = `TextNormalizer` (same explicit tables: invisible characters
    dropped, whitespace runs -> one space and trimmed, width/quote/dash variants
    unified, case folded for Latin/Greek/Cyrillic only, NFD Hangul composed);
  * shingles = every window of `--shingle-size` (default 5) consecutive code
    points of the normalized text; a non-empty text shorter than that is one
    shingle; an empty text has none;
  * `--num-perm` permutations (default 128), datasketch's default scheme
    (affine32 in datasketch >= 2.0: SHA-1 32-bit shingle hash, then a*h+b mod 2^32).
The permutation parameters are generated once and shared by all documents
(`permutations=`), as datasketch recommends for bulk use, so datasketch is not
charged for re-drawing them per document.

Timing (process CPU time, because benchmark machines are shared; "wall_seconds"
is given too):
  * "seconds" / "docs_per_s": text -> signature for every document, i.e. the
    normalization and shingling above plus datasketch -- the same work the Swift
    `MinHasher.signature(of:)` does, so this is the like-for-like figure;
  * "minhash_seconds" / "minhash_docs_per_s": datasketch alone (MinHash
    construction, update_batch on pre-encoded shingles, reading hashvalues), the
    strictest comparison for the Swift side;
  * "prep_seconds": the Python normalization + shingling + UTF-8 encoding.

Usage: minhash_datasketch.py FILE.jsonl [--num-perm 128] [--shingle-size 5]
       [--limit N] [--dump-normalized]
Needs: pip install datasketch
"""

import argparse
import json
import re
import sys
import time


def _build_table():
    t = {}
    for c in range(0x80):
        if 0x41 <= c <= 0x5A:
            t[c] = c + 0x20
        elif c == 0x20 or 0x09 <= c <= 0x0D:
            t[c] = " "
        elif c < 0x20 or c == 0x7F:
            t[c] = None
    for c in range(0x80, 0xA0):
        t[c] = " " if c == 0x85 else None
    t[0xA0] = " "
    t[0xAD] = None
    for c in range(0xC0, 0xDF):
        if c != 0xD7:
            t[c] = c + 0x20
    for c in range(0x100, 0x138):
        if c == 0x130:
            t[c] = "i"
        elif c != 0x131 and c % 2 == 0:
            t[c] = c | 1
    for c in range(0x139, 0x149):
        if c % 2 == 1:
            t[c] = c + 1
    for c in range(0x14A, 0x178):
        if c % 2 == 0:
            t[c] = c | 1
    t[0x178] = 0xFF
    for c in range(0x179, 0x17F):
        if c % 2 == 1:
            t[c] = c + 1
    t[0x34F] = None
    for c in range(0x391, 0x3AA):
        if c != 0x3A2:
            t[c] = c + 0x20
    for c in range(0x400, 0x410):
        t[c] = c + 0x50
    for c in range(0x410, 0x430):
        t[c] = c + 0x20
    t[0x1680] = " "
    t[0x180E] = None
    for c in range(0x2000, 0x200B):
        t[c] = " "
    for c in range(0x200B, 0x2010):
        t[c] = None
    for c in range(0x2010, 0x2016):
        t[c] = "-"
    for c in range(0x2018, 0x201C):
        t[c] = "'"
    for c in range(0x201C, 0x2020):
        t[c] = '"'
    t[0x2026] = "..."
    for c in (0x2028, 0x2029, 0x202F, 0x205F):
        t[c] = " "
    for c in range(0x202A, 0x202F):
        t[c] = None
    t[0x2032] = t[0x2035] = "'"
    t[0x2033] = t[0x2036] = '"'
    for c in list(range(0x2060, 0x2065)) + list(range(0x2066, 0x206A)):
        t[c] = None
    t[0x2212] = "-"
    t[0x3000] = " "
    t[0x3001] = ","
    t[0x3002] = "."
    for c in range(0xFE00, 0xFE10):
        t[c] = None
    t[0xFE58] = t[0xFE63] = "-"
    t[0xFEFF] = None
    for c in range(0xFF01, 0xFF5F):
        a = c - 0xFEE0
        t[c] = a + 0x20 if 0x41 <= a <= 0x5A else a
    return t


_TABLE = _build_table()
_HAS_JAMO = re.compile("[\u1161-\u11c2]")
_LV = re.compile("([\u1100-\u1112])([\u1161-\u1175])")
_LVT = re.compile("([\uac00-\ud7a3])([\u11a8-\u11c2])")


def _compose_lvt(m):
    s = ord(m.group(1))
    if (s - 0xAC00) % 28 == 0:
        return chr(s + ord(m.group(2)) - 0x11A7)
    return m.group(0)


def normalize(text):
    """Python mirror of Swift `TextNormalizer.normalize`."""
    s = text.translate(_TABLE)
    s = " ".join(filter(None, s.split(" ")))
    if _HAS_JAMO.search(s):
        s = _LV.sub(lambda m: chr(0xAC00 + (ord(m.group(1)) - 0x1100) * 588 + (ord(m.group(2)) - 0x1161) * 28), s)
        s = _LVT.sub(_compose_lvt, s)
    return s


def shingles(text, n):
    """Mirror of `MinHasher` shingling over the normalized text's code points."""
    if not text:
        return []
    if len(text) < n:
        return [text]
    return [text[i:i + n] for i in range(len(text) - n + 1)]


def joined_text(sample):
    return "\n".join(m.get("content", "") for m in sample.get("messages", []))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--shingle-size", type=int, default=5)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--dump-normalized", action="store_true",
                    help="print each normalized text as a JSON string instead of benchmarking")
    args = ap.parse_args()

    texts = []
    with open(args.file, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            texts.append(joined_text(json.loads(line)))
            if args.limit and len(texts) >= args.limit:
                break

    if args.dump_normalized:
        for t in texts:
            print(json.dumps(normalize(t), ensure_ascii=False))
        return

    from datasketch import MinHash

    template = MinHash(num_perm=args.num_perm)
    scheme = getattr(template, "scheme", "legacy")
    kwargs = {"scheme": scheme} if hasattr(template, "scheme") else {}
    perms = template.permutations

    c0 = time.process_time()
    batches = [[sh.encode("utf-8", "surrogatepass") for sh in shingles(normalize(t), args.shingle_size)]
               for t in texts]
    prep = time.process_time() - c0

    checksum = 0
    w0 = time.perf_counter()
    c0 = time.process_time()
    for batch in batches:
        m = MinHash(num_perm=args.num_perm, permutations=perms, **kwargs)
        if batch:
            m.update_batch(batch)
        checksum ^= int(m.hashvalues[0])
    minhash = time.process_time() - c0
    wall = time.perf_counter() - w0

    n = len(texts)
    total = prep + minhash
    print(json.dumps({
        "docs": n,
        "seconds": round(total, 4),
        "docs_per_s": round(n / total, 1) if total > 0 else None,
        "minhash_seconds": round(minhash, 4),
        "minhash_docs_per_s": round(n / minhash, 1) if minhash > 0 else None,
        "prep_seconds": round(prep, 4),
        "wall_seconds": round(wall, 4),
        "shingles": sum(len(b) for b in batches),
        "num_perm": args.num_perm,
        "shingle_size": args.shingle_size,
        "scheme": scheme,
        "checksum": checksum,
    }))


if __name__ == "__main__":
    sys.exit(main())

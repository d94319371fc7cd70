"""Turning page bytes into text when Chinese sites declare their charset wrongly or not at all.

Order of evidence (``detect_charset``):

1. a byte-order mark;
2. the body is valid UTF-8 with non-ASCII bytes: UTF-8, whatever is declared. Real GBK or Big5
   text is practically never valid UTF-8, while "charset=gbk" on a UTF-8 page is common;
3. the declared charsets that decode the body without errors: the ``Content-Type`` header's,
   then ``<meta charset>`` / ``<meta http-equiv content="...charset=">`` (or an XML declaration)
   in the first 4 KB. One of them: used. Both, disagreeing: statistical detection picks between
   them. Latin-1/CP1252/ASCII labels (misconfigured server defaults) count only when nothing
   else is known;
4. statistical detection (charset_normalizer);
5. GB18030 with replacement characters, as a last resort that never raises.

GBK, GB2312 and their aliases are decoded as GB18030, their superset (pages labelled GB2312
routinely contain GBK-only characters). Big5 is decoded as Big5-HKSCS, then CP950, which cover
the Hong Kong and vendor extensions plain Big5 lacks.
"""
from __future__ import annotations

import codecs
import re

_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)

_GB_FAMILY = {"gbk", "gb2312", "gb_2312", "gb_2312-80", "gb18030", "x-gbk", "cp936", "ms936", "windows-936",
              "euc-cn", "euccn", "csgb2312", "chinese", "iso-ir-58", "hz-gb-2312"}
_BIG5_FAMILY = {"big5", "big-5", "big5-hkscs", "big5hkscs", "cn-big5", "csbig5", "x-x-big5", "cp950", "ms950",
                "x-big5", "windows-950"}
_SNIFF_BYTES = 4096
# Single-byte Western labels are what misconfigured servers send by default; on a page with
# non-ASCII bytes they lose to <meta> and to detection (they decode anything, so prove nothing).
_WEAK = {"latin-1", "iso8859-1", "cp1252", "ascii", "iso8859-15"}


def _candidates(label: str | None) -> list[str]:
    """Python codec names to try for a declared charset label, best first; [] if unknown."""
    if not label:
        return []
    name = label.strip().strip("\"'").lower()
    if name in _GB_FAMILY:
        return ["gb18030"]
    if name in _BIG5_FAMILY:
        return ["big5hkscs", "cp950"]
    try:
        return [codecs.lookup(name).name]
    except LookupError:
        return []


def header_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def meta_charset(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else None


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
        return True
    except (UnicodeDecodeError, LookupError):
        return False


def _bom(body: bytes) -> str | None:
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _is_utf8_with_non_ascii(body: bytes) -> bool:
    if body.isascii():
        return False
    return _decodes(body, "utf-8")


def detect_charset(body: bytes, content_type: str | None = None) -> str:
    """The Python codec name ``decode_html`` will use for ``body`` (see module docstring)."""
    bom = _bom(body)
    if bom:
        return bom
    if _is_utf8_with_non_ascii(body):
        return "utf-8"
    declared: list[str] = []
    for label in (header_charset(content_type), meta_charset(body)):
        for codec in _candidates(label):
            if codec.startswith(("utf-16", "utf-32")):
                continue  # a page that reached us as ASCII-compatible bytes cannot be UTF-16
            if codec not in declared and _decodes(body, codec):
                declared.append(codec)
                break
    strong = [c for c in declared if c not in _WEAK]
    if body.isascii():
        return strong[0] if strong else "utf-8"
    if len(strong) == 1:
        return strong[0]
    if len(strong) > 1:
        # header and <meta> disagree and both decode: let the statistics choose between them
        guess = _detected(body)
        return guess if guess in strong else strong[0]
    return _detected(body) or (declared[0] if declared else "gb18030")


def _detected(body: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(body[:200_000]).best()
    if best is None:
        return None
    for codec in _candidates(best.encoding):
        if _decodes(body, codec):
            return codec
    return None


def decode_html(body: bytes, content_type: str | None) -> str:
    """Decode a page (or any text response) to str; never raises on bad bytes."""
    codec = detect_charset(body, content_type)
    return body.decode(codec, errors="replace")

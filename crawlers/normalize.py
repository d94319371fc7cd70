"""The one normalisation step every source type shares: URL, text, fingerprints, site.

Decisions (see docs/crawlers.md):

* ``canonical_url`` removes what changes between two links to the same page and nothing else:
  scheme/host case, default port, fragment (``#!`` routes and post anchors such as
  ``#post-123`` are kept: they address content; see ``post_url``),
  tracking parameters (``utm_*``, ``spm``, ``from``, share tokens, click ids); the remaining query
  parameters are sorted, and non-ASCII path/query characters are percent-encoded as UTF-8.
* ``fingerprint`` and ``simhash`` hash a *comparison form* of the text: NFKC, lower case,
  Traditional converted to Simplified (OpenCC's t2s character table), whitespace, punctuation, symbols and
  control characters removed. So the same post reposted in the other script, or with different
  punctuation or spacing, gets the same fingerprint and counts as reach (a sighting), not as a
  new mention. The stored ``text`` and ``title`` keep the script they were written in.
* Very short texts ("顶", "+1", "同问") would collide across unrelated posts, so ``make_mention``
  mixes the canonical URL into the fingerprint of texts shorter than ``MIN_FINGERPRINT_CHARS``
  comparison characters: such texts are only ever de-duplicated by URL.
"""
from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from collections import Counter
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import numpy as np

from .records import Mention

DEFAULT_MAX_TEXT_CHARS = 20_000
DEFAULT_MAX_TITLE_CHARS = 500
MIN_FINGERPRINT_CHARS = 12

# Query parameters that only say how a visitor arrived. Exact names, then prefixes.
TRACKING_PARAMS = frozenset({
    "spm", "from", "ref", "ref_src", "referer", "referrer", "src_type",
    "gclid", "dclid", "fbclid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
    "scene", "clicktime", "enterid", "chksm", "sharer_sharetime", "sharer_shareid", "exportkey",
    "pass_ticket", "ascene", "devicetype", "nettype", "wx_header", "isappinstalled", "sessionid",
    "vd_source", "bbid", "unique_k", "tt_from", "sudaref", "wfr", "sourcetype",
    "shareid", "share_token", "sharetoken", "shareuid", "from_source", "fromuid",
})
# Deliberately NOT stripped although often tracking elsewhere: "f" (phpBB forum id), "source",
# "ts"/"timestamp" (some sites address content with them).
TRACKING_PREFIXES = ("utm_", "share_", "sharer_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PCT = re.compile(r"%[0-9a-fA-F]{2}")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = "%:@!$'()*,;/?-._~"
# Fragments that address content rather than a scroll position: "#!" routes and forum post
# anchors ("#post-100307", "#pid123", "#reply_5"), so each reply keeps a URL of its own.
_KEPT_FRAGMENT = re.compile(r"^(!.*|(post|pid|reply|floor|comment|answer|p)[-_]?\d+)$", re.I)

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_INLINE_SPACE = re.compile(r"[^\S\n]+")  # any whitespace except newline (covers \u3000, nbsp)
_MANY_NEWLINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0/C1 controls except tab and newline


def canonical_url(url: str) -> str:
    """The form of ``url`` two links to the same page share (see module docstring)."""
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        # offline://, mailto:, ... : only the scheme's case is ours to normalise
        return urlunsplit((scheme, parts.netloc.lower(), parts.path, parts.query, parts.fragment))
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username:
        auth = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{auth}@{netloc}"
    path = _upper_escapes(quote(parts.path or "/", safe=_PATH_SAFE))
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
    pairs.sort(key=lambda kv: kv[0])  # stable: repeated keys keep their order
    query = _upper_escapes(urlencode(pairs, quote_via=quote, safe=_QUERY_SAFE))
    fragment = parts.fragment if _KEPT_FRAGMENT.match(parts.fragment) else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def post_url(thread_url: str, post_id: str | int | None, *, floor: int | None = None) -> str:
    """URL of one forum post: the thread URL for the opening post (floor 1 or no id), else a
    permalink (absolute or relative href) or ``<thread>#post-<id>``, kept by canonical_url."""
    from urllib.parse import urljoin

    if post_id is None or str(post_id).strip() == "":
        if floor is None or floor <= 1:
            return thread_url
        return f"{thread_url.split('#', 1)[0]}#floor-{floor}"
    text = str(post_id).strip()
    if text.startswith(("http://", "https://", "/", "?", "./", "../")):
        return urljoin(thread_url, text)
    if text.startswith("#"):
        text = text[1:]
    anchor = text if _KEPT_FRAGMENT.match(text) else f"post-{text}"
    return f"{thread_url.split('#', 1)[0]}#{anchor}"


def _is_tracking(key: str) -> bool:
    low = key.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def _upper_escapes(text: str) -> str:
    return _PCT.sub(lambda m: m.group(0).upper(), text)


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    # The bundled public-suffix snapshot only: no download at run time.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def site_of(url: str) -> str:
    """Registrable domain of ``url`` (bbs.example.com.cn -> example.com.cn).

    IP addresses and single-label hosts (localhost) count with their port, because on those
    each port is a different site (the demo serves everything from 127.0.0.1:PORT).
    Non-HTTP URLs (offline://...) give their scheme, e.g. ``offline``.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return scheme
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    if _is_ip(host) or "." not in host:
        if port is not None and port != _DEFAULT_PORTS.get(scheme):
            return f"{host}:{port}"
        return host
    result = _extractor()(host)
    registered = ".".join(p for p in (result.domain, result.suffix) if p) if result.suffix else host
    return registered or host


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


# Characters that character-level t2s leaves as regional variants of the same word
# (台湾 轉帳 -> 转帐, mainland 转账): folded for comparison only.
_VARIANTS = {"帐": "账", "著": "着"}


@lru_cache(maxsize=1)
def _t2s_table() -> dict[int, str]:
    """OpenCC's Traditional->Simplified character table as a str.translate table.

    Character-level conversion is enough for comparing texts (t2s is almost entirely
    many-to-one) and ~100x faster than OpenCC's phrase segmentation in pure Python, which would
    otherwise dominate the cost of normalising a page.
    """
    import opencc

    table: dict[int, str] = {}
    path = Path(opencc.__file__).resolve().parent / "dictionary" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1 and parts[1].strip():
            table[ord(parts[0])] = parts[1].split()[0]
    table = {k: _VARIANTS.get(v, v) for k, v in table.items()}  # 帳 -> 帐 -> 账 in one pass
    for src, dst in _VARIANTS.items():
        table[ord(src)] = dst
    return table


_NON_WORD = re.compile(r"[\W_]+")


def comparison_form(text: str) -> str:
    """The text as fingerprints see it: NFKC, lower case, Simplified, no spaces/punctuation/symbols."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_t2s_table())
    return _NON_WORD.sub("", text)


def fingerprint(text: str) -> str:
    """SHA-1 hex of the comparison form: equal for the same post in either script."""
    return _sha1(comparison_form(text))


def _sha1(form: str) -> str:
    return hashlib.sha1(form.encode("utf-8")).hexdigest()


_BIT_WEIGHTS = (1 << np.arange(64, dtype=np.uint64)).astype(np.uint64)
_SHIFTS = np.arange(64, dtype=np.uint64)


def simhash(text: str) -> int:
    """Unsigned 64-bit simhash over character bigrams of the comparison form.

    Near-duplicates (reposts with a few characters changed) are within Hamming distance 3.
    An empty text gives 0.
    """
    return _simhash_form(comparison_form(text))


def _simhash_form(form: str) -> int:
    if not form:
        return 0
    counts = Counter(a + b for a, b in zip(form, form[1:])) if len(form) > 1 else Counter([form])
    hashes = np.fromiter((int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "little")
                          for g in counts), dtype=np.uint64, count=len(counts))
    weights = np.fromiter(counts.values(), dtype=np.int64, count=len(counts))
    bits = ((hashes[:, None] >> _SHIFTS) & np.uint64(1)).astype(np.int64)
    score = ((bits * 2 - 1) * weights[:, None]).sum(axis=0)
    return int((_BIT_WEIGHTS[score > 0]).sum(dtype=np.uint64))


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def clean_text(text: str | None, limit: int = DEFAULT_MAX_TEXT_CHARS) -> str:
    """Whitespace tidied (paragraphs kept, runs of spaces collapsed), zero-width characters gone,
    capped at ``limit`` characters. The script is left as written."""
    if not text:
        return ""
    text = text.translate(_ZERO_WIDTH).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_INLINE_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    text = _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()
    return text[:limit].rstrip()


def clean_title(title: str | None, limit: int = DEFAULT_MAX_TITLE_CHARS) -> str | None:
    if title is None:
        return None
    cleaned = " ".join(clean_text(title, limit * 2).split())[:limit]
    return cleaned or None


def _count(value: Any) -> int | None:
    """Reply/view counts as pages show them: 123, "1,234", "1.2万", "3k"; else None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value >= 0 else None
    text = str(value).strip().replace(",", "").replace("，", "").lower()
    match = re.search(r"(\d+(?:\.\d+)?)\s*(万|w|千|k|亿)?", text)
    if not match:
        return None
    number = float(match.group(1)) * {"万": 1e4, "w": 1e4, "千": 1e3, "k": 1e3, "亿": 1e8}.get(match.group(2) or "", 1)
    return int(number)


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: crawlers must produce aware UTC times")
    return value.astimezone(timezone.utc)


def make_mention(source: Any, *, url: str, title: str | None, text: str | None, fetched_at: datetime,
                 published_at: datetime | None = None, author: str | None = None,
                 thread_url: str | None = None, replies: Any = None, views: Any = None,
                 likes: Any = None, shares: Any = None, extra: dict[str, Any] | None = None) -> Mention:
    """Build a normalised Mention from what a fetcher or spider found.

    ``source`` is the validated source config (``name``, ``channel``, ``authority`` and optionally
    ``max_text_chars``). Counts may be strings as the page shows them ("1.2万"). When the text is
    empty the title stands in for it, so a title-only item still has a fingerprint.
    """
    limit = getattr(source, "max_text_chars", None) or DEFAULT_MAX_TEXT_CHARS
    body = clean_text(text, limit)
    head = clean_title(title)
    canon = canonical_url(url)
    form = comparison_form(body or head or "")
    fp = _sha1(form) if len(form) >= MIN_FINGERPRINT_CHARS else _sha1(form + "\x00" + canon)
    return Mention(
        source=source.name,
        channel=source.channel,
        url=url.strip(),
        canonical_url=canon,
        title=head,
        text=body,
        fetched_at=_utc(fetched_at),  # type: ignore[arg-type]
        published_at=_utc(published_at),
        author=clean_title(author, 200) if author else None,
        fingerprint=fp,
        simhash=_simhash_form(form),
        thread_url=canonical_url(thread_url) if thread_url else None,
        site=getattr(source, "site", None) or site_of(url),
        authority=float(getattr(source, "authority", 1.0)),
        replies=_count(replies),
        views=_count(views),
        likes=_count(likes),
        shares=_count(shares),
        extra={str(k): str(v) for k, v in (extra or {}).items() if v is not None},
    )

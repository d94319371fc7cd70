"""Text normalisation for analysis: one pass that never raises and never moves characters.

The analysis text has exactly the same length as the display text, character for character,
so an offset found in one is an offset in the other and the surface form of a match can be
cut out of the original. Every step keeps that promise: Traditional -> Simplified (OpenCC
t2s), full-width -> half-width (NFKC) and lower case are applied whole-string when they keep
the length, else character by character, keeping the original character where a conversion
would change the length. URLs are blanked with spaces; @mentions are blanked only in the text
handed to the segmenter (a bank named in an @mention is still an entity).
"""
from __future__ import annotations

import functools
import os
import re
import unicodedata
from dataclasses import dataclass

# A 1 MB post is analysed by its first MAX_CHARS characters: beyond that, nothing changes a
# verdict and the segmenter's time grows linearly.
MAX_CHARS = 20_000

_SURROGATES = re.compile(r"[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_URL = re.compile(r"(?:https?://|www\.)[\w\-.~:/?#\[\]@!$&'()*+,;=%]+", re.IGNORECASE)
_MENTION = re.compile(r"@[\w\u4e00-\u9fff\-]{1,30}")
_REPOST = re.compile(r"//\s*@([\w\u4e00-\u9fff\-]{1,30})\s*[:：]")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\U0001F000-\U0001F2FF]")

# Emoji that carry a stance, mapped to a word the sentiment model knows. Tokens handed to the
# sentiment model carry the word in place of the emoji; the emoji stays in the display text.
EMOJI_WORDS: dict[str, str] = {
    "😡": "愤怒", "😠": "生气", "🤬": "愤怒", "😤": "生气", "👿": "愤怒",
    "😭": "哭", "😢": "难过", "😞": "失望", "😔": "失望", "😩": "崩溃", "😫": "崩溃", "💔": "心碎",
    "🙄": "无语", "😒": "无语", "😑": "无语", "🙃": "呵呵", "🤡": "小丑", "🐶": "狗", "💩": "垃圾",
    "👎": "差评", "🤮": "恶心", "🤢": "恶心", "😓": "无奈", "😅": "尴尬", "🤦": "无语", "😱": "震惊",
    "😨": "害怕", "😰": "害怕", "🆘": "求助", "⚠": "警告", "❌": "不行", "🐢": "慢",
    "👍": "点赞", "👏": "赞", "❤": "喜欢", "😍": "喜欢", "🥰": "喜欢", "😊": "开心", "😄": "开心",
    "😁": "开心", "😀": "开心", "😂": "笑哭", "🤣": "笑哭", "🎉": "庆祝", "💯": "满分", "🌟": "好",
    "⭐": "星", "✨": "好", "🙏": "感谢", "💪": "加油", "✅": "好", "🌹": "感谢", "🤝": "合作",
}


@dataclass(frozen=True, slots=True)
class Normalized:
    original: str  # the text as shown to users (cleaned of surrogates and control characters)
    text: str  # analysis text: Simplified, half-width, lower case; same length as ``original``
    seg_text: str  # ``text`` with @mentions blanked too: what the segmenter reads
    script: str  # hans, hant, mixed or none (no Chinese)
    urls: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()  # @names, without the @
    reposted_from: tuple[str, ...] = ()  # authors in a //@name: repost chain, nearest first
    own_end: int = 0  # text[:own_end] is the author's own words, the rest is reposted
    emoji: tuple[str, ...] = ()
    truncated: bool = False


@functools.lru_cache(maxsize=1)
def _script_sets() -> tuple[frozenset[str], frozenset[str], object]:
    """(Traditional-only characters, Simplified-only characters, the t2s converter)."""
    import opencc

    folder = os.path.join(os.path.dirname(opencc.__file__), "dictionary")

    def read(name: str) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            for line in fh:
                key, _, values = line.rstrip("\n").partition("\t")
                if key and len(key) == 1:
                    table[key] = values.split()
        return table

    ts, st = read("TSCharacters.txt"), read("STCharacters.txt")
    # A character counts for a script only if it cannot be read as the other one: 台, 着 and
    # 里 are written in both standards and decide nothing.
    hant = frozenset(k for k, v in ts.items() if k not in v and k not in st)
    hans = frozenset(k for k, v in st.items() if k not in v and k not in ts)
    return hant, hans, opencc.OpenCC("t2s")


# Characters a conversion may change: everything but ASCII and the common CJK block, whose NFKC
# and case forms are themselves (CJK still goes through t2s, which passes its own pattern).
_CONVERTIBLE = re.compile(r"[^\x00-\x7f\u4e00-\u9fff]")
_ANY = re.compile(r".", re.DOTALL)


def _same_length(whole: str, source: str, convert, pattern: re.Pattern[str] = _CONVERTIBLE) -> str:
    """``whole`` if it kept the length of ``source``, else a per-character conversion that does."""
    if len(whole) == len(source):
        return whole

    def one(m: re.Match[str]) -> str:
        conv = convert(m.group(0))
        return conv if len(conv) == 1 else m.group(0)

    return pattern.sub(one, source)


def to_text(value: object) -> str:
    """Any input as a str: bytes are decoded (bad bytes replaced), None is empty."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return value if isinstance(value, str) else str(value)


def detect_script(text: str) -> str:
    chars = set(text)
    if not text or max(chars) < "\u3400" or not _CJK.search(text):
        return "none"
    hant, hans, _ = _script_sets()
    has_t, has_s = not chars.isdisjoint(hant), not chars.isdisjoint(hans)
    if has_t and has_s:
        return "mixed"
    return "hant" if has_t else "hans"


def simplify(text: str) -> str:
    """Traditional -> Simplified, half-width, lower case, same length (for rule and name terms)."""
    return normalize(text).text


def _blank(text: str, pattern: re.Pattern[str], original: str) -> tuple[str, list[str]]:
    """Replace every match with spaces; return the matches as written in ``original``."""
    found: list[str] = []

    def repl(m: re.Match[str]) -> str:
        found.append(original[m.start():m.end()])
        return " " * len(m.group(0))

    return pattern.sub(repl, text), found


def normalize(value: object) -> Normalized:
    """Normalise any input for analysis. Never raises."""
    raw = to_text(value)
    truncated = len(raw) > MAX_CHARS
    if truncated:
        raw = raw[:MAX_CHARS]
    original = _CONTROL.sub(" ", _SURROGATES.sub("\ufffd", raw))
    script = detect_script(original)
    text = _same_length(unicodedata.normalize("NFKC", original), original,
                        lambda ch: unicodedata.normalize("NFKC", ch))
    if script in ("hant", "mixed"):
        converter = _script_sets()[2]
        text = _same_length(converter.convert(text), text, converter.convert, _ANY)
    text = _same_length(text.lower(), text, str.lower)
    # cheap substring tests first: most posts have no URL, no @ and no emoji
    urls: list[str] = []
    if "http" in text or "www." in text:
        text, urls = _blank(text, _URL, original)
    own_end, reposted, seg_text, mentions = len(text), (), text, []
    if "@" in text:
        repost = _REPOST.search(text)
        own_end = repost.start() if repost else len(text)
        reposted = tuple(original[m.start(1):m.end(1)] for m in _REPOST.finditer(text))
        seg_text, mentions = _blank(text, _MENTION, original)
    emoji = tuple(_EMOJI.findall(text)) if text and max(text) >= "\u2600" else ()
    return Normalized(original=original, text=text, seg_text=seg_text, script=script, urls=tuple(urls),
                      mentions=tuple(m[1:] for m in mentions), reposted_from=reposted, own_end=own_end,
                      emoji=emoji, truncated=truncated)

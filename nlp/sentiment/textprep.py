"""Defensive normalisation: Traditional to Simplified only when the text needs it.

The Analyzer already hands over Simplified text, so the converter (pure Python, slow) runs only
when a quick regex finds a common Traditional-only character.
"""
from __future__ import annotations

import functools
import re
from typing import Sequence

# Frequent characters that exist only in Traditional script; one hit means "convert".
_TRADITIONAL_HINT = re.compile(
    "[們個這還會為於與說對時從來過後裡麼點無開關頭長門問間題見實現發經種樣讓覺當應錢銀賬帳戶費貸詐騙難"
    "記號碼務處櫃臺員機構態聽讀買賣價錯壞氣車電話網線層據轉單報導體決條計劃認識業寫請謝歡愛樂輕鬆滿貴嗎囉講諗搵幫]")


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@functools.lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


def needs_conversion(text: str) -> bool:
    return bool(_TRADITIONAL_HINT.search(text))


def to_simplified(text: str, tokens: Sequence[str] | None = None) -> tuple[str, list[str] | None]:
    """Return (text, tokens) in Simplified script; tokens are converted one by one."""
    if not text or not needs_conversion(text):
        return text, (list(tokens) if tokens is not None else None)
    convert = _converter().convert
    return convert(text), ([convert(t) for t in tokens] if tokens is not None else None)


def clean(text: object) -> str:
    """Any input to a safe str: None and non-str become '', lone surrogates are dropped."""
    if not isinstance(text, str):
        return ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "ignore").decode("utf-8")
    return _CONTROL.sub("", text)

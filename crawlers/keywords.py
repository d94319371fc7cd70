"""Keyword filters of a source (`keywords: {include, exclude, watchlist}`).

Matching happens on the comparison form (crawlers.normalize.comparison_form): case, width,
spacing, punctuation and script do not matter, so the include word 长河银行 also keeps a post
written 長河 銀行.
"""
from __future__ import annotations

from typing import Any, Iterable

from .normalize import comparison_form
from .records import Mention


class KeywordFilter:
    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = ()):
        self.include = [f for f in (comparison_form(w) for w in include) if f]
        self.exclude = [f for f in (comparison_form(w) for w in exclude) if f]

    @classmethod
    def of(cls, source: Any, watchlist_terms: Iterable[str] = ()) -> KeywordFilter:
        section = getattr(source, "keywords", None)
        if section is None:
            return cls()
        include = list(section.include)
        if getattr(section, "watchlist", False):
            include.extend(watchlist_terms)
        return cls(include, section.exclude)

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def passes(self, title: str | None, text: str | None) -> bool:
        if not self:
            return True
        form = comparison_form(f"{title or ''}\n{text or ''}")
        if self.include and not any(word in form for word in self.include):
            return False
        return not any(word in form for word in self.exclude)

    def keep(self, mentions: Iterable[Mention]) -> list[Mention]:
        return [m for m in mentions if self.passes(m.title, m.text)]

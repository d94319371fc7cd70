"""CSS-or-XPath selector strings applied to parsel selectors.

The dialect follows sources.yaml (``config.schema.sources.selector_kind``): ``xpath:``/``css:``
prefixes, else XPath when starting with ``/``, ``(`` or ``./``, else CSS. Text fields
take the text of every matched node (``::text``/``text()`` selectors take just those nodes),
whitespace-collapsed; link fields take ``href`` of matched ``<a>`` elements, or the matched
strings when the selector already selects an attribute.
"""
from __future__ import annotations

import re

from parsel import Selector, SelectorList

_SPACE = re.compile(r"\s+")


def select(node: Selector | SelectorList, expr: str) -> SelectorList:
    from config.schema.sources import selector_kind

    kind, expr = selector_kind(expr)
    if kind == "xpath":
        # a relative node (a post inside a thread) keeps "//" relative to itself
        if expr.startswith("//") and isinstance(node, Selector) and node.root is not None \
                and getattr(node.root, "getparent", lambda: None)() is not None:
            expr = "." + expr
        return node.xpath(expr)
    return node.css(expr)


def _node_text(sel: Selector) -> str:
    root = sel.root
    if isinstance(root, str):  # ::text, ::attr(), text(), @attr already selected strings
        return root
    if root.find(".//script") is None and root.find(".//style") is None:
        texts = root.itertext()  # the common case, several times faster than the XPath below
    else:
        texts = sel.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return "\n".join(t.strip() for t in texts if t.strip())


def text_of(node: Selector | SelectorList, expr: str | None, *, keep_lines: bool = False) -> str | None:
    """Joined text of everything ``expr`` matches; None when nothing (or only blanks) matched."""
    if not expr:
        return None
    parts = [_node_text(s) for s in select(node, expr)]
    if keep_lines:
        text = "\n".join(p.strip() for p in parts if p.strip())
        return text or None
    text = _SPACE.sub(" ", " ".join(parts)).strip()
    return text or None


def links_of(node: Selector | SelectorList, expr: str | None) -> list[str]:
    """``href`` values (or attribute strings) matched by ``expr``, in page order, blanks dropped."""
    if not expr:
        return []
    out: list[str] = []
    for sel in select(node, expr):
        if isinstance(sel.root, str):
            value = sel.root
        else:
            value = sel.attrib.get("href") or sel.xpath(".//a/@href").get() or ""
        value = value.strip()
        if value and not value.startswith(("javascript:", "#", "mailto:")):
            out.append(value)
    return out

"""HTML fragments (feed summaries, JSON fields) to plain text with paragraph breaks kept."""
from __future__ import annotations

import html
import re

import lxml.html
from lxml import etree

_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
           "article", "pre", "table", "ul", "ol", "dd", "dt")
_TAG = re.compile(r"<[^>]+>")


def html_to_text(fragment: str | None) -> str:
    """Text of an HTML fragment; plain text passes through with entities decoded."""
    if not fragment:
        return ""
    if "<" not in fragment:
        return html.unescape(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return html.unescape(_TAG.sub(" ", fragment))
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    return root.text_content()

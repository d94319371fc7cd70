"""Words the segmenter must keep whole: watchlist names and taxonomy rule terms."""
from __future__ import annotations

from pathlib import Path

from config.schema.taxonomy import Term, TaxonomyFile, parse_rule, walk
from config.schema.watchlist import WatchlistFile

from .normalize import simplify

_TAGS = {"bank": "nt", "branch": "nt", "competitor": "nt", "regulator": "nt", "product": "nz",
         "executive": "nr", "person": "nr"}


def vocabulary(watchlist: WatchlistFile, taxonomy: TaxonomyFile) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, POS tag) pairs and rule terms, all in the normalised (Simplified, lower-case) form.

    Everyday-sense aliases (needs_context) are left out: forcing 长河 into one token would
    change how 历史长河 is cut, and the entity automaton finds them without the segmenter.
    """
    words: list[tuple[str, str]] = []
    for kind, item in watchlist.entries():
        tag = _TAGS[kind]
        words.append((simplify(item.name), tag))
        words.extend((simplify(a.text), tag) for a in item.alias_rules() if not a.needs_context)
    terms: list[str] = []
    for topic in taxonomy.topics.values():
        for rule in topic.rules:
            terms.extend(n.text for n in walk(parse_rule(rule.match, simplify)) if isinstance(n, Term))
    return words, terms


def load_vocabulary(config_dir: Path | str) -> tuple[list[tuple[str, str]], list[str]]:
    from .nlpconfig import load_nlp_config

    config = load_nlp_config(config_dir)
    return vocabulary(config.watchlist, config.taxonomy)

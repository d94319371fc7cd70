"""Chinese NLP for bank mentions: normalise, segment, entities, topics, sentiment, harm.

    from nlp import Analyzer
    analyzer = Analyzer.from_config()          # bundled config/ (watchlist.yaml, taxonomy.yaml)
    annotation = analyzer.analyze("长河银行排队两小时", title=None, author=None, id="m1")

Pure functions over text; models and dictionaries are loaded once per Analyzer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .records import Annotation, Entity

if TYPE_CHECKING:
    from .analyzer import Analyzer

__all__ = ["Analyzer", "Annotation", "Entity"]


def __getattr__(name: str):
    # imported lazily so `import nlp.records` (used by storage and scoring) stays light
    if name == "Analyzer":
        from .analyzer import Analyzer

        return Analyzer
    raise AttributeError(name)

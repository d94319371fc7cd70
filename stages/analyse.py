"""The analyse stage: annotate every stored mention that has no annotation yet.

Progress lives in the database (a mention is done when its annotation row exists), so the
stage can be rerun at any time and a crash loses at most the batch in flight: each batch's
annotations are written in one transaction.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Callable

from storage.annotations import count_pending, pending_mentions, save_annotations
from storage.db import Database

_ANALYZERS: dict[tuple[int, int], Any] = {}


@dataclass(frozen=True)
class AnalyseSummary:
    analysed: int
    batches: int
    pending_before: int
    about_bank: int  # annotations whose `watched` is not empty
    model_version: str
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def analyzer_for(config: Any) -> Any:
    """One Analyzer per loaded config per process: building one loads the dictionaries."""
    key = (id(config.watchlist), id(config.taxonomy))
    analyzer = _ANALYZERS.get(key)
    if analyzer is None:
        from nlp import Analyzer

        analyzer = _ANALYZERS[key] = Analyzer.from_loaded(config)
    return analyzer


def analyse_pending(config: Any, db: Database, *, now: datetime, batch_size: int = 200,
                    progress: Callable[[int, int], None] | None = None, analyzer: Any = None,
                    limit: int | None = None) -> AnalyseSummary:
    """Analyse mentions lacking an annotation, ``batch_size`` at a time; ``now`` stamps them.

    ``progress(done, total)`` is called after each batch. ``limit`` caps how many are done.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.perf_counter()
    analyzer = analyzer or analyzer_for(config)
    total = count_pending(db)
    done = batches = about = 0
    after = 0
    while limit is None or done < limit:
        size = batch_size if limit is None else min(batch_size, limit - done)
        batch = pending_mentions(db, limit=size, after_id=after)
        if not batch:
            break
        annotations = analyzer.analyze_many(
            [{"id": m.id, "text": m.text, "title": m.title, "author": m.author, "channel": m.channel}
             for m in batch])
        save_annotations(db, [(m.id, a) for m, a in zip(batch, annotations)], analysed_at=now)
        after = batch[-1].id
        done += len(batch)
        batches += 1
        about += sum(1 for a in annotations if a.watched)
        if progress is not None:
            progress(done, total)
    return AnalyseSummary(analysed=done, batches=batches, pending_before=total, about_bank=about,
                          model_version=analyzer.model_version, seconds=round(time.perf_counter() - started, 3))

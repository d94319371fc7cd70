"""The Analyzer: text in, Annotation out. Everything heavy is built once, in the constructor.

    from nlp import Analyzer
    analyzer = Analyzer.from_config("config")
    analyzer.analyze("長河銀行排隊兩小時", title=None, author=None, id="m1")

Per text: normalise once, tag once (the tokens feed sentiment, keywords and open entities),
run the automaton once. A text not about the watched bank gets its entities but no watched names,
no topics, harm 0 and a neutral polarity: those judge the bank, and the sentiment model is not
run for it.
"""
from __future__ import annotations

import copy
import inspect
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Protocol

from config.schema.taxonomy import TaxonomyFile
from config.schema.watchlist import WatchlistFile

from .entities import EntityMatcher, Found, distinct
from .harm import HarmRater
from .normalize import Normalized, normalize, to_text
from .records import Annotation
from .segment import Backend, Segmenter
from .topics import TopicClassifier, keywords
from .vocabulary import vocabulary

log = logging.getLogger(__name__)

VERSION = "nlp-1"
# Channels whose mentions are, by where they come from, about the watched bank: reports written
# by its own branch staff (crawlers call the channel "offline"; the labelled sets "offline_report").
OWN_CHANNELS = frozenset({"offline", "offline_report"})
# Texts per sentiment batch in analyze_many: large enough that numpy's per-call cost fades,
# small enough that a chunk's intermediate state stays a few MB.
BATCH = 256


class SentimentModelLike(Protocol):
    def predict(self, text: str, tokens: list[str]) -> Any: ...


@dataclass(frozen=True, slots=True)
class _Neutral:
    polarity: str = "neu"
    score: float = 0.0
    drivers: tuple[str, ...] = ()


@dataclass(slots=True)
class _Prepared:
    """One text between the per-text work and the batched sentiment pass."""

    id: str | None
    whole: Normalized
    head: Normalized | None
    body: Normalized
    tags: Any
    tokens: list[str]
    found: list[Found]
    entities: tuple[Any, ...]
    watched: tuple[str, ...]
    polarity: str = "neu"
    score: float = 0.0
    drivers: tuple[str, ...] = ()


class NeutralSentiment:
    """Stand-in when no sentiment model is installed: every text is neutral."""

    version = "neutral"

    def predict(self, text: str, tokens: list[str]) -> _Neutral:
        return _Neutral()


def default_sentiment() -> SentimentModelLike:
    try:
        from .sentiment import ModelFileError, load_default_model
    except ImportError as exc:  # the sentiment package is optional for the rest of the stage
        log.warning("no sentiment package (%s); every text will be neutral", exc)
        return NeutralSentiment()
    try:
        return load_default_model()
    except (FileNotFoundError, ModelFileError) as exc:
        # no trained model in the tree yet: the rest of the stage still runs, loudly neutral
        log.warning("no usable sentiment model (%s); every text will be neutral", exc)
        return NeutralSentiment()


class Analyzer:
    def __init__(self, watchlist: WatchlistFile, taxonomy: TaxonomyFile, *,
                 sentiment: SentimentModelLike | None = None, backend: Backend = "rjieba"):
        words, terms = vocabulary(watchlist, taxonomy)
        self.segmenter = Segmenter(words, terms, backend=backend)
        self.entities = EntityMatcher(watchlist)
        self.topics = TopicClassifier(taxonomy)
        self.harm = HarmRater.bundled()
        self.top_k = taxonomy.keywords.top_k
        self._set_sentiment(sentiment if sentiment is not None else default_sentiment())

    def _set_sentiment(self, sentiment: SentimentModelLike) -> None:
        self.sentiment = sentiment
        # a model that reads comparisons from the watched bank's side takes its names as targets
        try:
            params = inspect.signature(sentiment.predict).parameters
        except (TypeError, ValueError):
            params = {}
        self._targets = "targets" in params
        sentiment_version = getattr(sentiment, "version", type(sentiment).__name__)
        self.model_version = f"{VERSION}+{sentiment_version}"

    def with_sentiment(self, sentiment: SentimentModelLike) -> "Analyzer":
        """The same analyzer (sharing its loaded dictionaries) with another sentiment model."""
        clone = copy.copy(self)
        clone._set_sentiment(sentiment)
        return clone

    @classmethod
    def from_config(cls, config_dir: Path | str | None = None, **kwargs: Any) -> "Analyzer":
        """Build from a folder's watchlist.yaml and taxonomy.yaml (the bundled config/ by default)."""
        from .nlpconfig import load_nlp_config

        config = load_nlp_config(config_dir)
        return cls(config.watchlist, config.taxonomy, **kwargs)

    @classmethod
    def from_loaded(cls, config: Any, **kwargs: Any) -> "Analyzer":
        """Build from an already loaded config.loader.Config."""
        return cls(config.watchlist, config.taxonomy, **kwargs)

    # --- one text ---

    def analyze(self, text: Any, title: Any = None, author: Any = None, id: Any = None,
                channel: str | None = None) -> Annotation:
        """Annotate one mention. ``channel`` "offline" marks a branch-staff report: about the bank."""
        prepared = self._prepare(text, title, author, id, channel)
        self._judge([prepared])
        return self._finish(prepared)

    def analyze_many(self, items: Iterable[str | Mapping[str, Any]]) -> list[Annotation]:
        """Annotations for strings or dicts with text and optional id, title, author, channel, in order.

        Texts go through in chunks of BATCH: the sentiment model scores a chunk in one pass of
        array work, which is what keeps it cheaper than segmentation."""
        out: list[Annotation] = []
        chunk: list[_Prepared] = []
        for item in items:
            if isinstance(item, Mapping):
                chunk.append(self._prepare(item.get("text"), item.get("title"), item.get("author"),
                                           item.get("id"), item.get("channel")))
            else:
                chunk.append(self._prepare(item))
            if len(chunk) >= BATCH:
                out.extend(self._finish_all(chunk))
                chunk = []
        out.extend(self._finish_all(chunk))
        return out

    def _finish_all(self, chunk: list["_Prepared"]) -> list[Annotation]:
        self._judge(chunk)
        return [self._finish(p) for p in chunk]

    def _prepare(self, text: Any, title: Any = None, author: Any = None, id: Any = None,
                 channel: str | None = None) -> "_Prepared":
        body = normalize(text)
        head = normalize(title) if title else None
        if head is not None and head.original:
            # one pass over "title\nbody" for entities and sentiment; topics keep the parts apart
            whole = normalize(head.original + "\n" + body.original)
        else:
            head, whole = None, body
        author_text = to_text(author) if author else None
        tags, tokens = self.segmenter.analyse(whole.seg_text, emoji=bool(whole.emoji))
        found = self.entities.match(whole.original, whole.text)
        open_found = self.entities.open_entities(whole.original, tags, found)
        all_found: list[Found] = self.entities.shape_places(whole.original, whole.text,
                                                            [f for f in found + open_found if f.listed])
        entities = distinct(all_found)
        by_author = self.entities.author(author_text)
        if by_author is not None:
            entities = (by_author, *entities)
        watched = self.entities.watched(found)
        if channel in OWN_CHANNELS and not watched:
            watched = (self.entities.bank,)
        return _Prepared(None if id is None else str(id), whole, head, body, tags, tokens, found, entities, watched)

    def _judge(self, chunk: list["_Prepared"]) -> None:
        """Sentiment for the texts about the watched bank. Polarity is the stance toward it: a
        text about none of its entities takes none (一路平安 wishes, another bank's praise), so
        the model is not even asked."""
        asked = [p for p in chunk if p.watched]
        if not asked:
            return
        jobs = []
        for p in asked:
            targets = (tuple(dict.fromkeys(p.whole.text[f.start:f.end] for f in p.found if f.watched))
                       if self._targets else ())
            jobs.append((p.whole.text, p.tokens, targets))
        batch = getattr(self.sentiment, "predict_batch", None)
        if batch is not None:
            results = batch(jobs, normalized=True)
        elif self._targets:
            results = [self.sentiment.predict(text, tokens, targets=targets) for text, tokens, targets in jobs]
        else:
            results = [self.sentiment.predict(text, tokens) for text, tokens, _ in jobs]
        for p, result in zip(asked, results):
            p.polarity, p.score, p.drivers = result.polarity, float(result.score), tuple(result.drivers)

    def _finish(self, p: "_Prepared") -> Annotation:
        whole, head, body, watched, entities = p.whole, p.head, p.body, p.watched, p.entities
        polarity, score, drivers, found, tags, id = p.polarity, p.score, p.drivers, p.found, p.tags, p.id
        topics: tuple[str, ...] = ()
        causes: tuple[str, ...] = ()
        harm, harm_words = 0, ()
        if watched:
            names = frozenset(e.canonical for e in entities) | frozenset(f.entity.text for f in found)
            topic = self.topics.classify(head.text if head else "", body.text, names)
            topics, causes = topic.topics, topic.causes
            rated = self.harm.rate(whole.text, polarity)
            harm, harm_words = rated.level, rated.words
        # without emoji, the tokens are the tagged words minus whitespace, which keywords() skips
        words = p.tokens if not whole.emoji else [w for w, _ in tags]
        extra: dict[str, object] = {}
        for key, value in (("urls", whole.urls), ("mentions", whole.mentions),
                           ("reposted_from", whole.reposted_from), ("emoji", whole.emoji)):
            if value:
                extra[key] = list(value)
        if whole.own_end < len(whole.text):
            extra["own_text_end"] = whole.own_end
        if whole.truncated or body.truncated:
            extra["truncated"] = True
        return Annotation(
            id=id, polarity=polarity, sentiment=max(-1.0, min(1.0, score)), drivers=drivers,
            topics=topics, causes=causes, entities=entities, watched=watched, harm=harm,
            harm_words=tuple(harm_words), keywords=keywords(words, self.top_k), script=whole.script,
            model_version=self.model_version, extra=extra)

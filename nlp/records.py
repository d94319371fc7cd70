"""Records produced by the NLP stage: one Annotation per mention."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Entity:
    text: str  # surface form as written in the mention
    type: str  # bank, branch, product, person, executive, regulator, competitor, place, org, watched_person
    canonical: str  # canonical name (watchlist name, or the text itself for open entities)
    city: str | None = None  # resolved city, when known
    province: str | None = None  # resolved province, when known


@dataclass(frozen=True, slots=True)
class Annotation:
    """What the NLP stage concluded about one mention.

    ``polarity`` is the stance toward the watched bank (neg, neu, pos; neu when the text is about
    none of the watched entities); ``sentiment`` the score in [-1, 1];
    ``drivers`` the words that moved the score. ``watched`` holds the canonical names of
    watchlist entities the text is really about (an everyday-sense alias is not among them).
    """

    id: str | None
    polarity: str
    sentiment: float
    drivers: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    causes: tuple[str, ...] = ()  # bank-side causes: management, service, process, product, system
    entities: tuple[Entity, ...] = ()
    watched: tuple[str, ...] = ()
    harm: int = 0
    harm_words: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    script: str = "none"  # hans, hant, mixed or none (no Chinese)
    model_version: str = ""
    extra: dict[str, object] = field(default_factory=dict)

"""What the sentiment model says about one text."""
from __future__ import annotations

from dataclasses import dataclass

LABELS = ("neg", "neu", "pos")


@dataclass(frozen=True, slots=True)
class SentimentResult:
    """``polarity`` is the most probable class; ``score`` is P(pos) - P(neg), in [-1, 1].

    ``drivers`` lists the words that moved the score, strongest first, with negation kept
    (不满意, not 满意) and mocked praise quoted (“高效”).
    """

    polarity: str
    score: float
    drivers: tuple[str, ...] = ()


NEUTRAL = SentimentResult("neu", 0.0, ())

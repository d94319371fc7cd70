"""Routing: which routes an alert's labels match. Pure.

Routes are tried in file order and the first match wins, unless it sets ``continue_matching``
(then later routes are tried too), the way Alertmanager's sibling routes behave. A warning whose
colour fell is routed by the colour it fell *from*, so the people who received the higher alert
hear that it eased.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .records import CHANGE_FALL, Candidate, Labels


def matches(match: Any, labels: Labels) -> bool:
    """``match`` is a config Match (kinds, colours, entities, topics, sources; empty = any)."""
    pairs = ((match.kinds, labels.kind), (match.colours, labels.colour), (match.entities, labels.entity),
             (match.topics, labels.topic), (match.sources, labels.source))
    return all(not allowed or value in allowed for allowed, value in pairs)


def routing_labels(candidate: Candidate) -> Labels:
    """The labels to route on: a fall goes where its previous colour went."""
    warning = candidate.warning
    if candidate.change == CHANGE_FALL and warning is not None and warning.previous_colour:
        return replace(candidate.labels, colour=warning.previous_colour)
    return candidate.labels


def match_routes(candidate: Candidate, routes: Sequence[Any]) -> list[Any]:
    labels = routing_labels(candidate)
    out: list[Any] = []
    for route in routes:
        if matches(route.match, labels):
            out.append(route)
            if not route.continue_matching:
                break
    return out

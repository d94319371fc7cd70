"""Annotations as plain JSON-ready dicts (for `pipeline.py analyze` and the database) and back."""
from __future__ import annotations

from typing import Any, Mapping

from .records import Annotation, Entity


def entity_to_dict(entity: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"text": entity.text, "type": entity.type, "canonical": entity.canonical}
    if entity.city:
        out["city"] = entity.city
    if entity.province:
        out["province"] = entity.province
    return out


def entity_from_dict(data: Mapping[str, Any]) -> Entity:
    return Entity(text=str(data.get("text", "")), type=str(data.get("type", "")),
                  canonical=str(data.get("canonical") or data.get("text", "")),
                  city=data.get("city"), province=data.get("province"))


def annotation_to_dict(annotation: Annotation) -> dict[str, Any]:
    return {
        "id": annotation.id,
        "polarity": annotation.polarity,
        "sentiment": round(annotation.sentiment, 4),
        "drivers": list(annotation.drivers),
        "topics": list(annotation.topics),
        "causes": list(annotation.causes),
        "entities": [entity_to_dict(e) for e in annotation.entities],
        "watched": list(annotation.watched),
        "harm": annotation.harm,
        "harm_words": list(annotation.harm_words),
        "keywords": list(annotation.keywords),
        "script": annotation.script,
        "model_version": annotation.model_version,
        "extra": dict(annotation.extra),
    }


def annotation_from_dict(data: Mapping[str, Any]) -> Annotation:
    return Annotation(
        id=None if data.get("id") is None else str(data["id"]),
        polarity=str(data.get("polarity", "neu")),
        sentiment=float(data.get("sentiment", 0.0)),
        drivers=tuple(data.get("drivers") or ()),
        topics=tuple(data.get("topics") or ()),
        causes=tuple(data.get("causes") or ()),
        entities=tuple(entity_from_dict(e) for e in data.get("entities") or ()),
        watched=tuple(data.get("watched") or ()),
        harm=int(data.get("harm", 0)),
        harm_words=tuple(data.get("harm_words") or ()),
        keywords=tuple(data.get("keywords") or ()),
        script=str(data.get("script", "none")),
        model_version=str(data.get("model_version", "")),
        extra=dict(data.get("extra") or {}),
    )

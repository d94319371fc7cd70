"""The bundled region list (nlp/data/regions.txt): provinces and prefecture-level cities."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.txt"


@dataclass(frozen=True, slots=True)
class Place:
    canonical: str  # city (without 市) or the province's full name
    city: str | None
    province: str  # full name, e.g. 湖北省


@dataclass(frozen=True)
class Regions:
    # every surface form that names a place -> the place
    names: dict[str, Place]
    # city -> province, for resolving a branch's city
    province_of: dict[str, str]

    def resolve(self, name: str) -> Place | None:
        return self.names.get(name) or self.names.get(name.removesuffix("市"))


def parse_regions(text: str) -> Regions:
    names: dict[str, Place] = {}
    province_of: dict[str, str] = {}
    ambiguous: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _, tail = line.partition(":")
        if head == "!ambiguous":
            ambiguous.update(tail.split())
            continue
        forms = head.split("|")
        province = forms[0]
        place = Place(province, None, province)
        for form in forms:
            if len(form) >= 2:
                names.setdefault(form, place)
        for city in tail.split():
            province_of[city] = province
            city_place = Place(city, city, province)
            names[city + "市"] = city_place
            # a municipality's city name is also its province's short name: the city wins
            names[city] = city_place
    for word in ambiguous:
        # an everyday word (白银 silver, 安康 well-being) names the city only as 白银市
        if word in names and names[word].city == word:
            del names[word]
    return Regions(names=names, province_of=province_of)


@functools.lru_cache(maxsize=1)
def bundled_regions() -> Regions:
    return parse_regions(REGIONS_FILE.read_text(encoding="utf-8"))

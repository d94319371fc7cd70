"""Schema of watchlist.yaml: the bank watched, its branches, products, executives, and the
regulators, competitors and people around it.

An alias is either a plain string or a mapping with rules for everyday-sense words:
``{text: 长河, needs_context: true, exclude: [历史长河]}``. ``needs_context`` makes the alias count
only when a banking context word stands within ``window`` characters; ``exclude`` lists longer
phrases containing the alias in which it never counts (长河 inside 历史长河).
"""
from __future__ import annotations

from typing import Iterable, Literal, Union

from pydantic import Field, field_validator, model_validator

from .base import StrictModel

_DEFAULT_WINDOW = 12


def _clean(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("a non-empty name")
    return value


class AliasRule(StrictModel):
    text: str
    needs_context: bool = False
    # banking words that make this alias count; empty = the watchlist's default context words
    context: list[str] = Field(default_factory=list)
    window: int | None = Field(default=None, ge=1, le=200)
    # longer phrases containing the alias in which it is an everyday word
    exclude: list[str] = Field(default_factory=list)
    # false: the alias makes a text about its entry but is not listed as an entity
    # (我行 / 本行 in the bank's own replies and branch reports)
    listed: bool = True

    @field_validator("text")
    @classmethod
    def _text_clean(cls, value: str) -> str:
        return _clean(value)

    @model_validator(mode="after")
    def _exclude_contains_alias(self) -> "AliasRule":
        for phrase in self.exclude:
            if self.text not in phrase:
                raise ValueError(f"exclude phrases that contain the alias {self.text!r}; {phrase!r} does not")
        return self


Alias = Union[str, AliasRule]


def alias_rule(alias: Alias) -> AliasRule:
    return alias if isinstance(alias, AliasRule) else AliasRule(text=_clean(alias))


class Context(StrictModel):
    window: int = Field(default=_DEFAULT_WINDOW, ge=1, le=200)
    words: list[str] = Field(default_factory=list)


class Named(StrictModel):
    name: str
    aliases: list[Alias] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name_clean(cls, value: str) -> str:
        return _clean(value)

    def alias_rules(self) -> list[AliasRule]:
        return [alias_rule(a) for a in self.aliases]


class Bank(Named):
    context: Context = Field(default_factory=Context)


class Branch(Named):
    city: str | None = None
    province: str | None = None


class Product(Named):
    kind: Literal["credit_card", "debit_card", "consumer_loan", "mortgage", "wealth", "deposit", "app",
                  "insurance", "other"] = "other"


class Executive(Named):
    title: str = ""


class Regulator(Named):
    level: Literal["national", "provincial", "local"] = "national"


class Competitor(Named):
    pass


class Person(Named):
    role: Literal["influencer", "journalist", "repeat_complainant", "official", "other"] = "other"
    outlet: str | None = None
    # account names under which this person posts (matched against a mention's author)
    accounts: list[str] = Field(default_factory=list)


class WatchlistFile(StrictModel):
    bank: Bank
    branches: list[Branch] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    executives: list[Executive] = Field(default_factory=list)
    regulators: list[Regulator] = Field(default_factory=list)
    competitors: list[Competitor] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    # phrases in which any alias is an everyday word (一路平安, 民生实事), whatever the alias
    exclude: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names_unique(self) -> "WatchlistFile":
        owner: dict[str, str] = {}
        for kind, item in self.entries():
            for surface in [item.name, *(a.text for a in item.alias_rules())]:
                previous = owner.get(surface)
                if previous is not None and previous != item.name:
                    raise ValueError(f"each name or alias to belong to one entry; {surface!r} "
                                     f"belongs to both {previous!r} and {item.name!r}")
                owner[surface] = item.name
        return self

    def entries(self) -> Iterable[tuple[str, Named]]:
        """Every entry with its kind: bank, branch, product, executive, regulator, competitor, person."""
        yield "bank", self.bank
        for kind, items in (("branch", self.branches), ("product", self.products),
                            ("executive", self.executives), ("regulator", self.regulators),
                            ("competitor", self.competitors), ("person", self.people)):
            for item in items:
                yield kind, item

    def canonical_names(self) -> set[str]:
        return {item.name for _, item in self.entries()}

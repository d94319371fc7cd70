from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.loader import DEFAULT_CONFIG_DIR, parse_file
from config.schema.watchlist import WatchlistFile


def load(text):
    return parse_file(text, "watchlist.yaml", WatchlistFile)[0]


def test_bundled_watchlist_is_valid():
    watchlist = load((DEFAULT_CONFIG_DIR / "watchlist.yaml").read_text(encoding="utf-8"))
    assert watchlist.bank.name == "长河银行"
    assert any(a.needs_context for a in watchlist.bank.alias_rules())


def test_alias_shared_by_two_entries_is_rejected():
    with pytest.raises(ConfigError) as info:
        load("bank:\n  name: 长河银行\n  aliases: [长行]\ncompetitors:\n  - name: 长城银行\n    aliases: [长行]\n")
    assert "'长行' belongs to both '长河银行' and '长城银行'" in str(info.value)


def test_exclude_phrase_must_contain_the_alias():
    with pytest.raises(ConfigError) as info:
        load("bank:\n  name: 长河银行\n  aliases:\n    - {text: 长河, exclude: [历史长流]}\n")
    assert info.value.issues[0].line == 4


def test_unknown_key_named_with_its_line():
    with pytest.raises(ConfigError) as info:
        load("bank:\n  name: 长河银行\n  nickname: 长长\n")
    issue = info.value.issues[0]
    assert (issue.line, issue.key) == (3, "bank.nickname")

"""`pipeline.py analyze`: JSON lines in, annotations out; a bad line stops the run (exit 3)."""
from __future__ import annotations

import io
import json

import pytest

import pipeline
from commands.nlp import read_items
from config.errors import InputError


def run(monkeypatch, capsys, text: str):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))
    code = pipeline.main(["analyze"])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_one_annotation_per_line_with_the_same_id(monkeypatch, capsys):
    lines = [{"id": 1, "text": "長河銀行排隊兩小時"}, {"id": "b2", "text": "历史长河", "title": "读书"}]
    code, out, _ = run(monkeypatch, capsys, "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == [1, "b2"]
    assert records[0]["watched"] == ["长河银行"] and records[1]["watched"] == []
    assert "長河銀行" in out  # ensure_ascii=False: the surface form as written
    assert {"polarity", "sentiment", "topics", "entities", "harm", "keywords", "script"} <= set(records[0])


def test_bad_line_stops_before_any_output(monkeypatch, capsys):
    code, out, err = run(monkeypatch, capsys, '{"id": 1, "text": "长河银行"}\n{"id": 2, "text": 5}\n')
    assert code == 3 and out == ""
    assert 'line 2: "text" must be a string, found int' in err


@pytest.mark.parametrize("line, message", [
    ("not json", "line 1: not valid JSON (Expecting value at column 1)"),
    ("[1, 2]", "line 1: expected a JSON object with id and text, found list"),
    ('{"text": "x"}', 'line 1: missing "id"'),
    ('{"id": [1], "text": "x"}', 'line 1: "id" must be a string or an integer'),
    ('{"id": 1}', 'line 1: "text" must be a string, found missing'),
    ('{"id": 1, "text": "x", "title": 3}', 'line 1: "title" must be a string or null'),
])
def test_read_items_messages(line, message):
    with pytest.raises(InputError) as info:
        read_items([line])
    assert str(info.value) == message


def test_bad_rule_in_config_is_exit_2_with_file_and_line(monkeypatch, capsys, tmp_path):
    (tmp_path / "watchlist.yaml").write_text("bank:\n  name: 长河银行\n", encoding="utf-8")
    (tmp_path / "taxonomy.yaml").write_text(
        "topics:\n  other:\n    label: 其他\n    cause: management\n    rules:\n      - match: (年费\n",
        encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b'{"id": 1, "text": "x"}\n'), encoding="utf-8"))
    code = pipeline.main(["analyze", "--config", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{tmp_path / 'taxonomy.yaml'}:6: topics.other.rules[0].match: expected a closing ')'" in err

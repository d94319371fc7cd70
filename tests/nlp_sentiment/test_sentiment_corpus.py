"""Reading training corpora: formats, label conventions and exact error messages."""
from __future__ import annotations

import pytest

from config.errors import InputError
from nlp.sentiment.corpus import read_corpus


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_csv_with_word_labels(tmp_path):
    path = write(tmp_path, "c.csv", "id,text,label\n1,很好,pos\n2,很差,NEG\n3,开会,neutral\n")
    assert read_corpus(path) == [("很好", "pos"), ("很差", "neg"), ("开会", "neu")]


def test_numeric_labels_three_class_when_a_two_appears(tmp_path):
    path = write(tmp_path, "c.csv", "text,label\n很好,2\n很差,0\n开会,1\n")
    assert [label for _, label in read_corpus(path)] == ["pos", "neg", "neu"]


def test_numeric_labels_binary_without_a_two(tmp_path):
    path = write(tmp_path, "c.csv", "label,text\n1,很好\n0,很差\n")
    assert [label for _, label in read_corpus(path)] == ["pos", "neg"]


def test_json_lines_with_label_or_sentiment(tmp_path):
    path = write(tmp_path, "c.jsonl", '{"text": "很好", "label": "pos"}\n\n{"id": "x", "text": "很差", "sentiment": "neg"}\n')
    assert read_corpus(path) == [("很好", "pos"), ("很差", "neg")]


@pytest.mark.parametrize("name, content, message", [
    ("c.csv", "text,label\n很好,pos\n很差,bad\n", "line 3: unknown label 'bad'; expected neg, neu, pos or 0, 1, 2"),
    ("c.csv", "text,label\n很好,pos\n,neg\n", "line 3: empty or missing text"),
    ("c.csv", "text,label\n很好,pos,extra\n", "line 2: expected 2 columns, found 3"),
    ("c.csv", "words,stars\n很好,5\n", "line 1: expected a CSV header with text and label columns, found 'words,stars'"),
    ("c.jsonl", '{"text": "很好", "label": "pos"}\n{"text": "很差", "label": \n', "line 2: not valid JSON (Expecting value)"),
    ("c.jsonl", '{"text": "很好", "label": "pos"}\n["很差", "neg"]\n',
     "line 2: expected a JSON object with text and label, found list"),
    ("c.jsonl", '{"text": "很好"}\n', "line 1: missing label; expected neg, neu, pos or 0, 1, 2"),
    ("c.jsonl", '{"text": "很好", "label": 7}\n', "line 1: unknown label '7'; expected neg, neu, pos or 0, 1, 2"),
])
def test_bad_rows_name_the_line(tmp_path, name, content, message):
    path = write(tmp_path, name, content)
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert str(info.value) == f"{path} {message}"


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="no such corpus file"):
        read_corpus(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="no labelled rows"):
        read_corpus(write(tmp_path, "e.jsonl", "\n\n"))


def test_non_utf8_names_the_line(tmp_path):
    path = tmp_path / "b.csv"
    path.write_bytes("text,label\n很好,pos\n".encode("utf-8") + "很差,neg\n".encode("gbk"))
    with pytest.raises(InputError) as info:
        read_corpus(path)
    assert str(info.value) == f"{path} line 3: not UTF-8 text"

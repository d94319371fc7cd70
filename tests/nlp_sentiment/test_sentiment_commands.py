"""train-sentiment, eval-sentiment, correct-sentiment, and the corrections store."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

import pipeline
from crawlers.records import Mention
from nlp.sentiment import load_model
from storage.corrections import UnknownMention, add_correction, latest_labels, list_corrections
from storage.mentions import store_mentions

NOW = datetime(2026, 3, 15, 9, 0, tzinfo=timezone.utc)
CORPUS = "text,label\n" + "\n".join(f"{t},{y}" for t, y in [
    ("服务很好", "pos"), ("态度很差", "neg"), ("明天开会", "neu"), ("非常满意", "pos"), ("太慢了", "neg"),
    ("请问几点开门", "neu")] * 4) + "\n"


def run(args, capsys):
    code = pipeline.main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def add_mention(db, text="柜员态度很好", title="表扬"):
    mention = Mention(source="test", channel="forum", url="https://example.test/1", canonical_url="https://example.test/1",
                      title=title, text=text, fetched_at=NOW, fingerprint="f1", simhash=1)
    with db.transaction() as session:
        store_mentions(session, [mention])
    from sqlalchemy import select

    from storage.models import Mention as Row

    with db.transaction() as session:
        return session.scalar(select(Row.id))


def test_train_then_eval_on_a_tiny_corpus(tmp_path, sqlite_url, capsys):
    corpus = tmp_path / "c.csv"
    corpus.write_text(CORPUS, encoding="utf-8")
    out_dir = tmp_path / "model"
    code, out, err = run(["train-sentiment", str(corpus), "--out", str(out_dir), "--base", "empty",
                          "--db", sqlite_url], capsys)
    assert code == 0, err
    assert "MONITOR_SENTIMENT_MODEL" in out
    assert load_model(out_dir).predict("服务很好").polarity == "pos"
    code, out, err = run(["eval-sentiment", str(corpus), "--model", str(out_dir)], capsys)
    assert code == 0, err
    assert "accuracy:    1.0000" in out
    assert "macro-F1:    1.0000" in out
    assert "confusion (rows gold, columns predicted):" in out
    assert "binary acc." in out or "binary acc:" in out


def test_eval_prints_binary_accuracy_for_a_binary_corpus(tmp_path, capsys):
    corpus = tmp_path / "b.csv"
    corpus.write_text("text,label\n非常满意,1\n态度恶劣,0\n", encoding="utf-8")
    code, out, err = run(["eval-sentiment", str(corpus)], capsys)
    assert code == 0, err
    assert "binary acc:  1.0000  on 2 neg/pos rows, by the sign of the score\n" in out


def test_bad_corpus_line_is_an_input_error(tmp_path, sqlite_url, capsys):
    corpus = tmp_path / "bad.csv"
    corpus.write_text("text,label\n很好,pos\n很差,meh\n", encoding="utf-8")
    code, _, err = run(["train-sentiment", str(corpus), "--out", str(tmp_path / "m"), "--db", sqlite_url], capsys)
    assert code == pipeline.EXIT_INPUT
    assert err == f"error: {corpus} line 3: unknown label 'meh'; expected neg, neu, pos or 0, 1, 2\n"
    assert not (tmp_path / "m").exists()


def test_eval_with_a_folder_that_is_not_a_model(tmp_path, capsys):
    corpus = tmp_path / "c.csv"
    corpus.write_text(CORPUS, encoding="utf-8")
    code, _, err = run(["eval-sentiment", str(corpus), "--model", str(tmp_path)], capsys)
    assert code == pipeline.EXIT_INPUT
    assert "is not a sentiment model folder" in err


def test_correct_sentiment_stores_and_unknown_id_is_not_found(db, sqlite_url, capsys):
    mention_id = add_mention(db)
    code, out, err = run(["correct-sentiment", str(mention_id), "pos", "--by", "小王", "--db", sqlite_url,
                          "--now", "2026-03-15T09:00:00Z"], capsys)
    assert code == 0, err
    assert f"mention {mention_id} is pos (by 小王)" in out
    [item] = list_corrections(db)
    assert (item.mention_id, item.label, item.corrected_by, item.text) == (mention_id, "pos", "小王", "表扬\n柜员态度很好")
    assert item.corrected_at.replace(tzinfo=timezone.utc) == NOW
    code, _, err = run(["correct-sentiment", "999", "neg", "--db", sqlite_url], capsys)
    assert code == pipeline.EXIT_NOT_FOUND
    assert err == "error: no mention with id 999\n"


def test_corrections_latest_wins_and_unknown_mention_raises(db):
    mention_id = add_mention(db)
    add_correction(db, mention_id=mention_id, label="neg", corrected_at=NOW)
    add_correction(db, mention_id=mention_id, label="pos", corrected_at=NOW, corrected_by="b")
    add_correction(db, text="自由文本", label="neu", corrected_at=NOW)
    assert latest_labels(list_corrections(db)) == [("表扬\n柜员态度很好", "pos"), ("自由文本", "neu")]
    assert len(list_corrections(db, mention_id=mention_id)) == 2
    with pytest.raises(UnknownMention):
        add_correction(db, mention_id=12345, label="neg", corrected_at=NOW)
    with pytest.raises(ValueError):
        add_correction(db, text="x", label="bad", corrected_at=NOW)


def test_train_includes_corrections(tmp_path, db, sqlite_url, capsys):
    mention_id = add_mention(db, text="这个叫做蓝鲸卡的东西", title=None)
    add_correction(db, mention_id=mention_id, label="neg", corrected_at=NOW)
    corpus = tmp_path / "c.csv"
    corpus.write_text(CORPUS, encoding="utf-8")
    code, _, err = run(["train-sentiment", str(corpus), "--out", str(tmp_path / "m"), "--base", "empty",
                        "--db", sqlite_url], capsys)
    assert code == 0, err
    assert "(1 corrections)" in err
    model = load_model(tmp_path / "m")
    assert model.meta["corrections"] == 1
    assert model.meta["rows"] == 25
    assert model.meta["class_counts"] == {"pos": 8, "neg": 9, "neu": 8}

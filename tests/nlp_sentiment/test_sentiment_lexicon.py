"""The rule layer on its own: negation, degree, contrast, sarcasm, comparisons."""
from __future__ import annotations

import pytest

from nlp.sentiment.lexicon import default_lexicon


@pytest.fixture(scope="module")
def lex():
    return default_lexicon()


@pytest.mark.parametrize("text, sign", [
    ("不高兴", -1),
    ("我很不满意", -1),
    ("不是不满意", 1),
    ("一点也不方便", -1),
    ("不算差", 1),
    ("没想到这么好", 1),
    ("不用担心", 1),
])
def test_negation_flips_the_next_sentiment_word(lex, text, sign):
    assert lex.score(text).total * sign > 0


def test_negation_is_shown_in_the_hit_label(lex):
    labels = [h.label for h in lex.score("这次服务我不高兴").hits]
    assert labels == ["不高兴"]
    assert [h.label for h in lex.score("不是不满意").hits] == ["不是不满意"]


def test_negation_does_not_cross_a_comma(lex):
    assert lex.score("不，很满意").total > 0


def test_degree_adverbs_scale(lex):
    plain, strong, weak = (lex.score(t).total for t in ("满意", "非常满意的服务", "有点满意"))
    assert strong > plain > weak > 0


def test_later_clause_outweighs_after_contrast(lex):
    assert lex.score("服务很好，但是利息太高了").total < 0
    assert lex.score("虽然利息高，但是服务很好").total > 0


@pytest.mark.parametrize("text", [
    "真“高效”，排队四个小时",
    "排队三个小时，真是太好了",
    "呵呵，服务真好",
    "客服态度真好🙃",
])
def test_sarcasm_cues_turn_praise_negative(lex, text):
    score = lex.score(text)
    assert score.sarcasm
    assert score.total < 0


def test_sincere_praise_without_cues_stays_positive(lex):
    score = lex.score("问题解决了，真是太好了")
    assert not score.sarcasm and score.total > 0


def test_quoted_praise_is_shown_quoted(lex):
    assert "“高效”" in [h.label for h in lex.score("真“高效”，排队四个小时").hits]


@pytest.mark.parametrize("text, sign", [
    ("招行比长河好多了", -1),
    ("长河比招行好多了", 1),
    ("招行没有长河好", 1),
    ("长河没有招行好", -1),
])
def test_comparisons_are_read_from_the_watched_side(lex, text, sign):
    assert lex.score(text, targets=("长河",)).total * sign > 0


def test_without_targets_a_comparison_is_literal(lex):
    assert lex.score("招行比长河好多了").total > 0


def test_financial_slang(lex):
    for word in ("割韭菜", "暴雷", "跑路", "取不出钱", "爆仓", "套牢", "踩雷", "智商税", "黑心", "态度恶劣"):
        assert lex.score(f"这家银行{word}").total < 0, word
    for word in ("点赞", "靠谱", "给力", "暖心"):
        assert lex.score(f"这家银行{word}").total > 0, word


def test_everyday_words_that_contain_sentiment_characters_are_blocked(lex):
    assert lex.score("好像明天开门").total == 0
    assert lex.score("差不多十点到").total == 0


def test_playful_emoticons_are_no_sarcasm_cue(lex):
    # [doge] and [允悲] tease or laugh at oneself; they do not turn the praise around
    score = lex.score("手机摔了还好没碎，钢化膜质量真好[doge]")
    assert not score.sarcasm and score.total > 0


def test_a_weak_cue_turns_only_its_own_sentence_and_the_one_before(lex):
    long_post = "朋友们都很开心。后来我去了趟银行。银行排队三个小时，真是太好了"
    score = lex.score(long_post)
    assert score.sarcasm
    labels = {h.label: h.weight for h in score.hits}
    assert labels["开心"] > 0  # another sentence keeps its sense
    assert labels["“真是太好了”"] < 0


def test_emoticons_keep_their_sign_under_sarcasm(lex):
    score = lex.score("呵呵，客服又挂我电话[心]")
    assert score.sarcasm
    assert {h.label: h.weight for h in score.hits}["[心]"] > 0


def test_scare_quotes_wrap_the_word_alone(lex):
    assert lex.score("真“高效”，排队四个小时").sarcasm
    # quoted speech is not a scare quote
    assert not lex.score("他笑着说“今天真开心啊，谢谢大家”").sarcasm


@pytest.mark.parametrize("text", ["可爱的小朋友", "最好提前预约", "还好赶上了"])
def test_words_starting_with_a_degree_character_stay_whole(lex, text):
    # 可爱 is not 可 x 爱, and 最好 (a zero-weight blocker) is not 最 x 好
    first = text[:2]
    assert first in lex.words


def test_no_word_is_listed_with_two_signs():
    # A word listed twice keeps its strongest weight, so a second listing with another sign
    # (0 for "two-sided") would be silently ignored.
    from nlp.sentiment.lexicon import DATA_DIR, LEXICON_FILES, _read_weighted

    signs: dict[str, set[tuple[int, str]]] = {}
    for name in LEXICON_FILES:
        for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            weight, _, words = line.partition("\t")
            for word in words.split():
                signs.setdefault(word, set()).add(((float(weight) > 0) - (float(weight) < 0), name))
    conflicts = {word: sorted(found) for word, found in signs.items() if len({sign for sign, _ in found}) > 1}
    assert conflicts == {}
    assert _read_weighted(DATA_DIR / "lexicon_social.tsv")["[二哈]"] == -1

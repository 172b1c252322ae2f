"""The out-of-scope margin: a bot answers only when its best intent is clearly more likely than
out of scope (``thresholds.out_of_scope_margin``), except for a story before the question and a
form's answer, which read as out of scope whatever they are about.

Each test builds one row of label probabilities by hand and asks ``decide_scoped``, so the
figures are exact and do not depend on how the classifier happens to score a phrasing.
"""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from shared_nlu.nlu import NluEngine
from shared_nlu.pack.loader import PackSet, load_packs
from shared_nlu.pack.model import Thresholds
from tests.conftest import recycle_desk_faq

OUT_OF_SCOPE = "common/out_of_scope"
ROOT = Path(__file__).resolve().parents[1]


def _row(engine: NluEngine, best: str, best_p: float, oos_p: float) -> np.ndarray:
    labels = engine.classifier.labels
    row = np.full(len(labels), (1.0 - best_p - oos_p) / (len(labels) - 2))
    row[labels.index(best)] = best_p
    row[labels.index(OUT_OF_SCOPE)] = oos_p
    return row


def _ratio_for(margin: float, engine: NluEngine) -> float:
    """The probability ratio best / out of scope that a margin asks for."""
    return math.exp(margin / engine.classifier.config.temperature)


def test_the_calibrated_margin_asks_for_several_times_the_out_of_scope_probability(
    real_nlu: NluEngine, real_packs: PackSet
) -> None:
    assert 4.0 < _ratio_for(real_packs.packs["consumer"].bot.thresholds.out_of_scope_margin, real_nlu) < 5.0


def test_a_pack_that_calibrated_nothing_needs_only_to_beat_out_of_scope() -> None:
    assert Thresholds().out_of_scope_margin == 0.0


FAQ_ROWS = recycle_desk_faq()


def test_a_bot_made_from_a_five_row_faq_answers_its_questions_asked_in_other_words(tmp_path: Path) -> None:
    """The self-service path: a department's FAQ spreadsheet is a bot at once. With one example a
    question, its own paraphrases keep some out-of-scope probability: a default margin tuned on
    the shipped packs turned 「乾電池ってどう捨てたらいい？」 away."""
    from admin.bot_creation import NewBot, starter_pack
    from admin.faq_import import read_spreadsheet

    shutil.copytree(ROOT / "bots", tmp_path / "bots")
    folder = tmp_path / "bots" / "recycle_desk"
    folder.mkdir()
    spec = NewBot(
        "recycle_desk",
        "ごみ分別案内",
        "環境農林水産",
        "ごみの分け方・出し方",
        "資源循環課",
        "06-6210-9999",
        "09:00-17:45",
    )
    for name, text in starter_pack(spec).items():
        (folder / name).write_text(text, encoding="utf-8")
    sheet = "質問,回答\n" + "\n".join(f"{q},{a}" for q, a in FAQ_ROWS)
    (folder / "faq.yml").write_text(
        read_spreadsheet("faq.csv", sheet.encode()).faq_yml(date.today()), encoding="utf-8"
    )
    engine = NluEngine.train(load_packs([tmp_path / "bots"]))
    asked = {  # asked in other words → the spreadsheet's question it should find
        "乾電池ってどう捨てたらいい？": "乾電池の捨て方を知りたい",
        "ペットボトルのキャップってどうするの": "ペットボトルのキャップは外しますか",
        "資源ごみはいつ出せばいい？": "資源ごみの日はいつですか",
        "蛍光灯はどうやって捨てる？": "蛍光灯は何ごみですか",
    }
    intents = engine.packs.packs["recycle_desk"].intents
    for text, question in asked.items():
        result = engine.parse(text, bot="recycle_desk")
        assert result.intent in intents, (text, result.intent, result.fallback_reason)
        assert question in [example.text for example in intents[result.intent].examples], (
            text,
            result.intent,
        )


@pytest.fixture(scope="module")
def tax_ratio(real_nlu: NluEngine, real_packs: PackSet) -> float:
    margin = real_packs.packs["tax"].bot.thresholds.out_of_scope_margin
    assert margin > 0
    return _ratio_for(margin, real_nlu)


def test_an_intent_not_clearly_likelier_than_out_of_scope_is_turned_away(
    real_nlu: NluEngine, tax_ratio: float
) -> None:
    oos = 0.1
    row = _row(real_nlu, "tax/auto_tax_due_date", oos * tax_ratio * 0.8, oos)
    result = real_nlu.decide_scoped("自動車税の期限はいつ", row, "tax")
    assert (result.intent, result.fallback_reason) == ("nlu_fallback", "out_of_scope")


def test_an_intent_clearly_likelier_than_out_of_scope_is_answered(
    real_nlu: NluEngine, tax_ratio: float
) -> None:
    oos = 0.1
    row = _row(real_nlu, "tax/auto_tax_due_date", oos * tax_ratio * 1.25, oos)
    result = real_nlu.decide_scoped("自動車税の期限はいつ", row, "tax")
    assert result.intent == "auto_tax_due_date"


def test_a_story_before_the_question_needs_only_to_beat_out_of_scope(
    real_nlu: NluEngine, tax_ratio: float
) -> None:
    oos = 0.1
    row = _row(real_nlu, "tax/auto_tax_due_date", oos * tax_ratio * 0.8, oos)
    story = "去年車を買いました。税金のことはよく知りません。通知も見ていません。自動車税の期限はいつですか。"
    assert real_nlu.decide_scoped(story, row, "tax").intent == "auto_tax_due_date"


def test_a_forms_answer_needs_only_to_beat_out_of_scope(real_nlu: NluEngine, real_packs: PackSet) -> None:
    oos = 0.1
    margin = real_packs.packs["consumer"].bot.thresholds.out_of_scope_margin
    assert margin > 0
    row = _row(real_nlu, "consumer/inform", oos * _ratio_for(margin, real_nlu) * 0.8, oos)
    assert real_nlu.decide_scoped("きのう", row, "consumer").intent == "inform"


def test_the_front_door_has_no_margin(real_nlu: NluEngine, real_packs: PackSet) -> None:
    # calibrated to 0: its conversation tests ask 「転出届ってどこで出したらええの？」, as likely out
    # of scope as not (bots/inquiry/bot.yml)
    assert real_packs.packs["inquiry"].bot.thresholds.out_of_scope_margin == 0.0
    row = _row(real_nlu, "inquiry/municipal_redirect", 0.5, 0.4)
    assert real_nlu.decide_scoped("転出届を出したい", row, "inquiry").intent == "municipal_redirect"

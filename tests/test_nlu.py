"""The NLU engine: known answers, out of scope, routing, result shape, persistence, determinism."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shared_nlu.nlu import NluEngine, ParseResult
from shared_nlu.nlu.persistence import ModelMismatchError, load_engine, save_engine
from shared_nlu.nlu.result import FallbackReason
from shared_nlu.pack import load_packs
from tests.packs_inline import TAX, write_packs


def test_should_classify_known_questions_of_a_pack(real_nlu: NluEngine) -> None:
    cases = {
        "自動車税っていつまでに払えばいいんですか": ("tax", "auto_tax_due_date"),
        "クーリングオフについて教えて": ("consumer", "cooling_off_about"),
        "パスポートの申請はどこでできますか": ("inquiry", "passport"),
        "府営住宅に申し込みたい": ("inquiry", "prefectural_housing"),
    }
    for text, (bot, intent) in cases.items():
        result = real_nlu.parse(text)
        assert (result.bot, result.intent) == (bot, intent), text


@pytest.mark.parametrize(
    "text", ["あsdふぁsdfg", "qwertyuiop", "今日の晩ごはん何にしよう", "好きなアイドルは誰？", "ｗｗｗｗｗ"]
)
def test_should_send_gibberish_and_unrelated_chat_to_fallback(real_nlu: NluEngine, text: str) -> None:
    result = real_nlu.parse(text)
    assert result.intent == "nlu_fallback"
    assert result.bot is None


@pytest.mark.parametrize(
    ("text", "bot"),
    [
        ("車の税金の期限はいつ？", "tax"),
        ("マルチ商法に誘われて困っています", "consumer"),
        ("コロナのワクチンはどこで打てる？", "covid_general"),
        ("感染防止宣言ステッカーの申請方法", "covid_sticker"),
        ("コロナ追跡システムからメールが届いた", "covid_tracing"),
        ("運転免許の更新はどこでしますか", "inquiry"),
        ("こんにちは", "common"),
    ],
)
def test_should_route_a_message_to_the_bot_that_covers_it(real_nlu: NluEngine, text: str, bot: str) -> None:
    assert real_nlu.parse(text).bot == bot


def test_should_only_answer_with_intents_the_bot_may_use(real_nlu: NluEngine) -> None:
    result = real_nlu.parse("自動車税の納期限はいつですか", bot="consumer")
    assert all(r.bot in ("consumer", "common") for r in result.ranking)
    assert result.bot != "tax"
    routed = real_nlu.parse("自動車税の納期限はいつですか", bot="inquiry")
    assert routed.bot == "tax"


def test_should_return_rasa_shaped_results_with_sorted_confidences(real_nlu: NluEngine) -> None:
    result = real_nlu.parse("When is the automobile tax due?").to_dict()
    assert set(result) >= {"text", "intent", "intent_ranking", "entities", "bot", "language", "ambiguous"}
    assert result["language"] == "en"
    confidences = [r["confidence"] for r in result["intent_ranking"]]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0.0 <= c <= 1.0 for c in confidences)
    json.dumps(result)  # serialisable as the API returns it


def test_should_give_the_fallback_reason_as_plain_text_and_build_results_by_keyword(real_nlu) -> None:
    result = real_nlu.parse("今日の晩ごはん何にしよう", bot="tax")
    assert result.is_fallback and result.fallback_reason in set(FallbackReason)
    reason = result.to_dict()["fallback_reason"]
    assert type(reason) is str and reason == result.fallback_reason.value  # the API's JSON, as before
    with pytest.raises(TypeError):  # nine fields, five of them strings: no positional mix-ups
        ParseResult("text", "intent", 1.0, None, "ja")  # type: ignore[misc]
    empty = ParseResult.out_of_scope("", "ja")
    assert (empty.intent, empty.bot, empty.fallback_reason) == (
        "nlu_fallback",
        None,
        FallbackReason.OUT_OF_SCOPE,
    )


def test_should_extract_builtin_and_pack_entities(real_nlu: NluEngine) -> None:
    from datetime import date

    result = real_nlu.parse("11月20日に訪問販売で契約しました", today=date(2026, 11, 28))
    found = {(e.entity, e.value) for e in result.entities}
    assert ("date", "2026-11-20") in found
    assert ("transaction_type", "訪問販売") in found


def test_should_raise_for_an_unknown_bot(real_nlu: NluEngine) -> None:
    with pytest.raises(KeyError, match="unknown bot"):
        real_nlu.parse("こんにちは", bot="nonexistent")


def test_should_give_identical_results_after_save_and_load(real_nlu: NluEngine, real_packs, tmp_path) -> None:
    save_engine(real_nlu, tmp_path / "model")
    loaded = load_engine(tmp_path / "model", real_packs)
    texts = ["自動車税の期限", "クーリングオフしたい", "hello", "ワクチンの予約はどうするの"]
    assert np.allclose(real_nlu.probabilities(texts), loaded.probabilities(texts))
    assert [real_nlu.parse(t).to_dict() for t in texts] == [loaded.parse(t).to_dict() for t in texts]


def test_should_refuse_a_model_trained_from_other_packs(real_nlu: NluEngine, tmp_path) -> None:
    save_engine(real_nlu, tmp_path / "model")
    other = load_packs([write_packs(tmp_path / "packs")])
    with pytest.raises(ModelMismatchError, match="other packs"):
        load_engine(tmp_path / "model", other)


def test_should_train_identical_models_twice(tmp_path) -> None:
    packs = load_packs([write_packs(tmp_path, tax={"nlu.yml": TAX["nlu.yml"]})])
    first, second = NluEngine.train(packs), NluEngine.train(packs)
    assert first.classifier.labels == second.classifier.labels
    assert np.array_equal(first.classifier.coef, second.classifier.coef)

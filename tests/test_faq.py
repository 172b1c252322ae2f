"""A department's existing FAQ list (faq.yml) becomes a working bot: validated, retrieved by
question and answer text, answered with the FAQ's own answer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from shared_nlu.dialogue.engine import DialogueEngine
from shared_nlu.nlu import NluEngine
from shared_nlu.pack import load_packs, read_pack_folder, validate_packs
from tests.packs_inline import COMMON, write_pack

FAQ_BOT = {
    "bot.yml": """\
version: "1"
id: gomi
name: {ja: ごみ相談, en: Waste}
department: 環境農林
description: {ja: ごみの出し方, en: Waste}
contact: {name: {ja: 府民お問合せセンター}, phone: 06-6910-8001, hours: "09:00-18:00"}
""",
    "nlu.yml": 'version: "3.1"\nnlu: []\n',
    "responses.yml": 'version: "3.1"\nresponses: {}\n',
    "faq.yml": """\
version: "1"
checked_on: 2026-11-28
faq:
  - id: q1
    question: 粗大ごみの出し方を教えてください
    answer: 粗大ごみは事前に申し込みが必要です。お住まいの市区町村の受付センターにお申し込みください。
  - id: q2
    question: 引越しのときのごみはどうすればいいですか
    answer: 引っ越しで一度に多く出るごみは、臨時収集の申し込みができる場合があります。
  - id: q3
    question: 電池はどうやって捨てますか
    answer: 乾電池は有害ごみとして、絶縁のためテープを貼って出してください。
""",
}


def _packs(tmp_path):
    write_pack(tmp_path, "common", COMMON)
    write_pack(tmp_path, "gomi", FAQ_BOT)
    return load_packs([tmp_path])


def test_should_turn_each_faq_entry_into_an_intent_with_its_answer(tmp_path) -> None:
    pack = _packs(tmp_path).packs["gomi"]
    assert pack.faq_intents == {"faq_q1", "faq_q2", "faq_q3"}
    assert pack.responses["utter_faq_q3"].for_language("ja")[0].text.startswith("乾電池")


def test_should_find_entries_by_question_variants_and_by_answer_text(tmp_path) -> None:
    engine = NluEngine.train(_packs(tmp_path))
    assert engine.parse("ひっこしの時に出るゴミ", bot="gomi").ranking[0].name == "faq_q2"
    assert (
        engine.parse("乾電池にテープを貼るの？", bot="gomi").ranking[0].name == "faq_q3"
    )  # only the answer says テープ
    assert engine.parse("粗大ごみ", bot="gomi").intent == "faq_q1"


def test_should_answer_with_the_faqs_own_answer(tmp_path) -> None:
    dialogue = DialogueEngine(NluEngine.train(_packs(tmp_path)))
    state = dialogue.new_session("s", "gomi")
    turn = dialogue.handle(
        state, "粗大ごみの受付センター", datetime(2026, 11, 25, 10, tzinfo=ZoneInfo("Asia/Tokyo"))
    )
    assert turn.messages[0].response == "utter_faq_q1" and "受付センター" in turn.messages[0].text


def test_should_report_faq_mistakes_with_file_and_line(tmp_path) -> None:
    broken = FAQ_BOT["faq.yml"].replace(
        "  - id: q2\n    question: 引越しのときのごみはどうすればいいですか\n", "  - id: q2\n"
    )
    broken = broken.replace("id: q3", "id: Q 3")
    write_pack(tmp_path, "common", COMMON)
    write_pack(tmp_path, "gomi", {**FAQ_BOT, "faq.yml": broken})
    diags = validate_packs({p.name: read_pack_folder(p) for p in tmp_path.iterdir()})[1]
    codes = {(d.code, d.file) for d in diags.errors}
    assert ("missing-key", "gomi/faq.yml") in codes and ("bad-name", "gomi/faq.yml") in codes

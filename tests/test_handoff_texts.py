"""Hand-off says what happens: a number to call, never a promised transfer, each centre once."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from shared_nlu.clock import JAPAN
from shared_nlu.constants import COMMON_BOT
from shared_nlu.dialogue.texts import TEXTS

OPEN = datetime(2026, 12, 8, 10, 0, tzinfo=JAPAN)  # a Tuesday morning
CLOSED = datetime(2026, 12, 6, 10, 0, tzinfo=JAPAN)  # a Sunday

# Words that promise the chat will be passed to a person; the bots only give numbers to call.
LIVE_TRANSFER = re.compile(
    r"おつなぎします|おつなぎいたします|お繋ぎします|担当者に(代わ|かわ)ります|担当者が(対応|お答え)します|転送します|"
    r"connect(ing)? you (to|with) (a|an|our) (person|member|operator|staff)|transfer(ring)? you|"
    r"you can talk to a person|a member of staff will",
    re.IGNORECASE,
)
CENTRES = [
    "府民お問合せセンター",
    "大阪府消費生活センター",
    "06-6910-8001",
    "06-6616-0888",
    "Citizen Inquiry Center",
    "Consumer Affairs Center",
]


def bots(real_packs) -> list[str]:
    return sorted(b for b in real_packs.packs if b != COMMON_BOT)


def handoff_messages(real_dialogue, bot: str, language: str, now: datetime, how: str) -> list:
    state = real_dialogue.new_session(f"handoff:{bot}", bot).update(language=language)
    if how == "requested":
        turn = real_dialogue.handle(state, "/handoff_human", now)
    else:  # two messages in a row that nothing covers
        first = real_dialogue.handle(state, "qwzx ploof", now)
        turn = real_dialogue.handle(first.state, "zzqv blorp", now)
    assert any(m.intent == "handoff_human" for m in turn.messages), [m.response for m in turn.messages]
    return turn.messages


@pytest.mark.parametrize("how", ["requested", "repeated_fallback"])
@pytest.mark.parametrize("now", [OPEN, CLOSED], ids=["open", "closed"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_should_give_a_number_without_promising_a_transfer_or_repeating_a_centre(
    real_packs, real_dialogue, language, now, how
):
    for bot in bots(real_packs):
        # Given a resident of any bot who asks for a person (or is not understood twice)
        # When the bot hands off
        messages = handoff_messages(real_dialogue, bot, language, now, how)
        for message in messages:
            # Then no message promises a live transfer, and none names a centre or number twice
            assert not LIVE_TRANSFER.search(message.text), (bot, message.text)
            for centre in CENTRES:
                assert message.text.count(centre) <= 1, (bot, centre, message.text)
        # and a number to call is given
        assert any(re.search(r"\d{2,4}-\d{3,4}-\d{4}|188", m.text) for m in messages), bot


@pytest.mark.parametrize("now", [OPEN, CLOSED], ids=["open", "closed"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_should_hand_consumer_matters_to_188_and_the_consumer_centre(real_dialogue, language, now):
    # Given a resident of the consumer bot who asks for a person
    messages = handoff_messages(real_dialogue, "consumer", language, now, "requested")
    text = "\n".join(m.text for m in messages)
    # Then the hand-off gives 188 and the centre's line (weekdays), not the inquiry centre
    assert "188" in text and "06-6616-0888" in text
    assert ("平日" if language == "ja" else "weekdays") in text
    assert "06-6910-8001" not in text


def test_should_not_promise_a_transfer_in_any_engine_text_or_pack_response(real_packs):
    # Given every engine text and every response of every pack
    texts = [(name, t) for name, by_language in TEXTS.items() for t in by_language.values()]
    texts += [
        (f"{pack.id}/{name}", variant.text)
        for pack in real_packs.packs.values()
        for name, response in pack.responses.items()
        for variants in response.variants.values()
        for variant in variants
    ]
    # Then none promises to pass the chat to a person
    assert [name for name, text in texts if LIVE_TRANSFER.search(text)] == []


def test_should_name_each_centre_at_most_once_in_every_text(real_packs):
    # Given every engine text (as written, with its placeholders) and every pack response
    texts = [(name, t) for name, by_language in TEXTS.items() for t in by_language.values()]
    texts += [
        (f"{pack.id}/{name}", variant.text)
        for pack in real_packs.packs.values()
        for name, response in pack.responses.items()
        for variants in response.variants.values()
        for variant in variants
    ]
    names = [*CENTRES, "{bot_name}", "{contact_name}", "{other_bot_name}", "{contact_phone}"]
    # Then none names the same centre, bot or number twice (「X」の担当です。Xのチャット…)
    repeated = [(name, centre) for name, text in texts for centre in names if text.count(centre) > 1]
    assert repeated == []

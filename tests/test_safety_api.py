"""Safety first through the resident API, on SQLite and PostgreSQL: every safety intent is
answered from every bot's widget, from ``/model/parse`` (per bot and routed), and in the middle
of the consumer bot's cooling-off form."""

from __future__ import annotations

import pytest

# One new message per safety intent (not in any pack), and the numbers its answer must give.
CRISES = {
    "child_abuse": ("うちのアパートの隣、毎晩子どもがぎゃーって泣き叫んでる", ("189", "110")),
    "suicide_crisis": ("生きてるのがしんどくて、もう楽になりたい", ("0570-064-556", "0120-279-338", "119")),
    "domestic_violence": (
        "彼氏に毎日LINEをチェックされて、逆らうと叩かれる",
        ("#8008", "0120-279-889", "110"),
    ),
    "medical_emergency": ("母が胸を押さえてうずくまってる、救急車呼ぶべき？", ("119", "#7119", "#8000")),
    "crime_danger": ("帰り道、知らない男に後をつけられてる気がする", ("110", "#9110")),
}


def bot_ids(client) -> list[str]:
    return [bot["id"] for bot in client.get("/api/v1/bots").json()["bots"]]


def send(client, bot: str, session_id: str, text: str) -> dict:
    response = client.post(f"/api/v1/bots/{bot}/messages", json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def start(client, bot: str) -> str:
    response = client.post(f"/api/v1/bots/{bot}/sessions", json={"language": "ja"})
    assert response.status_code == 200, response.text
    return response.json()["session_id"]


@pytest.mark.parametrize("intent", sorted(CRISES))
def test_should_answer_a_safety_intent_from_every_bots_widget(client, intent: str) -> None:
    text, numbers = CRISES[intent]
    bots = bot_ids(client)
    assert len(bots) >= 6
    for bot in bots:
        # When a resident in danger writes to this bot's widget
        body = send(client, bot, start(client, bot), text)
        # Then the first (and only) answer is the safety answer with the catalog's numbers
        first = body["messages"][0]
        assert first["response"] == f"utter_{intent}", (bot, body["messages"])
        assert len(body["messages"]) == 1
        for number in numbers:
            assert number in first["text"], (bot, number)


@pytest.mark.parametrize("intent", sorted(CRISES))
def test_should_parse_a_safety_intent_per_bot_and_routed(client, intent: str) -> None:
    text, _ = CRISES[intent]
    routed = client.post("/model/parse", json={"text": text}).json()
    assert (routed["intent"]["name"], routed["bot"]) == (intent, "common")
    assert routed["intent_ranking"][0]["name"] == intent
    for bot in bot_ids(client):
        parsed = client.post(f"/bots/{bot}/model/parse", json={"text": text}).json()
        assert (parsed["intent"]["name"], parsed["bot"]) == (intent, "common"), bot


def test_should_answer_safety_first_during_the_cooling_off_form(client) -> None:
    # Given the consumer bot in the middle of the cooling-off check
    session_id = start(client, "consumer")
    asked = send(client, "consumer", session_id, "クーリングオフできるか確認したい")
    assert asked["status"] == "in_form"
    # When the resident writes about violence at home instead of the transaction type
    body = send(client, "consumer", session_id, "訪問販売の契約のことで夫に怒鳴られて、怖くて家に帰れない")
    # Then the DV answer comes, and the form's question is not asked again
    assert [m["response"] for m in body["messages"]] == ["utter_domestic_violence"]
    assert body["status"] == "idle"
    assert "#8008" in body["messages"][0]["text"]

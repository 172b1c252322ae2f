"""Dates are Japan's everywhere: 「今日」 at 01:30 JST is that day, though UTC still says yesterday."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from shared_nlu import clock
from shared_nlu.clock import JAPAN, now_in_japan, to_japan_time, today_in_japan

# 16:30 UTC on 7 December is 01:30 JST on 8 December: the hours where a UTC date is a day behind
FROZEN = datetime(2026, 12, 7, 16, 30, tzinfo=UTC)
JAPAN_DAY = "2026-12-08"


def dates_in(parse: dict) -> list[str]:
    return [e["value"] for e in parse["entities"] if e["entity"] == "date"]


@pytest.fixture
def frozen_service_clock(services, monkeypatch):
    monkeypatch.setattr(services.chat, "clock", lambda: FROZEN)
    return FROZEN


def test_should_give_the_japan_day_for_a_moment_in_utc():
    # Given 16:30 UTC on 7 December
    # When the day in Japan is asked
    # Then it is the 8th; a naive moment is already Japan time
    assert today_in_japan(FROZEN) == date(2026, 12, 8)
    assert today_in_japan(datetime(2026, 12, 7, 23, 59)) == date(2026, 12, 7)
    assert to_japan_time(FROZEN).hour == 1 and now_in_japan().tzinfo is JAPAN


def test_should_resolve_today_in_japan_when_parse_gets_no_date(platform_nlu, monkeypatch):
    # Given the clock at 01:30 JST on the 8th (16:30 UTC on the 7th)
    monkeypatch.setattr(clock, "now_in_japan", lambda: FROZEN.astimezone(JAPAN))
    # When a message is parsed without a reference date (the CLI, reports)
    parse = platform_nlu.parse("今日契約書をもらいました", bot="consumer")
    # Then 「今日」 is the 8th
    assert [e.value for e in parse.entities if e.entity == "date"] == [JAPAN_DAY]


@pytest.mark.parametrize("path", ["/model/parse", "/bots/consumer/model/parse"])
def test_should_resolve_today_in_japan_through_model_parse(client, frozen_service_clock, path):
    # Given the service clock at 16:30 UTC on 7 December (01:30 JST on the 8th)
    # When 「今日」 and 「きのう」 are parsed through Rasa's parse endpoint
    today = client.post(path, json={"text": "今日契約書をもらいました"})
    yesterday = client.post(path, json={"text": "きのう書面が届いた"})
    # Then they are the 8th and the 7th, the days in Japan
    assert today.status_code == 200, today.text
    assert dates_in(today.json()) == [JAPAN_DAY]
    assert dates_in(yesterday.json()) == ["2026-12-07"]


def test_should_count_cooling_off_days_in_japan_through_the_widget(client, frozen_service_clock):
    # Given the service clock at 01:30 JST on 8 December
    session_id = client.post("/api/v1/bots/consumer/sessions", json={"language": "ja"}).json()["session_id"]

    def send(text: str) -> list[dict]:
        body = {"session_id": session_id, "text": text}
        response = client.post("/api/v1/bots/consumer/messages", json=body)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    # When a resident checks a door-to-door sale whose document came 「今日」
    send("/cooling_off_check")
    send('/inform{"transaction_type": "訪問販売"}')
    (answer,) = send("今日です")
    # Then the 8th is day 1 and the 15th the last day
    assert answer["response"] == "utter_cooling_off_running"
    assert "2026年12月8日（火）" in answer["text"] and "2026年12月15日（火）" in answer["text"]

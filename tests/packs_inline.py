"""Tiny packs written inline, for tests that must not depend on the content of bots/."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

COMMON = {
    "bot.yml": """\
        version: "1"
        id: common
        name: {ja: 共通, en: Common}
        department: スマートシティ戦略
        description: {ja: 共通の応答, en: Shared answers}
        include_common: false
        contact:
          name: {ja: 府民お問合せセンター}
          phone: 06-6910-8001
          hours: "09:00-18:00"
        """,
    "nlu.yml": """\
        version: "3.1"
        nlu:
        - intent: greet
          examples: |
            - こんにちは
            - こんばんは
            - おはようございます
            - hello
            - どうも
        - intent: thanks
          examples: |
            - ありがとう
            - ありがとうございました
            - 助かりました
            - おおきに
            - thank you
        """,
    "responses.yml": """\
        version: "3.1"
        responses:
          utter_greet:
            ja:
              - text: こんにちは。
          utter_thanks:
            - text: どういたしまして。
        """,
}

TAX = {
    "bot.yml": """\
        version: "1"
        id: tax
        name: {ja: 府税相談, en: Tax}
        department: 財務・税務
        description: {ja: 府税のご質問, en: Tax questions}
        languages: [ja, en]
        contact:
          name: {ja: 府民お問合せセンター}
          phone: 06-6910-8001
          hours: "09:00-18:00"
        """,
    "nlu.yml": """\
        version: "3.1"
        nlu:
        - intent: auto_tax_due_date
          examples: |
            - 自動車税の期限はいつですか
            - 自動車税 期限
            - 車の税金いつまでに払うん
            - 納期限を教えて
            - when is the car tax due
        - intent: auto_tax_payment
          examples: |
            - 自動車税はどこで払えますか
            - コンビニで払える？
            - クレジットカードで納付したい
            - 支払い方法
            - how can I pay the car tax
        - synonym: 自動車税
          examples: |
            - 車の税金
        """,
    "responses.yml": """\
        version: "3.1"
        responses:
          utter_auto_tax_due_date:
            checked_on: 2026-11-28
            ja:
              - text: 納期限は5月31日です。
                buttons:
                  - title: 支払い方法
                    payload: /auto_tax_payment
            en:
              - text: It is due on 31 May.
          utter_auto_tax_payment:
            checked_on: 2026-11-28
            ja:
              - text: 銀行やコンビニで納付できます。
        """,
}


COMMON = {name: dedent(text) for name, text in COMMON.items()}
TAX = {name: dedent(text) for name, text in TAX.items()}


def write_pack(root: Path, bot_id: str, files: dict[str, str]) -> Path:
    folder = root / bot_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_packs(root: Path, **overrides: dict[str, str]) -> Path:
    """Write common + tax into ``root``; ``overrides`` replaces files, e.g. tax={"nlu.yml": "…"}."""
    for bot_id, files in (("common", COMMON), ("tax", TAX)):
        write_pack(root, bot_id, {**files, **overrides.get(bot_id, {})})
    return root

"""What the engine itself says, in Japanese and English. Packs may override each with a response
of the same name (e.g. ``utter_nlu_fallback``)."""

from __future__ import annotations

from ..constants import (
    AMBIGUOUS_CHOICE_RESPONSE,
    CLARIFY_NONE_RESPONSE,
    CLARIFY_RESPONSE,
    DOMAIN_CONTACT_RESPONSE,
    EMPTY_ANSWER_RESPONSE,
    FALLBACK_RESPONSE,
    FORM_CANCELLED_RESPONSE,
    FUTURE_DATE_RESPONSE,
    HANDOFF_CLOSED_RESPONSE,
    HANDOFF_OPEN_RESPONSE,
    INVALID_CHOICE_RESPONSE,
    INVALID_DATE_RESPONSE,
    INVALID_NUMBER_RESPONSE,
    NUMBER_OUT_OF_RANGE_RESPONSE,
    OFFER_HANDOFF_RESPONSE,
    OPEN_BOT_BUTTON_RESPONSE,
    OPEN_BOT_RESPONSE,
    OTHER_BOT_RESPONSE,
    OUT_OF_DATE_RESPONSE,
    ROUTED_RESPONSE,
    WELCOME_RESPONSE,
)

# Hand-off texts give a number to call: the chat is never passed to a person, so no text may
# promise a transfer (「おつなぎします」「担当者に代わります」); tests/test_handoff_texts.py checks it.
TEXTS: dict[str, dict[str, str]] = {
    WELCOME_RESPONSE: {
        "ja": "{bot_name}です。{description}\nご質問をどうぞ。よくあるご質問は下のボタンからも選べます。",
        "en": "This is {bot_name}. {description}\nPlease type your question, or choose one below.",
    },
    FALLBACK_RESPONSE: {
        "ja": "申し訳ありません。そのご質問には、このチャットではお答えできません。{bot_name}では、次のようなご質問にお答えしています。\n{topics}\nそれ以外のご相談は、{domain_contact}へどうぞ。",
        "en": "Sorry, I cannot answer that here. {bot_name} can help with questions such as:\n{topics}\nFor anything else, please contact {domain_contact}.",
    },
    OTHER_BOT_RESPONSE: {
        "ja": "そのご質問には「{other_bot_name}」がお答えします。下のボタンでそちらのチャットに切り替えて、もう一度おたずねください。お電話でのご相談は{other_contact}へどうぞ。",
        "en": "“{other_bot_name}” answers that question. Use the button below to switch to its chat and ask again. To talk to someone, contact {other_contact}.",
    },
    OPEN_BOT_BUTTON_RESPONSE: {"ja": "「{other_bot_name}」で質問する", "en": "Ask “{other_bot_name}”"},
    OPEN_BOT_RESPONSE: {
        "ja": "「{other_bot_name}」のチャットで続けておたずねください。お電話でのご相談は{other_contact}へどうぞ。",
        "en": "Please ask “{other_bot_name}” in its own chat. To talk to someone, contact {other_contact}.",
    },
    DOMAIN_CONTACT_RESPONSE: {
        "ja": "{contact_name}（電話 {contact_phone}、平日 {contact_hours}）",
        "en": "{contact_name} (phone {contact_phone}, weekdays {contact_hours})",
    },
    CLARIFY_RESPONSE: {
        "ja": "もしかして、次のどれかについてのご質問ですか？",
        "en": "Did you mean one of these?",
    },
    CLARIFY_NONE_RESPONSE: {"ja": "どれでもない", "en": "None of these"},
    OFFER_HANDOFF_RESPONSE: {
        "ja": "うまくお答えできず申し訳ありません。担当の窓口でご相談いただけます。",
        "en": "Sorry I could not help. You can ask the responsible office directly.",
    },
    HANDOFF_OPEN_RESPONSE: {
        "ja": "お電話でご相談ください。{contact_name}（電話 {contact_phone}）は、ただいま受付時間内です（平日 {contact_hours}）。",
        "en": "Please call {contact_name} (phone {contact_phone}); it is open now (weekdays {contact_hours}).",
    },
    HANDOFF_CLOSED_RESPONSE: {
        "ja": "ただいま受付時間外です。{contact_name}（電話 {contact_phone}）の次の受付開始は {next_opening} です（受付: 平日 {contact_hours}、土日祝・年末年始を除く）。",
        "en": "The office is closed now. {contact_name} (phone {contact_phone}) next opens on {next_opening} (weekdays {contact_hours}, closed weekends, national holidays and 29 Dec–3 Jan).",
    },
    OUT_OF_DATE_RESPONSE: {
        "ja": "このご質問への回答は {valid_until} 時点の内容のため、最新ではない可能性があります。お手数ですが {contact_name}（電話 {contact_phone}、平日 {contact_hours}）にお問い合わせください。",
        "en": "Our answer to this was written for the period up to {valid_until} and may be out of date. Please contact {contact_name} (phone {contact_phone}, weekdays {contact_hours}).",
    },
    ROUTED_RESPONSE: {"ja": "{bot_name}からお答えします。", "en": "Answered by {bot_name}:"},
    FORM_CANCELLED_RESPONSE: {
        "ja": "入力を取りやめました。ほかにご質問があればどうぞ。",
        "en": "Cancelled. Ask me anything else.",
    },
    INVALID_CHOICE_RESPONSE: {
        "ja": "「{value}」は選択肢にありません。ボタンから選ぶか、次のどれかを入力してください: {choices}",
        "en": "“{value}” is not one of the options. Please choose one of the buttons below.",
    },
    AMBIGUOUS_CHOICE_RESPONSE: {
        "ja": "「{value}」だけでは、どれにあたるか決められません。近いものをボタンから選んでください。",
        "en": "From “{value}” alone I cannot tell which it is. Please choose the closest one below.",
    },
    INVALID_DATE_RESPONSE: {
        "ja": "日付として読み取れませんでした。「11月20日」「きのう」「3日前」のように入力してください。",
        "en": "I could not read that as a date. Please write it like “20 November”, “3 days ago” or “yesterday”.",
    },
    FUTURE_DATE_RESPONSE: {
        "ja": "{value} はまだ来ていない日付です。すでに受け取った日を入力してください。",
        "en": "{value} is in the future. Please enter the day you already received it.",
    },
    INVALID_NUMBER_RESPONSE: {"ja": "数字で入力してください。", "en": "Please enter a number."},
    NUMBER_OUT_OF_RANGE_RESPONSE: {
        "ja": "{minimum}から{maximum}の範囲で入力してください。",
        "en": "Please enter a number from {minimum} to {maximum}.",
    },
    EMPTY_ANSWER_RESPONSE: {
        "ja": "メッセージが空です。ご質問を入力してください。",
        "en": "The message is empty. Please type your question.",
    },
}

CANCEL_WORDS = (
    "やめる",
    "やめます",
    "やめて",
    "やめたい",
    "キャンセル",
    "中止",
    "取り消し",
    "もういい",
    "cancel",
    "stop",
    "quit",
)

# 「覚えてない」: a form slot with ``if_unknown`` then answers what to do without the value.
UNKNOWN_WORDS = (
    "覚えてない",
    "覚えていない",
    "覚えてへん",
    "おぼえてない",
    "おぼえてへん",
    "忘れた",
    "わすれた",
    "忘れました",
    "わからない",
    "わかりません",
    "分からない",
    "分かりません",
    "わからん",
    "わかれへん",
    "わかんない",
    "不明",
    "思い出せない",
    "記憶にない",
    "知らない",
    "もらってない",
    "もらっていない",
    "もろてない",
    "受け取ってない",
    "受け取っていない",
    "届いてない",
    "届いていない",
    "don't remember",
    "do not remember",
    "can't remember",
    "cannot remember",
    "don't know",
    "do not know",
    "not sure",
    "no idea",
    "forgot",
    "never received",
    "didn't get",
    "did not get",
    "didn't receive",
    "did not receive",
)

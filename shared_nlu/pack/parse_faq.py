"""``faq.yml``: an existing FAQ list imported as it is — one question and one answer per entry.

A department that already has an FAQ page gets a working bot without writing training examples:
each entry becomes an intent ``faq_<id>`` whose only example is its question and whose answer is
``utter_faq_<id>``. The engine finds these by retrieval over the question and the answer text
(see ``shared_nlu.nlu.retrieval``) instead of by the classifier, which needs several examples.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..constants import answer_response
from .diagnostics import Diagnostics
from .fields import check_keys, expect_date, expect_list, expect_map, expect_text
from .model import Example, Intent, Response, Variant

_ID = re.compile(r"^[a-z0-9_]{1,40}$")
MAX_ANSWER_CHARS = 2000


@dataclass
class FaqData:
    intents: dict[str, Intent] = field(default_factory=dict)
    responses: dict[str, Response] = field(default_factory=dict)


def parse_faq(data: Any, file: str, diags: Diagnostics) -> FaqData:
    result = FaqData()
    mapping = expect_map(data, file, (1, 1), "faq.yml", diags)
    if mapping is None:
        return result
    check_keys(
        mapping,
        {"version", "checked_on", "valid_until", "faq"},
        {"faq", "checked_on"},
        file,
        "faq.yml",
        diags,
    )
    checked_on = _date(mapping, "checked_on", file, diags)
    valid_until = _date(mapping, "valid_until", file, diags)
    entries = (
        expect_list(mapping.get("faq"), file, mapping.at("faq"), "faq", diags) if "faq" in mapping else None
    )
    for index, raw in enumerate(entries or []):
        assert entries is not None
        entry = expect_map(raw, file, entries.at(index), "faq の各項目", diags)
        if entry is None:
            continue
        check_keys(entry, {"id", "question", "answer"}, {"question", "answer"}, file, "faq の項目", diags)
        entry_id = str(entry.get("id", index + 1)).lower()
        if not _ID.match(entry_id):
            diags.error(
                file,
                entry.at("id"),
                "bad-name",
                f"id「{entry_id}」に使えない文字があります。",
                "半角の小文字英字・数字・_ で書いてください（例: q001）。",
            )
            continue
        name = f"faq_{entry_id}"
        if name in result.intents:
            diags.error(
                file,
                entry.at("id"),
                "duplicate-faq",
                f"id「{entry_id}」が2回使われています。",
                "id を重ならないようにしてください。",
            )
            continue
        question = expect_text(entry.get("question"), file, entry.at("question"), "question", diags)
        answer = expect_text(entry.get("answer"), file, entry.at("answer"), "answer", diags)
        if question is None or answer is None:
            continue
        if len(answer) > MAX_ANSWER_CHARS:
            diags.warning(
                file,
                entry.at("answer"),
                "long-answer",
                f"回答が {len(answer)} 文字あります。スマートフォンで読みにくい長さです。",
                "要点を短くまとめ、詳しくはページへ案内してください。",
            )
        result.intents[name] = Intent(name, (Example(question.strip(), (), entry.at("question")[0]),))
        result.responses[answer_response(name)] = Response(
            answer_response(name), {"ja": (Variant(answer.strip()),)}, checked_on, valid_until
        )
    return result


def _date(mapping: Any, key: str, file: str, diags: Diagnostics) -> date | None:
    return expect_date(mapping[key], file, mapping.at(key), key, diags) if key in mapping else None

"""Split a resident's message into sentences and find the one that asks.

A long message is usually a story and then a question: 「先月引っ越しました。車の登録はまだです。
自動車税の通知はどこに届きますか。」 The story's words (引っ越し, 登録) pull the classifier towards
other intents; the asking sentence says what the resident wants to know.
"""

from __future__ import annotations

import re

# After a Japanese full stop or a question/exclamation mark; after "." only before a space (so 3.5 stays).
_BOUNDARY = re.compile(r"(?<=[。．！？!?\n])|(?<=\.)\s+")
# Endings and words that make a sentence a question or a request.
_ASKING = re.compile(
    r"(か[。？?!！]*$|[？?]|教えて|おしえて|知りたい|したい|たい[。]*$|どう|どこ|いつ|なに|何|なん[？?で]|"
    r"ますか|ですか|でしょうか|かな|ええの|いいの|いる[？?]|ある[？?]|"
    r"\b(?:what|how|where|when|can|could|should|is|are|do|does|which|who)\b)",
    re.IGNORECASE,
)
MIN_SENTENCE_CHARS = 4
MIN_LONG_MESSAGE_SENTENCES = 2


def sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped; fragments shorter than a few characters are merged
    into the sentence before them (「はい。」 is not a sentence of its own here)."""
    found: list[str] = []
    for piece in _BOUNDARY.split(text):
        part = piece.strip()
        if not part:
            continue
        if found and len(part.rstrip("。．！？!? ")) < MIN_SENTENCE_CHARS:
            found[-1] += part
        else:
            found.append(part)
    return found


def asks(text: str) -> bool:
    """Does ``text`` ask something (a question or a request)? 「自動車税はいつまで？」 does,
    「ありがとう、よくわかった」 does not."""
    return any(_ASKING.search(part) for part in sentences(text))


def asking_sentence(text: str) -> str | None:
    """The last sentence that asks, when ``text`` has several sentences; None for a single one
    (then the whole message is the question)."""
    parts = sentences(text)
    if len(parts) < MIN_LONG_MESSAGE_SENTENCES:
        return None
    for part in reversed(parts):
        if _ASKING.search(part):
            return part
    return parts[-1]


# A remark set off by a comma before the question: 「喫茶店のオーナーなんやけど、…」
# 「海外出張が決まったので、…」「初めて使うんですが、…」. The last such boundary is taken.
_REMARK = re.compile(
    r"^(?P<remark>.*(?:けど|けれど|けれども|ねんけど|ですが|ますが|ので|から))[、，,]\s*(?P<rest>.+)$"
)
MIN_CLAUSE_CHARS = 6


def asking_clause(sentence: str) -> str:
    """``sentence`` without a remark clause before its question (who the resident is, why they
    ask): what the question is about is in the clause that asks. A sentence without such a remark,
    or whose remainder is too short to be a question on its own, is returned whole."""
    match = _REMARK.match(sentence.strip())
    if match is None or len(match["rest"]) < MIN_CLAUSE_CHARS or not _ASKING.search(match["rest"]):
        return sentence
    return match["rest"]

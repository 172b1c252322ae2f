"""E-mail addresses, also the ones written so that robots miss them.

taro@example.jp, ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ (folded), ``hanako[at]example.jp``, ``taro (at) example (dot)
com``, ``taro @ example . com``, ``taro あっと example どっと jp``, ``taro★example.jp``. The part after
the @ must end in a top-level domain of letters. A dot written with spaces round it (or as the word
dot) counts only before a part domains are made of (com, co, jp, ne …), so 「taro@example.jp. Thanks」
stops at jp; ``at`` written as a plain word counts only before a domain ending in one of them.
"""

from __future__ import annotations

import re

Span = tuple[int, int, str]

_PARTS = r"(?:com|jp|net|org|ne|co|or|ac|go|lg|ed|gr|info|biz|me|io|us|uk|tv|cc|mobi|docomo|ezweb|softbank|icloud|gmail|yahoo|outlook|hotmail)(?![A-Za-z])"
_LOCAL = r"[A-Za-z0-9._%+\-]+"
_AT = (
    r"(?: ?@ ?| ?[\[(<{【《「] ?(?:at|AT|At|@|アット|あっと) ?[\])>}】》」] ?| (?:at|AT) | ?(?:アットマーク|アット|あっと"
    r"|atmark) ?|[★☆])"
)
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
_DOT = r"(?:\.(?! )| ?[\[(<{【《「] ?(?:dot|DOT|\.|ドット|どっと) ?[\])>}】》」] ?| ?(?: ?\. ?| dot | DOT |ドット|どっと) ?)"
_STRICT_DOT = r"(?:\.| ?[\[(<{【《「] ?(?:dot|DOT|\.|ドット|どっと) ?[\])>}】》」] ?|ドット|どっと)"


def _email(dot: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?=[A-Za-z0-9._%+\-])(?<![A-Za-z0-9._%+\-]){_LOCAL}(?P<at>{_AT})"
        rf"(?P<domain>(?:{_NAME}{dot})+[A-Za-z]{{2,}})(?![A-Za-z0-9])"
    )


# Dots written with spaces (example . com, example dot com) count when the address ends in a part
# domains end in; else the address ends where a plain dot is followed by a space (…jp. Thanks).
_EMAIL = _email(_DOT)
_EMAIL_STRICT = _email(_STRICT_DOT)
_SPELLED_END = re.compile(rf"{_PARTS}$")
_HINT = re.compile(r"[@★☆]|at|AT|アット|あっと")


def find_emails(base: str) -> list[Span]:
    if not _HINT.search(base):
        return []
    found = []
    for loose in _EMAIL.finditer(base):
        m: re.Match[str] | None = loose
        if " " in loose["domain"] and not _SPELLED_END.search(loose["domain"]):
            m = _EMAIL_STRICT.match(base, loose.start())
        if m is None:
            continue
        spelled = m["at"].strip() in ("at", "AT", "アット", "あっと", "アットマーク", "atmark", "★", "☆")
        if not spelled or _SPELLED_END.search(m["domain"]):
            found.append((m.start(), m.end(), "email"))
    return found

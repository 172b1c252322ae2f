"""Japanese phone numbers, postal codes and e-mail addresses in a message.

Full-width digits and letters are accepted, and so is any dash a Japanese keyboard produces
(- － ‐ − ― ー ｰ …) between digit groups.
"""

from __future__ import annotations

import re

from ..text.width import fold_width
from .model import EntityMatch

# After fold_width every dash is "-"; the long vowel marks ー/ｰ stay, since katakana words need
# them, but between digits they are dashes typed with the wrong key.
_DASH = "[-ーｰ]"
_SEPARATOR = rf"(?: ?{_DASH} ?| )"

# A run of digit groups that starts with a trunk 0 or +81; find_phone_numbers decides how many of
# the groups form the number.
_PHONE = re.compile(
    rf"(?<![0-9+@._-])(?P<intl>\+81{_SEPARATOR}?(?:\(0\))?)?\(?(?P<first>[0-9]{{1,5}})\)?"
    rf"(?:{_SEPARATOR}?\(?[0-9]{{1,5}}\)?){{0,3}}"
)
_GROUP = re.compile(r"[0-9]+")
# 11-digit numbers: mobile (070/080/090), IP phones (050), M2M (020), toll-free 0800; all else has 10.
_ELEVEN_DIGIT_PREFIXES = ("020", "050", "060", "070", "080", "090", "0800")

_POSTAL = re.compile(
    rf"(?<![0-9ーｰ-])(?:(?P<mark>〒) ?(?P<bare>[0-9]{{7}})|[0-9]{{3}}{_DASH}[0-9]{{4}})(?![0-9]|{_DASH}[0-9])"
)

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![A-Za-z0-9-])"
)


def _is_phone(digits: str) -> bool:
    """Whether ``digits`` (domestic form, with the trunk 0) is a dialable Japanese number."""
    if digits.startswith("00") or not digits.startswith("0"):  # 00…: carrier and international codes
        return False
    if len(digits) == 11:
        return digits.startswith(_ELEVEN_DIGIT_PREFIXES)
    return len(digits) == 10 and not digits.startswith("0800")


def find_phone_numbers(text: str) -> list[EntityMatch]:
    """Japanese phone numbers as entity ``"phone_number"``, the value in digits with the trunk 0.

    Accepts 06-6910-8001, (06)6910-8001, 0120-123-456, 090-1234-5678, 09012345678 and
    +81 90-1234-5678 (value ``"09012345678"``). Short codes such as 188 or #7119 are not matched,
    nor are digits inside an e-mail address.
    """
    folded = fold_width(text)
    emails = find_emails(text)
    found = []
    for match in _PHONE.finditer(folded):
        groups = list(_GROUP.finditer(folded, match.start("first"), match.end()))
        # Longest run of groups first: trailing groups may be another number ("06-6910-8001 2件").
        for count in range(len(groups), 0, -1):
            digits = "".join(g[0] for g in groups[:count])
            if match["intl"] and not digits.startswith("0"):
                digits = "0" + digits  # +81 replaces the trunk 0
            end = groups[count - 1].end()
            if _is_phone(digits) and not folded[end : end + 1].isdigit():
                start = match.start()
                if folded[start] == "(" and folded[match.end("first") : match.end("first") + 1] != ")":
                    start += 1  # "(06-6910-8001)": the parenthesis encloses the number, not the area code
                phone = EntityMatch("phone_number", digits, start, end, text[start:end], "builtin")
                if not any(phone.overlaps(email) for email in emails):
                    found.append(phone)
                break
    return found


def find_postal_codes(text: str) -> list[EntityMatch]:
    """Postal codes as entity ``"postal_code"``, the value ``"530-0001"``.

    Three digits, a dash and four digits (530-0001), or seven digits after 〒 (〒5300001); the span
    leaves out the 〒. Digits that belong to a phone number (06-530-0001) are not a postal code.
    """
    folded = fold_width(text)
    phones = find_phone_numbers(text)
    found = []
    for match in _POSTAL.finditer(folded):
        start, end = match.start("bare") if match["mark"] else match.start(), match.end()
        digits = "".join(_GROUP.findall(folded, start, end))
        code = EntityMatch(
            "postal_code", f"{digits[:3]}-{digits[3:]}", start, end, text[start:end], "builtin"
        )
        if not any(code.overlaps(phone) for phone in phones):
            found.append(code)
    return found


def find_emails(text: str) -> list[EntityMatch]:
    """E-mail addresses as entity ``"email"``; the value has its domain in lower case."""
    folded = fold_width(text)
    found = []
    for match in _EMAIL.finditer(folded):
        start, end = match.span()
        local, domain = match[0].rsplit("@", 1)
        value = f"{local}@{domain.lower()}"  # the local part may be case-sensitive, the domain is not
        found.append(EntityMatch("email", value, start, end, text[start:end], "builtin"))
    return found

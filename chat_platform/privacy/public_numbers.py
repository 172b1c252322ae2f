"""Phone numbers that identify an office, not a person: they are never masked.

These are the numbers the bots themselves give (the bot catalog's offices and the safety numbers of
the common pack). A resident who writes 「0570-064-556にかけたけど」 tells the dashboard which line
they tried; masking it would hide that and protect nobody. Short codes (188, 189, 110, 119, #7119,
#8000 …) need no entry: a number of three or four digits is never masked.
A number not listed here is masked like any other: an unknown public number masked loses little,
a personal number left readable is a leak. ``tests/test_masking_set.py`` checks that every phone
number written in the shipped packs is listed.
"""

from __future__ import annotations

PUBLIC_PHONE_NUMBERS = frozenset(
    {
        "0669108001",  # 府民お問合せセンター (ピピっとライン)
        "0669108005",  # 府民お問合せセンター FAX
        "0666160888",  # 大阪府消費生活センター
        "0570064556",  # こころの健康相談統一ダイヤル
        "0120279338",  # よりそいホットライン
        "0120279889",  # DV相談＋
        "0665827119",  # 救急安心センターおおさか (#7119)
    }
)

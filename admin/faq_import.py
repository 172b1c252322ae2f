"""An FAQ spreadsheet (``.xlsx``, or ``.csv`` as Excel or a text editor writes it) → ``faq.yml``.

Department staff already keep their FAQ as a list in Excel. This turns such a list into the pack's
``faq.yml`` (see :mod:`shared_nlu.pack.parse_faq`), row by row, and says which rows it could not
take and why, by their row number in the spreadsheet, so the editor can fix the sheet and import it
again. Nothing here touches the database: :mod:`admin.api.bots` stores the result as a draft.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from shared_nlu.constants import MAX_EXAMPLE_CHARS
from shared_nlu.pack.parse_faq import MAX_ANSWER_CHARS

from . import plain_yaml

MAX_ROWS = 2000  # a municipal FAQ page has a few hundred; thousands of rows is the wrong sheet

# header cell (normalised: NFKC, lower case, no spaces or brackets) → column role
_HEADERS: dict[str, tuple[str, ...]] = {
    "question": (
        "質問",
        "問",
        "問い",
        "質問内容",
        "質問文",
        "よくある質問",
        "q",
        "question",
        "questions",
        "faq",
    ),
    "answer": ("回答", "答", "答え", "回答内容", "回答文", "a", "answer", "answers"),
    "category": ("カテゴリ", "カテゴリー", "分類", "分野", "category"),
    "checked_on": ("確認日", "更新日", "最終確認日", "checkedon", "checked_on", "updated", "date"),
}
_STRIP_HEADER = re.compile(r"[\s　()（）【】\[\]「」:：.。・]")


class ImportRefused(ValueError):
    """The file as a whole cannot be read as an FAQ list (message in Japanese, ``en`` in English)."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(ja)
        self.ja, self.en = ja, en


@dataclass(frozen=True)
class RefusedRow:
    row: int  # 1-based, as the spreadsheet shows it (the header is row 1 when it is the first row)
    reason: str  # code: empty_question, empty_answer, duplicate_question, too_long, formula, bad_date
    message: str  # Japanese, says what to fix


@dataclass
class FaqImport:
    """What the import took (as ``faq.yml`` text) and what it refused."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # role → header as written in the sheet

    def faq_yml(self, today: date) -> str:
        """The ``faq.yml`` text; ``checked_on`` is the oldest 確認日 given (else ``today``): the list
        is only as fresh as its least recently checked answer."""
        dates = [entry["checked_on"] for entry in self.entries if entry.get("checked_on")]
        checked = min(dates) if dates else today
        lines = [
            "# よくある質問の一覧から取り込みました（Excel / CSV の取り込み）。",
            "# もう一度取り込むと、このファイルは取り込んだ内容で置き換わります。手書きの質問は nlu.yml に書いてください。",
            'version: "1"',
            f"checked_on: {checked.isoformat()}",
            "faq:",
        ]
        for entry in self.entries:
            note = [f"{entry['row']}行目"]
            if entry.get("category"):
                note.append(f"カテゴリ: {entry['category']}")
            if entry.get("checked_on"):
                note.append(f"確認日: {entry['checked_on'].isoformat()}")
            lines.append(f"  # {' / '.join(note)}")
            item = {"id": entry["id"], "question": entry["question"], "answer": entry["answer"]}
            dumped = plain_yaml.dump([item])
            lines.extend("  " + line for line in dumped.rstrip("\n").split("\n"))
        return "\n".join(lines) + "\n"


def read_spreadsheet(filename: str, data: bytes) -> FaqImport:
    """Read an FAQ list; :class:`ImportRefused` when the file is no spreadsheet or has no question and
    answer columns. Rows that cannot be taken are listed in ``refused``, never silently dropped."""
    if not data:
        raise ImportRefused("ファイルが空です。", "The file is empty.")
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportRefused(
            "Excel ファイルとして読めません。Excel で開き「名前を付けて保存」で .xlsx を選んで保存し直してください。",
            "The file is not a readable .xlsx workbook. Save it again as .xlsx from Excel.",
        )
    elif filename.lower().endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportRefused(
            "古い形式の Excel（.xls）は読めません。Excel で「名前を付けて保存」→「Excel ブック (.xlsx)」で保存してください。",
            "Old .xls workbooks cannot be read. Save the file as an .xlsx workbook.",
        )
    else:
        rows = _csv_rows(data)
    return _take_rows(rows)


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # formulas are kept as formulas (data_only=False) so they can be refused instead of read as
        # whatever value Excel last cached, or as nothing at all when the file never saw Excel
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRefused(
            "Excel ファイルとして読めません。Excel で開いて .xlsx で保存し直してください。",
            "The file is not a readable .xlsx workbook.",
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[Any]]] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 50:
                break
            rows.append((number, list(row)))
        return rows
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows: list[tuple[int, list[Any]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            if number > MAX_ROWS + 50:
                break
            rows.append((number, list(row)))
    except csv.Error as exc:
        raise ImportRefused(
            f'CSV として読めません（{reader.line_num} 行目付近）。引用符（"）の閉じ忘れがないか確かめてください。',
            f"The file is not valid CSV near line {reader.line_num}: check for an unclosed quote.",
        ) from exc
    return rows


def _decode(data: bytes) -> str:
    """UTF-8 with or without a BOM, else Shift_JIS as Excel for Japanese Windows writes it (CP932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise ImportRefused(
            "文字コードが読めません。UTF-8 か Shift_JIS（Excel の「CSV（コンマ区切り）」）で保存してください。",
            "The text encoding is unknown. Save the CSV as UTF-8 or Shift_JIS.",
        ) from exc


def _header_key(cell: Any) -> str:
    return _STRIP_HEADER.sub("", unicodedata.normalize("NFKC", str(cell or "")).lower())


def _find_header(rows: list[tuple[int, list[Any]]]) -> tuple[int, dict[str, int], dict[str, str]]:
    """The first row (of the first ten) that names a question and an answer column."""
    for index, (_, cells) in enumerate(rows[:10]):
        roles: dict[str, int] = {}
        written: dict[str, str] = {}
        for column, cell in enumerate(cells):
            key = _header_key(cell)
            for role, names in _HEADERS.items():
                if role not in roles and key in names:
                    roles[role], written[role] = column, str(cell).strip()
        if "question" in roles and "answer" in roles:
            return index, roles, written
    examples = "、".join(f"「{n}」" for n in ("質問", "回答", "問", "答", "Q", "A", "question", "answer"))
    raise ImportRefused(
        f"質問と回答の列が見つかりません。1行目に見出し（{examples} など）を書いてください。",
        "No question and answer columns: put headers such as 質問 / 回答 or question / answer in the first row.",
    )


def _take_rows(rows: list[tuple[int, list[Any]]]) -> FaqImport:
    header_index, roles, written = _find_header(rows)
    result = FaqImport(columns=written)
    seen: dict[str, int] = {}
    body = [(number, cells) for number, cells in rows[header_index + 1 :] if any(_text(c) for c in cells)]
    if len(body) > MAX_ROWS:
        raise ImportRefused(
            f"行が多すぎます（上限 {MAX_ROWS} 行）。よくある質問の一覧だけを1枚目のシートに置いてください。",
            f"Too many rows (limit {MAX_ROWS}). Keep only the FAQ list on the first sheet.",
        )
    for number, cells in body:
        refusal = _refusal(number, cells, roles, seen)
        if refusal is not None:
            result.refused.append(refusal)
            continue
        question, answer = _text(_cell(cells, roles["question"])), _text(_cell(cells, roles["answer"]))
        seen[_question_key(question)] = number
        result.entries.append(
            {
                "row": number,
                "id": _entry_id(question, {e["id"] for e in result.entries}),
                "question": question,
                "answer": answer,
                "category": _text(_cell(cells, roles["category"])) if "category" in roles else "",
                "checked_on": _date(_cell(cells, roles["checked_on"])) if "checked_on" in roles else None,
            }
        )
    return result


def _refusal(number: int, cells: list[Any], roles: dict[str, int], seen: dict[str, int]) -> RefusedRow | None:
    raw = {role: _cell(cells, column) for role, column in roles.items()}
    for role, value in raw.items():
        if isinstance(value, str) and value.startswith("="):
            label = {"question": "質問", "answer": "回答", "category": "カテゴリ", "checked_on": "確認日"}[
                role
            ]
            return RefusedRow(number, "formula", f"{label}の欄が数式です。数式ではなく文字で書いてください。")
    question, answer = _text(raw["question"]), _text(raw["answer"])
    if not question:
        return RefusedRow(number, "empty_question", "質問が空です。質問を書くか、この行を消してください。")
    if not answer:
        return RefusedRow(number, "empty_answer", "回答が空です。回答を書くか、この行を消してください。")
    if len(question) > MAX_EXAMPLE_CHARS:
        return RefusedRow(
            number,
            "too_long",
            f"質問が長すぎます（{len(question)} 文字、上限 {MAX_EXAMPLE_CHARS} 文字）。短くしてください。",
        )
    if len(answer) > MAX_ANSWER_CHARS:
        return RefusedRow(
            number,
            "too_long",
            f"回答が長すぎます（{len(answer)} 文字、上限 {MAX_ANSWER_CHARS} 文字）。分けるか短くしてください。",
        )
    earlier = seen.get(_question_key(question))
    if earlier is not None:
        return RefusedRow(
            number, "duplicate_question", f"{earlier}行目と同じ質問です。どちらか一方にまとめてください。"
        )
    if "checked_on" in raw and _text(raw["checked_on"]) and _date(raw["checked_on"]) is None:
        return RefusedRow(
            number,
            "bad_date",
            f"確認日「{_text(raw['checked_on'])[:20]}」が日付として読めません。2026-11-28 のように書いてください。",
        )
    return None


def _cell(cells: list[Any], column: int) -> Any:
    return cells[column] if column < len(cells) else None


def _text(value: Any) -> str:
    """A cell as clean text: no control characters (a stray NUL or lone surrogate would not survive
    storage), Windows line ends folded, surrounding blanks trimmed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        ch for ch in text if ch in "\n\t" or not (unicodedata.category(ch) in ("Cc", "Cs") or ch == "\ufeff")
    )
    return text.strip()


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", _text(value))
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _question_key(question: str) -> str:
    """Two questions that differ only in width, spaces or final punctuation are the same question."""
    folded = unicodedata.normalize("NFKC", question).lower()
    return re.sub(r"[\s?？。．.!！]+", "", folded)


def _entry_id(question: str, taken: Iterable[str]) -> str:
    """A stable id from the question text, so importing the list again keeps each entry's id (and
    the usage reports that count it) while rows move around the sheet."""
    base = "q_" + hashlib.sha1(_question_key(question).encode()).hexdigest()[:10]
    used = set(taken)
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def summary(result: FaqImport) -> dict[str, Any]:
    """The import report the API returns: counts, the columns used, and each refused row."""
    return {
        "taken": len(result.entries),
        "refused": [{"row": r.row, "reason": r.reason, "message": r.message} for r in result.refused],
        "columns": result.columns,
    }

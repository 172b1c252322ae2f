"""Problems found in a pack, reported the way a department editor can act on them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


_LABEL = {Severity.ERROR: "エラー", Severity.WARNING: "警告"}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem at one place: ``file:line:column``, a code, what is wrong and what to write.

    ``line`` and ``column`` are 1-based, as editors show them; 0 means "the whole file".
    """

    severity: Severity
    file: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        text = f"{where}: {_LABEL[self.severity]} [{self.code}] {self.message}"
        return f"{text}\n    → {self.hint}" if self.hint else text

    def to_dict(self) -> dict[str, object]:
        return {
            "severity": str(self.severity),
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class Diagnostics:
    """Collects every problem of a validation run; validation never stops at the first one."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []
        self._dropped: set[tuple[str, tuple[int, int]]] = set()

    def dropped(self, file: str | Path, at: tuple[int, int]) -> None:
        """The value at ``at`` was reported and dropped when the YAML was read (a tag, an
        impossible date…); a later check that finds it missing there would only repeat that."""
        self._dropped.add((str(file), at))

    def error(self, file: str | Path, at: tuple[int, int], code: str, message: str, hint: str = "") -> None:
        if (str(file), at) in self._dropped:
            return
        self.items.append(Diagnostic(Severity.ERROR, str(file), at[0], at[1], code, message, hint))

    def warning(self, file: str | Path, at: tuple[int, int], code: str, message: str, hint: str = "") -> None:
        self.items.append(Diagnostic(Severity.WARNING, str(file), at[0], at[1], code, message, hint))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.file, d.line, d.column, d.code))


class PackError(Exception):
    """Raised when packs do not validate; carries every diagnostic so callers can show them all."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        head = "\n".join(d.format() for d in errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"{len(errors)} error(s) in the packs:\n{head}{more}")

"""The typed objects a validated pack becomes. Everything downstream reads these, never raw YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """An entity marked in a training example: ``[訪問販売](transaction_type)``."""

    entity: str
    value: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Example:
    text: str  # annotations removed: what a resident would type
    entities: tuple[EntitySpan, ...] = ()
    line: int = 0


@dataclass(frozen=True, slots=True)
class Intent:
    """``near_misses``: messages that look like this intent but that it does NOT cover (they must
    get the fallback); trained as out-of-scope negatives. ``near_miss_lines`` are their lines in
    nlu.yml, for error messages."""

    name: str
    examples: tuple[Example, ...]
    near_misses: tuple[str, ...] = ()
    near_miss_lines: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True, slots=True)
class Variant:
    text: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class Response:
    """``utter_<name>``: variants per language, and when its facts were checked / stop being valid."""

    name: str
    variants: dict[str, tuple[Variant, ...]]  # language → variants; "ja" is always present
    checked_on: date | None = None
    valid_until: date | None = None

    def for_language(self, language: str) -> tuple[Variant, ...]:
        return self.variants.get(language) or self.variants["ja"]


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """One value a form asks for. ``kind`` is choice | date | number | text."""

    name: str
    kind: str
    entity: str | None = None
    choices: tuple[str, ...] = ()
    past_only: bool = False
    minimum: float | None = None
    maximum: float | None = None
    # the response sent when the resident cannot give the value (「覚えてない」); the form then ends
    if_unknown: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    name: str
    slots: tuple[SlotSpec, ...]
    submit: str  # a response or a Python action (constants.ACTION_CONTRACTS)
    on_cancel: str | None = None  # the response sent when the resident cancels (default: the engine's)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    intent: str
    actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TestStep:
    """One step of a conversation test: a user turn (with expectations) or an expected action."""

    user: str | None = None
    intent: str | None = None
    bot: str | None = None
    action: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class Story:
    name: str
    steps: tuple[TestStep, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Contact:
    name: dict[str, str]
    phone: str
    hours: str
    fax: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Thresholds:
    fallback: float = 0.30
    ambiguity: float = 0.10
    # how far (in SVM margin) the best intent must beat the out-of-scope class to be answered: 0.18
    # is a probability e^1.5 (about 4.5) times out of scope's at the engine's temperature 0.12. A
    # question inside a bot's domain that no intent covers keeps some out-of-scope probability, a
    # covered one almost none -- when the intents have enough examples. A pack sets it once it is
    # calibrated on its own examples (docs/pack-format.md, "Out of scope"); the default is none, as a
    # bot made from a five-row FAQ spreadsheet gives its own paraphrased questions out-of-scope
    # probability too and would turn them away at 0.18.
    out_of_scope_margin: float = 0.0
    # how much of a message's meaning the best intent must know to answer it: exp(-uncovered mass),
    # where each content word the intent has never seen adds its weight (1.0 for a word no pack uses)
    coverage: float = 0.3


@dataclass(frozen=True, slots=True)
class BotConfig:
    id: str
    name: dict[str, str]
    department: str
    description: dict[str, str]
    languages: tuple[str, ...]
    contact: Contact
    include_common: bool = True
    service_start: date | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    routes_to: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Synonym:
    value: str
    variants: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pack:
    """One bot's folder, validated. ``source`` maps file name → its text, for hashing and export."""

    bot: BotConfig
    intents: dict[str, Intent]
    responses: dict[str, Response]
    synonyms: tuple[Synonym, ...] = ()
    regexes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    lookups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    forms: dict[str, Form] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)  # keyed by the intent that triggers it
    stories: tuple[Story, ...] = ()
    faq_intents: frozenset[str] = frozenset()  # intents imported from faq.yml: found by retrieval
    path: Path | None = None
    source: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.bot.id

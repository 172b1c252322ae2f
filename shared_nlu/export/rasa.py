"""A pack as a Rasa 3.x project that stock Rasa 3.6 trains without downloads: ``config.yml``,
``domain.yml``, ``data/nlu.yml``, ``data/rules.yml``, a Japanese tokenizer in ``addons/``, ``README.txt``.

English variants become conditional response variants on a ``language`` slot: Rasa 3 sends a
variant whose ``condition`` holds, else one without a condition (the Japanese ones); ``channel``
variants would select by channel, not by language. ``checked_on``/``valid_until`` go into each
variant's ``metadata``. A front door ``with_routed`` also gets its routed bots' intents as
``<bot>__<intent>`` (answered by ``utter_<bot>__<intent>``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..constants import (
    ACTION_PREFIX,
    CAPABILITIES_INTENT,
    COMMON_BOT,
    FALLBACK_INTENT,
    FALLBACK_RESPONSE,
    HANDOFF_INTENT,
    HANDOFF_OPEN_RESPONSE,
    OUT_OF_SCOPE_INTENT,
    RESPONSE_PREFIX,
    answer_response,
)
from ..dialogue.pointing import domain_contact
from ..dialogue.render import contact_values, topics
from ..dialogue.texts import TEXTS
from ..pack.loader import PackSet
from ..pack.model import Example, Form, Pack, Response, SlotSpec

VERSION = "3.1"
LANGUAGE_SLOT = "language"
RASA_FALLBACK_RESPONSE = "utter_default"  # what Rasa's action_default_fallback sends
TOKENIZER = "addons.ja_tokenizer.JapaneseScriptTokenizer"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")
_PAYLOAD = re.compile(r"^/(\w+)(.*)$", re.S)
_APPENDED = {  # what the engine adds to these answers at run time, written out here
    answer_response(CAPABILITIES_INTENT): {"ja": "{topics}", "en": "{topics}"},
    answer_response(HANDOFF_INTENT): {
        "ja": "{contact_name}（電話 {contact_phone}、受付: 平日 {contact_hours}）",
        "en": "{contact_name} (phone {contact_phone}, weekdays {contact_hours})",
    },
}


@dataclass
class RasaProject:
    """The project's YAML documents as plain dicts, in the shapes Rasa documents."""

    config: dict[str, Any]
    domain: dict[str, Any]
    nlu: dict[str, Any]
    rules: dict[str, Any]
    readme: str
    example_count: int


def annotate(example: Example) -> str:
    """The example with its entities marked: ``[text](entity)``, or ``[text]{…}`` with a value."""
    parts, cursor = [], 0
    for span in sorted(example.entities, key=lambda s: s.start):
        surface = example.text[span.start : span.end]
        spec = json.dumps({"entity": span.entity, "value": span.value}, ensure_ascii=False)
        mark = f"({span.entity})" if span.value == surface else spec
        parts += [example.text[cursor : span.start], f"[{surface}]{mark}"]
        cursor = span.end
    return "".join([*parts, example.text[cursor:]])


def nlu_document(intents: dict[str, list[str]], **entries: dict[str, list[str]]) -> dict[str, Any]:
    """Rasa 3 NLU data (also the pack's own ``nlu.yml`` format); ``entries``: synonym/regex/lookup."""
    items = [{"intent": name, "examples": _block(examples)} for name, examples in intents.items()]
    for kind in ("synonym", "regex", "lookup"):
        items += [{kind: name, "examples": _block(values)} for name, values in entries.get(kind, {}).items()]
    return {"version": VERSION, "nlu": items}


def _block(lines: list[str]) -> str:
    return "".join(f"- {line}\n" for line in lines)


def _condition(language: str) -> dict[str, Any]:
    """Japanese is the default variant; other languages are chosen by the ``language`` slot."""
    if language == "ja":
        return {}
    return {"condition": [{"type": "slot", "name": LANGUAGE_SLOT, "value": language}]}


def _custom_slot(kind: str = "any", **more: Any) -> dict[str, Any]:
    return {"type": kind, **more, "influence_conversation": False, "mappings": [{"type": "custom"}]}


class _Builder:
    def __init__(self, main: Pack) -> None:
        self.main = main
        self.intents: dict[str, list[str]] = {}
        self.responses: dict[str, list[dict[str, Any]]] = {}
        self.rules: list[dict[str, Any]] = []
        self.forms: dict[str, Form] = {}
        self.entities: set[str] = set()
        self.words: set[str] = set()  # entity surfaces and lookup entries: the tokenizer keeps them whole
        self.actions: set[str] = set()
        self.placeholders: set[str] = set()
        self.languages: set[str] = {"ja"}
        self.entries: dict[str, dict[str, list[str]]] = {"synonym": {}, "regex": {}, "lookup": {}}
        self.slots: dict[str, dict[str, Any]] = {}
        self.faq = 0
        self.near_misses: list[str] = []  # every intent's near misses: Rasa learns them as out_of_scope

    def add(self, pack: Pack, prefix: str) -> None:
        names = {intent: prefix + intent for intent in pack.intents}

        def renamed(action: str) -> str:
            intent = action.removeprefix(RESPONSE_PREFIX)
            return answer_response(names[intent]) if action != intent and intent in names else action

        def payload(text: str) -> str:
            match = _PAYLOAD.match(text)
            return f"/{names[match[1]]}{match[2]}" if match and match[1] in names else text

        speaker = self.main if pack.id == COMMON_BOT else pack
        for name, response in pack.responses.items():
            if pack.id == COMMON_BOT and name in self.responses:
                continue  # the bot's own wording wins over common's, as in the engine
            self.responses[renamed(name)] = self._variants(response, speaker, payload)
        self.forms.update(pack.forms)
        synonyms = {s.value: s.variants for s in pack.synonyms}
        for kind, entries in (("synonym", synonyms), ("regex", pack.regexes), ("lookup", pack.lookups)):
            for name, values in entries.items():
                known = self.entries[kind].setdefault(name, [])
                known += [value for value in values if value not in known]
        self.words.update(v for values in pack.lookups.values() for v in values)
        for intent in pack.intents.values():
            self.near_misses += [text for text in intent.near_misses if text not in self.near_misses]
            self.intents[names[intent.name]] = [annotate(e) for e in intent.examples]
            spans = [(e.text[s.start : s.end], s) for e in intent.examples for s in e.entities]
            self.entities.update(span.entity for _, span in spans)
            self.words.update(surface for surface, _ in spans)
            self.faq += intent.name in pack.faq_intents
            name, rule, answer = names[intent.name], pack.rules.get(intent.name), answer_response(intent.name)
            if rule is not None:  # a routed bot's rule titles get its id: Rasa wants them unique
                self._rule(
                    f"{pack.id}: {rule.name}" if prefix else rule.name,
                    name,
                    [renamed(a) for a in rule.actions],
                )
            elif answer in pack.responses or intent.name == OUT_OF_SCOPE_INTENT:
                self._rule(
                    f"answer {name}",
                    name,
                    [renamed(answer) if answer in pack.responses else RASA_FALLBACK_RESPONSE],
                )

    def _rule(self, title: str, intent: str, actions: list[str]) -> None:
        steps: list[dict[str, Any]] = [{"intent": intent}]
        for action in actions:
            steps.append({"action": action})
            if action in self.forms:
                steps.append({"active_loop": action})  # a form action starts the form
            elif action.startswith(ACTION_PREFIX):
                self.actions.add(action)
        self.rules.append({"rule": title, "steps": steps})

    def _variants(
        self, response: Response, speaker: Pack, payload: Callable[[str], str]
    ) -> list[dict[str, Any]]:
        dates = {"checked_on": response.checked_on, "valid_until": response.valid_until}
        known = {key: day.isoformat() for key, day in dates.items() if day is not None}
        meta = {"metadata": known} if known else {}
        out = []
        for language, variants in sorted(response.variants.items(), key=lambda item: item[0] != "ja"):
            self.languages.add(language)
            extra = self._appended(response.name, language)
            for variant in variants:
                text = variant.text.rstrip("\n")
                marker = extra[: extra.index("}") + 1] if "}" in extra else extra
                text += f"\n{extra}" if extra and marker not in text else ""
                item: dict[str, Any] = {"text": self._fill(text, speaker, language)}
                if variant.buttons:
                    item["buttons"] = [
                        {"title": b.title, "payload": payload(b.payload)} for b in variant.buttons
                    ]
                out.append(item | _condition(language) | meta)
        return out

    def _appended(self, name: str, language: str) -> str:
        """What the engine adds to ``name``; for the hand-off, the bot's own hand-off text when it
        has one (the consumer bot gives 188 and its centre, not the contact in bot.yml)."""
        own = (
            self.main.responses.get(HANDOFF_OPEN_RESPONSE)
            if name == answer_response(HANDOFF_INTENT)
            else None
        )
        if own is not None and own.for_language(language):
            return own.for_language(language)[0].text.rstrip("\n")
        return _APPENDED.get(name, {}).get(language, "")

    def _fill(self, text: str, speaker: Pack, language: str) -> str:
        """Fill what the engine knows (bot name, contact, topics); leave slots such as {days_left}."""
        values = {
            **contact_values(speaker, language),
            "topics": topics(speaker, language),
            "domain_contact": domain_contact(speaker, language),
        }
        self.placeholders.update(name for name in _PLACEHOLDER.findall(text) if name not in values)
        return _PLACEHOLDER.sub(lambda m: values.get(m[1], m[0]), text)

    def finish(self) -> None:
        """``utter_default`` (the pack's ``utter_nlu_fallback``, else the engine's text) and the
        rule that sends it; for each form its slots, entities and submission rule."""
        texts = sorted(TEXTS[FALLBACK_RESPONSE].items(), key=lambda item: item[0] != "ja")
        engine = [
            {"text": self._fill(t, self.main, lang)} | _condition(lang)
            for lang, t in texts
            if lang in self.languages
        ]
        self.responses[RASA_FALLBACK_RESPONSE] = self.responses.pop(FALLBACK_RESPONSE, engine)
        self._rule(f"answer {FALLBACK_INTENT}", FALLBACK_INTENT, [RASA_FALLBACK_RESPONSE])
        if self.near_misses:  # Rasa has no near-miss key: they are out-of-scope examples there
            if OUT_OF_SCOPE_INTENT not in self.intents:
                self._rule(f"answer {OUT_OF_SCOPE_INTENT}", OUT_OF_SCOPE_INTENT, [RASA_FALLBACK_RESPONSE])
            known = self.intents.setdefault(OUT_OF_SCOPE_INTENT, [])
            known += [text for text in self.near_misses if text not in known]
        languages = ["ja", *sorted(self.languages - {"ja"})]
        self.slots = {LANGUAGE_SLOT: _custom_slot("categorical", values=languages, initial_value="ja")}
        for form in self.forms.values():
            self.slots |= {spec.name: _slot(form.name, spec) for spec in form.slots}
            self.entities.update(spec.entity for spec in form.slots if spec.entity)
            self.actions.update([form.submit] if form.submit.startswith(ACTION_PREFIX) else [])
            done = [
                {"action": form.name},
                {"active_loop": None},
                {"slot_was_set": [{"requested_slot": None}]},
            ]
            submit = {"rule": f"submit {form.name}", "condition": [{"active_loop": form.name}]}
            self.rules.append(submit | {"steps": [*done, {"action": form.submit}]})
        for name in sorted(self.placeholders - set(self.slots)):  # filled by a Python action: {days_left}
            self.slots[name] = _custom_slot()


def _slot(form: str, spec: SlotSpec) -> dict[str, Any]:
    when = [{"active_loop": form, "requested_slot": spec.name}]
    mappings = [{"type": "from_entity", "entity": spec.entity, "conditions": when}] if spec.entity else []
    mappings += [{"type": "from_text", "conditions": when}] if spec.kind != "choice" or not mappings else []
    kind = {"choice": "categorical", "number": "float"}.get(spec.kind, "text")
    slot: dict[str, Any] = {"type": kind, "influence_conversation": False, "mappings": mappings}
    bounds = {"min_value": spec.minimum, "max_value": spec.maximum} if spec.kind == "number" else {}
    values = {"values": list(spec.choices)} if spec.kind == "choice" else {}
    return slot | values | {key: value for key, value in bounds.items() if value is not None}


def build_project(packs: PackSet, bot_id: str, with_routed: bool = False) -> RasaProject:
    """The Rasa project for ``bot_id``: its pack, ``common`` when it includes it, and with
    ``with_routed`` the bots a front door routes to. KeyError for an unknown bot, ValueError when
    ``with_routed`` is asked of a bot that routes nowhere."""
    main = packs.packs[bot_id]
    if with_routed and not main.bot.routes_to:
        raise ValueError(f"bot {bot_id!r} routes to no other bot (routes_to in bot.yml)")
    parts = [(main, "")]
    if main.bot.include_common and packs.common is not None and bot_id != COMMON_BOT:
        parts.append((packs.common, ""))
    if with_routed:
        parts += [(packs.packs[routed], f"{routed}__") for routed in main.bot.routes_to]
    b = _Builder(main)
    for pack, prefix in parts:
        b.add(pack, prefix)
    b.finish()
    patterns = set(b.entries["regex"]) | set(b.entries["lookup"])  # RegexEntityExtractor's entity names
    domain = {
        "version": VERSION,
        "intents": list(b.intents),
        "entities": sorted(b.entities | patterns),
        "slots": b.slots,
        "forms": {f.name: {"required_slots": [s.name for s in f.slots]} for f in b.forms.values()},
        "actions": sorted(b.actions),
        "responses": b.responses,
    }
    readme = README.format(
        bot=bot_id,
        routed=", ".join(pack.id for pack, prefix in parts if prefix) or "-",
        actions=", ".join(sorted(b.actions)) or "-",
        forms=", ".join(b.forms) or "-",
        faq=b.faq,
    )
    return RasaProject(
        config=_config(main, sorted(b.words), bool(patterns)),
        domain={key: value for key, value in domain.items() if value or key in ("intents", "responses")},
        nlu=nlu_document(b.intents, **b.entries),
        rules={"version": VERSION, "rules": b.rules},
        readme=readme,
        example_count=sum(len(examples) for examples in b.intents.values()),
    )


def _config(main: Pack, words: list[str], patterns: bool) -> dict[str, Any]:
    regex = {"use_word_boundaries": False, "case_sensitive": False}  # Japanese has no word boundaries
    thresholds = main.bot.thresholds
    pipeline = [
        {"name": TOKENIZER, "dictionary": words},
        *([{"name": "RegexFeaturizer", **regex}] if patterns else []),
        {"name": "CountVectorsFeaturizer"},  # word level: the tokenizer's words and runs of one script
        {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"name": "DIETClassifier", "epochs": 100, "random_seed": 42, "constrain_similarities": True},
        *([{"name": "RegexEntityExtractor", **regex}] if patterns else []),
        {"name": "EntitySynonymMapper"},  # after every extractor: maps the values they found
        {
            "name": "FallbackClassifier",
            "threshold": thresholds.fallback,
            "ambiguity_threshold": thresholds.ambiguity,
        },
    ]
    return {
        "recipe": "default.v1",
        "assistant_id": f"madoguchi_{main.id}",
        "language": "ja",
        "pipeline": pipeline,
        "policies": [{"name": "RulePolicy"}],
    }


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # "- item" indented under its key, as Rasa's docs write it

    def ignore_aliases(self, data: Any) -> bool:
        return True  # no &anchors: every value written where it belongs

    def represent_str(self, data: str) -> yaml.ScalarNode:
        return self.represent_scalar("tag:yaml.org,2002:str", data, style="|" if "\n" in data else None)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump_yaml(document: dict[str, Any]) -> str:
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000)


def write_project(project: RasaProject, out: Path) -> list[Path]:
    """Write the project under ``out`` (created if missing); returns the files written."""
    documents = {"config.yml": project.config, "domain.yml": project.domain}
    documents |= {"data/nlu.yml": project.nlu, "data/rules.yml": project.rules}
    files = {name: dump_yaml(document) for name, document in documents.items()}
    files |= {
        "addons/__init__.py": "",
        "addons/ja_tokenizer.py": TOKENIZER_SOURCE,
        "README.txt": project.readme,
    }
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    return [out / name for name in files]


# Stock Rasa 3.6 has no tokenizer for Japanese that needs no download (WhitespaceTokenizer refuses
# language "ja"; spaCy and MeCab need models), so the project brings this one. Plain Python first
# (split), the Rasa component after it.
TOKENIZER_SOURCE = r'''"""Japanese for stock Rasa 3.6, written by Madoguchi's export-rasa: the pack's entity words
(config "dictionary") stay whole, other text splits into runs of one script (kanji, hiragana,
katakana, Latin, digits). Run rasa from this project's folder so that addons/ can be imported."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Pattern, Text, Tuple

RUNS = re.compile(
    r"[\u3400-\u9fff\uf900-\ufaff\u3005-\u3007\u30f6]+"  # kanji, 々 〆 〇 ヶ
    r"|[\u3041-\u309f]+"  # hiragana
    r"|[\u30a0-\u30f5\u30f7-\u30ff\uff66-\uff9f]+"  # katakana with ー, half-width katakana
    r"|[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]+(?:['’][A-Za-z]+)?"  # Latin words
    r"|\d+(?:[.,]\d+)*"  # numbers, half- and full-width
    r"|[^\W_]"  # any other letter, one at a time
)


def dictionary_pattern(words: List[Text]) -> Optional[Pattern[Text]]:
    ordered = sorted({w for w in words if w}, key=len, reverse=True)  # longest first
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE) if ordered else None


def split(text: Text, dictionary: Optional[Pattern[Text]]) -> List[Tuple[Text, int]]:
    """(token, start) pairs: dictionary words where they occur, script runs in between."""
    found = [m.span() for m in dictionary.finditer(text)] if dictionary else []
    tokens: List[Tuple[Text, int]] = []
    cursor = 0
    for start, end in found + [(len(text), len(text))]:
        tokens += [(m.group(), cursor + m.start()) for m in RUNS.finditer(text[cursor:start])]
        tokens += [(text[start:end], start)] if end > start else []
        cursor = end
    return tokens


# ---- the Rasa component ----
from rasa.engine.graph import ExecutionContext  # noqa: E402
from rasa.engine.recipes.default_recipe import DefaultV1Recipe  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.engine.storage.storage import ModelStorage  # noqa: E402
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class JapaneseScriptTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "dictionary": [],
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self.dictionary = dictionary_pattern(list(config.get("dictionary") or []))

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "JapaneseScriptTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute)
        tokens = [Token(word, start) for word, start in split(text, self.dictionary)]
        return tokens or [Token(text, 0)]
'''

README = """Rasa 3.x project exported by Madoguchi (madoguchi export-rasa) from the pack "{bot}".
Routed bots included, their intents named <bot>__<intent>: {routed}

Train and talk with Rasa 3.6 (Python 3.8-3.10), from this folder so that addons/ can be imported:
  rasa data validate
  rasa train
  rasa shell

What is here
- config.yml: language "ja". addons/ja_tokenizer.py keeps the pack's entity words (its
  "dictionary") whole and splits other text into runs of one script (kanji, hiragana, katakana,
  Latin, digits): Rasa's WhitespaceTokenizer refuses "ja", and its other tokenizers for Japanese
  need downloads (spaCy models, MeCab). Then word and character 1-4-gram count vectors,
  DIETClassifier, FallbackClassifier with the pack's thresholds, and RulePolicy.
- domain.yml: each answer as a list of variants. Japanese variants have no condition; English ones
  have a condition on the slot "language" (set it from your channel or a custom action).
  checked_on / valid_until are in each variant's metadata; Rasa does not act on them.
- data/nlu.yml: every example (entity annotations kept), synonym, regex and lookup table.
- data/rules.yml: a rule from each intent to its answer, the pack's own rules, form activation and
  submission, and nlu_fallback / out_of_scope to utter_default.

What does not carry over
- Python actions ({actions}): Madoguchi runs them inside its engine. In Rasa they need an action
  server (rasa_sdk) that you write; until then the rules that end in them fail. The values they
  fill into answers ({{days_left}} ...) are declared as slots of type "any".
- Forms ({forms}): Madoguchi checks answers (choices, dates in the past, number ranges), reads
  dates such as "3日前" and "きのう", and cancels on "やめる". In Rasa write a validate_<form>
  action, and add DucklingEntityExtractor (a separate server) to extract dates.
- faq.yml retrieval: {faq} FAQ entries became intents with one example each. Madoguchi finds them by
  searching question and answer text, which a classifier cannot learn from one example.
- Synonyms: Madoguchi rewrites them anywhere in a message before classifying; Rasa's
  EntitySynonymMapper only maps the values of extracted entities.
- Kansai-dialect and Sudachi normalisation, language detection per message, the もしかして
  clarification (Rasa answers nlu_fallback when the top two intents are closer than
  ambiguity_threshold), replacing expired answers by the contact, business-hours hand-off, and
  routing every bot with one model.
"""

"""The intent-pack format department staff edit: typed model, YAML parsing, validation."""

from ..constants import COMMON_BOT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT
from .diagnostics import Diagnostic, Diagnostics, PackError, Severity
from .loader import PackSet, find_pack_folders, load_packs, read_pack_folder, validate_packs
from .model import BotConfig, Button, Example, Form, Intent, Pack, Response, Rule, SlotSpec, Story, Variant

__all__ = [
    "COMMON_BOT",
    "FALLBACK_INTENT",
    "OUT_OF_SCOPE_INTENT",
    "BotConfig",
    "Button",
    "Diagnostic",
    "Diagnostics",
    "Example",
    "Form",
    "Intent",
    "Pack",
    "PackError",
    "PackSet",
    "Response",
    "Rule",
    "Severity",
    "SlotSpec",
    "Story",
    "Variant",
    "find_pack_folders",
    "load_packs",
    "read_pack_folder",
    "validate_packs",
]

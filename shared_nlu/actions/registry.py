"""Every Python action and choice reader, listed by name (as Rasa lists its default actions).

Listed, not registered by importing: this module imports the implementations, and no module of
the packages imports it but the dialogue engine, so no import order can leave an action out. What
each action may send and fill, which the pack validator checks without running it, is plain data
in ``shared_nlu.constants.ACTION_CONTRACTS``; tests/test_actions.py checks that both name the same
actions.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..constants import COOLING_OFF_RESULT_ACTION
from .cooling_off_action import cooling_off_result
from .cooling_off_types import read_transaction_type
from .model import ChoiceReader, Runner

# action name (called from rules.yml and forms.yml) -> what runs
ACTIONS: Mapping[str, Runner] = MappingProxyType({COOLING_OFF_RESULT_ACTION: cooling_off_result})

# entity name -> the reader of the choice slots it fills
CHOICE_READERS: Mapping[str, ChoiceReader] = MappingProxyType({"transaction_type": read_transaction_type})

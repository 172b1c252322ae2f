"""``madoguchi simulate``: realistic resident traffic played through the real chat API, for demos.

See :mod:`chat_platform.simulate.runner` for how traffic is planned and played, and
:mod:`chat_platform.simulate.scripts` for the conversations.
"""

from __future__ import annotations

from .runner import (
    BotTally,
    PlannedConversation,
    SimulationError,
    Summary,
    plan,
    simulate,
    simulation_settings,
)
from .scripts import SCRIPTS, Script, Step

__all__ = [
    "SCRIPTS",
    "BotTally",
    "PlannedConversation",
    "Script",
    "SimulationError",
    "Step",
    "Summary",
    "plan",
    "simulate",
    "simulation_settings",
]

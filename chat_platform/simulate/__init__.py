"""``madoguchi simulate``: realistic resident traffic played through the real chat API, for demos.

See :mod:`chat_platform.simulate.runner` for how traffic is planned and played; the conversations
are each bot's ``bots/<bot>/simulation.yml`` (:mod:`shared_nlu.pack.simulation`).
"""

from __future__ import annotations

from shared_nlu.pack.simulation import Script, Step

from .runner import (
    BotTally,
    PlannedConversation,
    SimulationError,
    Summary,
    load_scripts,
    plan,
    simulate,
    simulation_settings,
)

__all__ = [
    "BotTally",
    "PlannedConversation",
    "Script",
    "SimulationError",
    "Step",
    "Summary",
    "load_scripts",
    "plan",
    "simulate",
    "simulation_settings",
]

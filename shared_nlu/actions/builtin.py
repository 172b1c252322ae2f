"""Imports every module that registers actions, so :func:`registered_actions` sees them all."""

from . import cooling_off_action, cooling_off_types  # noqa: F401

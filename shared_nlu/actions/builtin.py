"""Imports every module that registers actions, so :func:`registered_actions` sees them all."""

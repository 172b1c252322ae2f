"""Madoguchi's shared engine: intent packs, Japanese text handling, NLU, routing and dialogue.

Reads as its pipeline: ``pack`` (format and validation) → ``text`` (normalisation, tokens) →
``nlu`` (features, classifier, retrieval, routing) → ``entities`` → ``dialogue``.
No web framework and no database live in here.
"""

__version__ = "0.1.0"

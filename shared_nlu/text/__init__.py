"""Japanese-first text handling: normalisation, language detection, Sudachi tokens, synonyms."""

from .language import detect_language
from .normalize import normalize
from .synonyms import SynonymMap
from .tokenizer import Tokenizer, default_tokenizer

__all__ = ["SynonymMap", "Tokenizer", "default_tokenizer", "detect_language", "normalize"]

"""Japanese-first text handling: normalisation, width folding, language detection, Sudachi tokens, synonyms."""

from .language import detect_language
from .normalize import normalize
from .synonyms import SynonymMap
from .tokenizer import Tokenizer, default_tokenizer
from .width import fold_width

__all__ = ["SynonymMap", "Tokenizer", "default_tokenizer", "detect_language", "fold_width", "normalize"]

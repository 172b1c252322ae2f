"""Intent classification, out-of-scope detection and routing across every pack."""

from .engine import EngineConfig, NluEngine
from .result import ParseResult, RankedIntent

__all__ = ["EngineConfig", "NluEngine", "ParseResult", "RankedIntent"]

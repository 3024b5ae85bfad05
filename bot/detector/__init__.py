"""Text in, Verdict out. Knows nothing of Telegram, databases or the network."""

from bot.detector.analysis import Analysis, analyse
from bot.detector.detector import MAX_CHARS, Detector, EmptyText
from bot.detector.model import ModelError
from bot.detector.verdict import Flag, Match, Verdict

__all__ = ["Analysis", "Detector", "EmptyText", "Flag", "MAX_CHARS", "Match", "ModelError", "Verdict", "analyse"]

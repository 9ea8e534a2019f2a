"""The Yahoo Finance CSV layout every price source is normalised to."""

from __future__ import annotations

DATE = "Date"
OPEN = "Open"
HIGH = "High"
LOW = "Low"
CLOSE = "Close"
ADJ_CLOSE = "Adj Close"
VOLUME = "Volume"

PRICE_COLUMNS: tuple[str, ...] = (DATE, OPEN, HIGH, LOW, CLOSE, ADJ_CLOSE, VOLUME)
"""The columns of a Yahoo Finance daily CSV, in its order."""

REQUIRED_COLUMNS: tuple[str, ...] = (DATE, OPEN, HIGH, LOW, CLOSE)
"""Columns a price file must have; ``Adj Close`` and ``Volume`` are kept when present."""

DATE_FORMAT = "%Y-%m-%d"
"""How dates are written (``2024-03-31``)."""

NULL_TOKENS: frozenset[str] = frozenset({"", "null", "NULL", "nan", "NaN", "NA", "N/A", "None"})
"""Cell values read as missing; old Yahoo CSV downloads wrote ``null`` for days without data."""

"""Day count conventions (placeholder: being written)."""

from __future__ import annotations

from enum import Enum


class DayCount(str, Enum):
    """Day count conventions, by the names used in params files."""

    THIRTY_360_US = "30/360 US"
    THIRTY_360_BOND = "30/360 BOND"
    THIRTY_E_360 = "30E/360"
    THIRTY_E_360_ISDA = "30E/360 ISDA"
    ACT_360 = "ACT/360"
    ACT_365F = "ACT/365F"
    ACT_ACT_ISDA = "ACT/ACT ISDA"
    ACT_ACT_ICMA = "ACT/ACT ICMA"

    @classmethod
    def parse(cls, name: "str | DayCount") -> "DayCount":
        """Parse a convention name; an unknown name raises ``ValueError`` listing the valid ones."""
        if isinstance(name, DayCount):
            return name
        for member in cls:
            if str(name).strip().upper() == member.value:
                return member
        valid = ", ".join(repr(m.value) for m in cls)
        raise ValueError(f"unknown day count convention {name!r}; valid names: {valid}")

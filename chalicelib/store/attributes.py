"""Attribute types shared by the billing models."""
from datetime import date

from pynamodb.attributes import UnicodeAttribute


class DateAttribute(UnicodeAttribute):
    """A calendar date stored as YYYY-MM-DD, so it sorts and reads the same in keys and items."""

    def serialize(self, value: date) -> str:
        return value.isoformat()

    def deserialize(self, value: str) -> date:
        return date.fromisoformat(value)

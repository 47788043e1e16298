"""Base class of every event payload."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class DomainEvent(BaseModel):
    """A small, flat, frozen fact named in the past tense.

    Subclasses declare `type: Literal["<aggregate>.<fact>"]` and `SCHEMA_VERSION`.
    Readers ignore unknown fields (`extra="ignore"`), so adding an optional field is not a
    breaking change; anything else bumps `SCHEMA_VERSION` and adds an upcaster.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    SCHEMA_VERSION: ClassVar[int] = 1
    type: str

    @classmethod
    def type_name(cls) -> str:
        """The wire name of this event type, e.g. `petition.received`."""
        default = cls.model_fields["type"].default
        if not isinstance(default, str):
            raise TypeError(f"{cls.__name__} declares no type name")
        return default

"""The one exception workflows raise when a rule says no."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal whose message is safe (and translated) to show to the user.

    ``field`` names the form field the message belongs next to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field

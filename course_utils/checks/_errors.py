"""How a checker says what it found: the answer is wrong, missing, or unusable."""

from __future__ import annotations

from ._i18n import Message

__all__ = ["CheckFailed", "NotAttempted", "WrongForm"]


class CheckFailed(Exception):
    """The learner's answer is wrong; ``message`` says how, ``hint`` what to try (both :class:`Message`)."""

    def __init__(self, message: Message, hint: Message | None = None):
        for name, value in (("message", message), ("hint", hint)):
            if (value is not None or name == "message") and not isinstance(value, Message):
                raise TypeError(f"{name} must be a Message made with msg('…'), got {type(value).__name__}; "
                                f"a plain string could not be translated")
        super().__init__(message.template)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message.render()


class NotAttempted(Exception):
    """The learner has not touched the placeholder yet (``...`` or a bare ``raise NotImplementedError``)."""


class WrongForm(Exception):
    """The answer is not even of the kind the exercise asks for; printed with the exercise's ``expects``."""

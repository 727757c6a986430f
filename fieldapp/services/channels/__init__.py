"""How each outside channel sends one message (services/outbound.py decides when and again).

A channel's ``send(message, config)`` returns the provider's receipt, or raises ``Retry`` (worth
trying again later: a timeout, a busy or rate-limiting server) or ``Refused`` (never: a bad
address, a rejected request). Errors carry no secret: they are stored and shown to admins.
"""

from __future__ import annotations


class Retry(Exception):
    """The provider could not take the message now; try again later."""


class Refused(Exception):
    """The provider will never take this message; trying again changes nothing."""

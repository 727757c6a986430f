"""A page's form posted to a service: the uploads it carries, the idiom of a page that makes
something. (What a form's fields must hold is its command's schema: fieldapp/schemas/commands/;
the CSRF token is checked for every POST by Flask-WTF's CSRFProtect.)"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import request

from fieldapp.errors import InputError


def uploads(field: str) -> list[tuple[bytes, str]]:
    """The files a form posted under ``field``, read: (bytes, file name); empty inputs skipped."""
    return [(f.read(), f.filename or "") for f in request.files.getlist(field) if f and f.filename]


@dataclass
class Posted:
    """A page's form after ``post``: what was typed (kept when refused), the errors by field, the
    status to answer with, and what the service returned when it took the input (``done``)."""

    values: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    status: int = 200
    result: Any = None
    done: bool = False


def post(action: Callable[[dict], Any]) -> Posted:
    """The form of a page that makes or records something: on GET nothing happens; on POST the
    form's values go to ``action`` (one service call); refused input comes back as errors by
    field with a 400, and what was typed stays in the form."""
    if request.method != "POST":
        return Posted()
    values = request.form.to_dict()
    try:
        result = action(values)
    except InputError as refused:
        return Posted(values, refused.errors, 400)
    return Posted(values, {}, 200, result, True)

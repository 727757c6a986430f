"""View decorators that ask the policy; the rules themselves live in fieldapp/policy/."""

from __future__ import annotations

from functools import wraps

from flask_login import current_user, login_required

from fieldapp import policy


def permission_required(action: str):
    """Logged in (else login / 401) and allowed ``action`` in general (else 403)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            policy.require(current_user, action)
            return view(*args, **kwargs)

        return wrapped

    return decorator

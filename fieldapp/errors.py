"""What a rule answers when it refuses: the errors services raise and views turn into a
response (a page with the message, or the API's JSON error with the same status)."""


class ServiceError(Exception):
    """A rule refused the operation; ``message`` is translated and shown to the user."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409


class InputError(ServiceError):
    """Refused input; ``errors`` maps each field to its message (shown beside the field)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())))
        self.errors = errors

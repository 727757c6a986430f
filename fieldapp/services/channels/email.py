"""Email through the deployment's SMTP server (SMTP_HOST…): STARTTLS and login when configured.

The Message-ID is the outbox key's hash, so a message sent again after a worker died mid-send is
recognisably the same one (mail clients and archives fold it)."""

from __future__ import annotations

import hashlib
import smtplib
from email.message import EmailMessage

from fieldapp.services.channels import Refused, Retry

TIMEOUT_S = 15


def message_id(key: str, domain: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def compose(message, config: dict) -> EmailMessage:
    mail = EmailMessage()
    sender = config["SMTP_FROM"]
    mail["From"] = sender
    mail["To"] = message.target
    mail["Subject"] = message.title
    mail["Message-ID"] = message_id(message.key, sender.rpartition("@")[2] or "fieldapp")
    mail.set_content("\n\n".join(part for part in (message.body, message.link) if part))
    return mail


def send(message, config: dict) -> str:
    if not config.get("SMTP_HOST"):
        raise Refused("SMTP_HOST is not set")
    mail = compose(message, config)
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=TIMEOUT_S) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD", ""))
            smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _text in error.recipients.values()]
        raise (Retry if all(400 <= c < 500 for c in codes) else Refused)(f"recipient refused: {codes}") from None
    except smtplib.SMTPResponseException as error:
        text = f"{error.smtp_code} {error.smtp_error.decode(errors='replace')[:200]}"
        raise (Retry if 400 <= error.smtp_code < 500 else Refused)(text) from None
    except (TimeoutError, OSError, smtplib.SMTPException) as error:  # unreachable, reset, timed out
        raise Retry(f"{type(error).__name__}: {str(error)[:200]}") from None
    return mail["Message-ID"]

"""Sending Excel files: streamed from the spooled file, with a Chinese file name."""

from __future__ import annotations

from urllib.parse import quote

from flask import send_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(fileobj, filename: str, fallback: str = "export.xlsx"):
    response = send_file(fileobj, mimetype=XLSX, as_attachment=True, download_name=filename)
    # RFC 5987 for the Chinese file name, an ASCII fallback for old clients.
    response.headers["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    return response

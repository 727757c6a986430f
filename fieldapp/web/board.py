"""Public notice boards of the grids (no login) and their printable A4 posters with QR codes."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for

from fieldapp.services import corps, notice_board
from fieldapp.web.media import send_photo

bp = Blueprint("board", __name__, url_prefix="/board")


def public_url(endpoint: str, **values) -> str:
    """An absolute link for print: PUBLIC_BASE_URL when set (the address people can reach),
    else the host this page was requested on."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + url_for(endpoint, **values)


def _context(code: str) -> dict:
    grid = notice_board.grid_by_code(code)
    people = notice_board.people(grid)
    return {
        "grid": grid,
        "people": people,
        "portraits": notice_board.portraits(people),
        "notices": corps.notices_for(grid.code),
        "board_url": public_url("board.show", code=grid.code),
        "clue_url": public_url("clues.new", grid=grid.code),
    }


@bp.route("/<code>")
def show(code: str):
    return render_template("board/show.html", **_context(code))


@bp.route("/<code>/poster")
def poster(code: str):
    context = _context(code)
    return render_template(
        "board/poster.html",
        board_qr=notice_board.qr_image(context["board_url"]),
        clue_qr=notice_board.qr_image(context["clue_url"]),
        **context,
    )


@bp.route("/<code>/people/<int:user_id>.jpg")
def portrait(code: str, user_id: int):
    photo = notice_board.public_portrait(notice_board.grid_by_code(code), user_id)
    if photo is None:
        abort(404)
    response = send_photo(photo, "thumb")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response

"""Static files as a phone on a weak link should get them: under names that carry a hash of their
content, so that a phone keeps each for a year without asking again (``Cache-Control: immutable``)
and a release changes the URL of what it changed; compressed ahead of time (brotli and gzip), so
that serving costs nothing; served by WhiteNoise before the request reaches Flask. No proxy is
needed for any of it (``make run`` serves it so); deploy/nginx.conf does the same in front.

``build`` copies static/ into a folder named after the content of all of it (a second start, or
another worker, finds it made): each file under its own name (for URLs written by hand: the
worker's importScripts) and under its hashed name, with static-manifest.json (name → hashed name). An ES
module's relative imports are rewritten to the hashed names of what it imports, before it is
hashed itself, so the whole module graph is immutable and a page never loads a module twice.
``init_app`` builds, makes ``url_for('static', filename=…)`` answer with the hashed name, and
puts WhiteNoise in front of the app.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from flask import Flask, g
from markupsafe import Markup
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

#: Bump when what ``build`` writes changes, so that old folders are not reused.
BUILD_VERSION = "1"
#: Not served from /static/: the service worker has its own route (/sw.js), with its precache list.
SKIP = ("sw/",)
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
#: `from "./x.js"`, `import "./x.js"`, `import("./x.js")`: a relative specifier of an ES module.
IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}/[^"'\s]+)\2""")
KEEP_BUILDS = 3


def _sources(static_dir: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(static_dir.rglob("*")):
        name = path.relative_to(static_dir).as_posix()
        if path.is_file() and not name.startswith(SKIP) and not path.name.startswith("."):
            found[name] = path.read_bytes()
    return found


def _digest(sources: dict[str, bytes]) -> str:
    digest = hashlib.sha256(BUILD_VERSION.encode())
    for name, data in sources.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:16]


def _hashed_name(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    tag = hashlib.sha256(data).hexdigest()[:12]
    return f"{stem}.{tag}.{ext}" if dot else f"{name}.{tag}"


def _target(importer: str, specifier: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(importer), specifier)).replace(os.sep, "/")


def hashed_names(sources: dict[str, bytes]) -> tuple[dict[str, str], dict[str, bytes]]:
    """(name → hashed name, hashed name → content): modules' imports rewritten first."""
    manifest: dict[str, str] = {}
    contents: dict[str, bytes] = {}
    visiting: set[str] = set()

    def settle(name: str) -> str:
        if name in manifest:
            return manifest[name]
        if name in visiting:
            raise ValueError(f"import cycle through {name}: the modules' hashes cannot be settled")
        visiting.add(name)
        data = sources[name]
        if name.endswith(".js"):
            data = IMPORT.sub(lambda m: _rewrite(name, m, settle, sources), data.decode("utf-8")).encode("utf-8")
        visiting.discard(name)
        manifest[name] = _hashed_name(name, data)
        contents[manifest[name]] = data
        return manifest[name]

    for name in sources:
        settle(name)
    return manifest, contents


def _rewrite(importer: str, match: re.Match, settle, sources: dict[str, bytes]) -> str:
    prefix, quote, specifier = match.groups()
    target = _target(importer, specifier)
    if target not in sources:
        return match.group(0)  # not a file of ours (a comment's example): as written
    relative = os.path.relpath(settle(target), os.path.dirname(importer) or ".").replace(os.sep, "/")
    relative = relative if relative.startswith(".") else "./" + relative
    return f"{prefix}{quote}{relative}{quote}"


def module_graph(sources: dict[str, bytes]) -> dict[str, list[str]]:
    """Each ES module's relative imports, as names under static/ (for <link rel="modulepreload">)."""
    graph = {}
    for name, data in sources.items():
        if name.endswith(".js"):
            found = [_target(name, m.group(3)) for m in IMPORT.finditer(data.decode("utf-8"))]
            graph[name] = [target for target in found if target in sources]
    return graph


def preloads(graph: dict[str, list[str]], entries: tuple[str, ...]) -> list[str]:
    """What the entry modules import, near or far, without the entries themselves: a page lists
    them as modulepreload so that a weak link fetches them at once, not one round trip per level."""
    seen: list[str] = []
    stack = [dep for entry in entries for dep in graph.get(entry, [])]
    while stack:
        name = stack.pop(0)
        if name not in seen and name not in entries:
            seen.append(name)
            stack += graph.get(name, [])
    return seen


def build(sources: dict[str, bytes], build_root: Path) -> tuple[Path, dict[str, str]]:
    """The folder to serve /static/ from, and the manifest; made unless made already."""
    out = build_root / _digest(sources)
    manifest_path = out / "static-manifest.json"
    if manifest_path.exists():
        return out, json.loads(manifest_path.read_text(encoding="utf-8"))
    build_root.mkdir(parents=True, exist_ok=True)
    manifest, contents = hashed_names(sources)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=build_root))
    for name, data in [*sources.items(), *contents.items()]:
        path = work / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    compressor = Compressor(quiet=True)
    for path in list(work.rglob("*")):
        if path.is_file() and compressor.should_compress(path.name):
            compressor.compress(str(path))
    (work / "static-manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    try:
        work.rename(out)  # atomic: another worker that got there first wins, with the same files
    except OSError:
        shutil.rmtree(work, ignore_errors=True)
    _prune(build_root, keep=out)
    return out, json.loads(manifest_path.read_text(encoding="utf-8"))


def _prune(build_root: Path, keep: Path) -> None:
    """Old builds go, but not the last few: a release being replaced may still serve from one."""
    builds = sorted(
        (p for p in build_root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in builds[KEEP_BUILDS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _static_headers(headers, path: str, url: str) -> None:
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"


def inline_style(css: str) -> tuple[Markup, str]:
    """A stylesheet written into the page, and the CSP source that allows exactly it."""
    if "</" in css:
        raise ValueError("a stylesheet to inline may not contain '</'")
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    # Our own file from static/, checked above not to close the element: safe to write as it is.
    return Markup(f"<style>{css}</style>"), f"'sha256-{digest}'"  # noqa: S704


def init_app(app: Flask) -> None:
    sources = _sources(Path(app.static_folder))  # read once, for the module graph and the build
    graph = module_graph(sources)
    app.add_template_global(lambda *entries: preloads(graph, entries), "module_preloads")

    inlined: dict[str, tuple[Markup, str]] = {}  # the files do not change while the app runs

    @app.template_global()
    def inline_stylesheet(name: str) -> Markup:
        """The page carries the stylesheet (a first visit on a weak link saves the round trip that
        fetching it costs before anything shows); the response's CSP allows it by its hash."""
        if name not in inlined:
            inlined[name] = inline_style(sources[name].decode("utf-8"))
        markup, source = inlined[name]
        g.inline_styles = (*g.get("inline_styles", ()), source)
        return markup

    if not app.config.get("STATIC_BUILD", True):
        return
    folder, manifest = build(sources, Path(app.config["STATIC_BUILD_DIR"]))
    app.extensions["fieldapp_static_manifest"] = manifest

    @app.url_defaults
    def hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(folder),
        prefix="static/",
        max_age=0,  # a file under its own name is checked each time; a hashed one is immutable
        allow_all_origins=False,
        immutable_file_test=lambda path, url: bool(HASHED.search(url)),
        add_headers_function=_static_headers,
    )

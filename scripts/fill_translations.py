"""Fill English translations from a JSON file of {msgid: msgstr} into the catalog.

    .venv/bin/python scripts/fill_translations.py new.json

Run after `make extract-messages`; prints the msgids still untranslated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parents[1] / "fieldapp/translations/en/LC_MESSAGES/messages.po"


def main(path: str) -> int:
    wanted = json.loads(Path(path).read_text(encoding="utf-8"))
    with CATALOG.open("rb") as fh:
        catalog = read_po(fh)
    left = []
    for message in catalog:
        if message.id and (not message.string or "fuzzy" in message.flags):
            if message.id in wanted:
                message.string = wanted[message.id]
                message.flags.discard("fuzzy")
            else:
                left.append(message.id)
    with CATALOG.open("wb") as fh:
        write_po(fh, catalog, sort_output=True)
    print("\n".join(left))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

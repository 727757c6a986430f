#!/bin/sh
# The interpreter `make` builds the virtualenv with: a distribution's CPython when one is here and
# can make a virtualenv — distributions build it with profile-guided and link-time optimisation,
# and it ran the app's pages 0–25 % faster than a plain source build (pyenv's, say; bench/README.md)
# — else the python3 on the PATH. `make PYTHON=...` overrides it.
for candidate in /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11; do
    if [ -x "$candidate" ] && "$candidate" -c "import ensurepip, venv, sqlite3, ssl" 2>/dev/null; then
        echo "$candidate"
        exit 0
    fi
done
echo python3

#!/usr/bin/env bash
# Build the one-folder sendesk bundle (Linux; on Windows use installer/build.ps1):
#
#   installer/build.sh            ->  dist/sendesk/{sendesk,sendesk-cli,_internal/}
#
# It makes its own build environment (build/venv, or $SENDESK_BUILD_VENV) holding sendesk and
# the `build` extra from pyproject.toml (PyInstaller, Pillow), so test libraries and build tools
# never reach the bundle and the developers' .venv is left alone. Then it draws the icons from
# resources/icons/sendesk.svg and runs installer/sendesk.spec. Check the result with
# installer/smoke_test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
VENV=${SENDESK_BUILD_VENV:-build/venv}

if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
# Reinstall only when pyproject.toml (dependencies, the build extra) has changed.
if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[build]"
  touch "$VENV/.installed"
fi

# Offscreen: drawing the icons needs Qt but no screen (CI has none).
QT_QPA_PLATFORM=offscreen "$VENV/bin/python" installer/make_icons.py build/icons

start=$(date +%s)
"$VENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller installer/sendesk.spec
echo "build.sh: built dist/sendesk/ in $(( $(date +%s) - start ))s," \
     "$(du -sh dist/sendesk | cut -f1) on disk"

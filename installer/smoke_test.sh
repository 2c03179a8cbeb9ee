#!/usr/bin/env bash
# Smoke-test a built bundle as a school PC would run it (no Python, no source tree needed by it):
#
#   installer/smoke_test.sh [BUNDLE]        (default: dist/sendesk, as installer/build.sh makes)
#
# 1. the bundle holds both executables, resources/, the SQLCipher extension and the Qt
#    offscreen, xcb and SVG-icon plugins;
# 2. sendesk-cli --version, then `init` a database (password on stdin), check the file is
#    encrypted, `verify` it, and check a wrong password is refused; then a records transfer
#    from a small demo school into it and the receipt back (age encryption, the full-file PDF),
#    and a CTF export and import (defusedxml);
#    then a pupil's SEND file saved as PDF with `document` (Qt offscreen, no display);
# 3. sendesk --selftest offscreen with an empty data folder shows the create window, and with the
#    new database shows the unlock window; each run exits 0 and loads the app icon;
# 4. with no SENDESK_DATA_DIR the app keeps its settings in the per-user data folder and writes
#    nothing into the bundle;
# 5. prints the bundle's size and its start-up time to the unlock window.
#
# Key derivation runs at its real, calibrated cost unless SENDESK_KDF_SECONDS is already set.
# Exit status 0 when every check passed; the first failure prints one FAIL line and stops.
set -euo pipefail
cd "$(dirname "$0")/.."
BUNDLE=$(cd "${1:-dist/sendesk}" && pwd)
RUNS=${SMOKE_RUNS:-5}
# The app's --selftest prints its line this long after showing the first window (ui/app.py).
SELFTEST_DELAY_MS=300
PASSWORD='Smoke-test: correct horse battery staple 42'
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' src/sendesk/__init__.py)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export QT_QPA_PLATFORM=offscreen
export SENDESK_DATA_DIR="$TMP/data"
unset SENDESK_RESOURCES SENDESK_DEBUG

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# --- 1. contents -------------------------------------------------------------------------------
INTERNAL="$BUNDLE/_internal"
for path in sendesk sendesk-cli; do
  [ -x "$BUNDLE/$path" ] || fail "$BUNDLE/$path is missing or not executable"
done
for path in resources/icons/sendesk.svg PySide6/Qt/plugins/platforms/libqoffscreen.so \
            PySide6/Qt/plugins/platforms/libqxcb.so PySide6/Qt/plugins/iconengines/libqsvgicon.so; do
  [ -e "$INTERNAL/$path" ] || fail "the bundle has no $path"
done
# Every file of the source tree's resources/ (code lists, flowcharts, icons) is in the bundle.
while IFS= read -r path; do
  cmp -s "resources/$path" "$INTERNAL/resources/$path" || fail "the bundle's resources/$path is missing or differs"
done < <(cd resources && find . -type f | sed 's|^\./||')
compgen -G "$INTERNAL/sqlcipher3/_sqlite3*" >/dev/null || fail "the bundle has no SQLCipher extension"
for forbidden in PIL PyInstaller pytest _pytest hypothesis; do
  [ ! -e "$INTERNAL/$forbidden" ] || fail "the bundle carries the build/test package $forbidden"
done
ok "bundle holds sendesk, sendesk-cli, resources/, SQLCipher and the Qt offscreen/xcb/SVG plugins"
find "$BUNDLE" | sort >"$TMP/files-before"

# --- 2. sendesk-cli ----------------------------------------------------------------------------
out=$("$BUNDLE/sendesk-cli" --version) || fail "sendesk-cli --version exited $?"
[ "$out" = "sendesk $VERSION" ] || fail "sendesk-cli --version printed '$out', expected 'sendesk $VERSION'"
ok "sendesk-cli --version: $out"

DB="$TMP/school/school.sendesk"
mkdir -p "$TMP/school"
start=$(now_ms)
printf '%s\n' "$PASSWORD" | "$BUNDLE/sendesk-cli" init "$DB" --school "Smoke Test Primary" \
  --urn 100000 --user itadmin --full-name "IT Technician" >"$TMP/init.out" 2>"$TMP/init.err" \
  || fail "sendesk-cli init exited non-zero: $(cat "$TMP/init.err")"
grep -q "Recovery key" "$TMP/init.out" || fail "sendesk-cli init printed no recovery key"
[ -s "$DB" ] && [ -s "$TMP/school/school.sendesk-keys" ] || fail "init left no database and key file"
[ "$(head -c 15 "$DB")" != "SQLite format 3" ] || fail "the database is plain SQLite, not encrypted"
ok "sendesk-cli init: encrypted database and key file made in $(( $(now_ms) - start )) ms"

start=$(now_ms)
printf '%s\n' "$PASSWORD" | "$BUNDLE/sendesk-cli" verify "$DB" --user itadmin >"$TMP/verify.out" \
  2>"$TMP/verify.err" || fail "sendesk-cli verify exited non-zero: $(cat "$TMP/verify.err")"
grep -q "Encryption check: passed" "$TMP/verify.out" || fail "verify did not pass: $(cat "$TMP/verify.out")"
ok "sendesk-cli verify passed in $(( $(now_ms) - start )) ms"

if printf 'not the password\n' | "$BUNDLE/sendesk-cli" verify "$DB" --user itadmin >/dev/null 2>"$TMP/wrong.err"; then
  fail "sendesk-cli verify accepted a wrong password"
fi
ok "sendesk-cli refuses a wrong password: $(head -n 1 "$TMP/wrong.err")"

# A records transfer from a demo school into the new database, and the signed receipt back.
DEMO="$TMP/demo/demo.sendesk"
mkdir -p "$TMP/demo"
cli() { printf '%s\n' "$PASSWORD" | "$BUNDLE/sendesk-cli" "$@"; }
cli demo "$DEMO" --pupils 40 --user demosenco >/dev/null 2>"$TMP/demo.err" \
  || fail "sendesk-cli demo exited non-zero: $(cat "$TMP/demo.err")"
UPN=$(cli pupils list "$DEMO" --user demosenco --status K | sed -n 2p | cut -d, -f1)
[ -n "$UPN" ] || fail "the demo school has no pupil at SEN support to transfer"
# The demo's consents are to outside services only, so this also tries --without-consent.
cli transfer export "$DEMO" --upn "$UPN" --to-urn 100000 --to-name "Smoke Test Primary" \
  --without-consent "Smoke test of the installed bundle (invented pupils)" \
  --out "$TMP/pupil.sendesk-transfer" --user demosenco >"$TMP/export.out" 2>"$TMP/export.err" \
  || fail "sendesk-cli transfer export exited non-zero: $(cat "$TMP/export.err")"
[ "$(head -c 21 "$TMP/pupil.sendesk-transfer")" = "age-encryption.org/v1" ] \
  || fail "the transfer package is not age-encrypted"
tail -n 1 "$TMP/export.out" >"$TMP/passphrase"
cli transfer import "$DB" "$TMP/pupil.sendesk-transfer" --user itadmin \
  --passphrase-file "$TMP/passphrase" --receipt-out "$TMP/receipt.sendesk-receipt" \
  >"$TMP/import.out" 2>"$TMP/import.err" \
  || fail "sendesk-cli transfer import exited non-zero: $(cat "$TMP/import.err")"
cli transfer receipt-import "$DEMO" "$TMP/receipt.sendesk-receipt" --user demosenco \
  >"$TMP/receipt.out" 2>"$TMP/receipt.err" \
  || fail "sendesk-cli transfer receipt-import exited non-zero: $(cat "$TMP/receipt.err")"
ok "records transfer and receipt: $(sed -n 2p "$TMP/import.out")"
cli ctf export "$DEMO" --upn "$UPN" --out "$TMP/pupil.xml" --user demosenco >/dev/null 2>"$TMP/ctf.err" \
  || fail "sendesk-cli ctf export exited non-zero: $(cat "$TMP/ctf.err")"
cli ctf import "$DB" "$TMP/pupil.xml" --user itadmin >"$TMP/ctf.out" 2>"$TMP/ctf.err" \
  || fail "sendesk-cli ctf import exited non-zero: $(cat "$TMP/ctf.err")"
ok "CTF: $(tail -n 1 "$TMP/ctf.out")"

# A document as PDF from the demo school: the CLI paints with QtGui on Qt's offscreen platform,
# which it chooses itself (no QT_QPA_PLATFORM, no display).
start=$(now_ms)
printf '%s\n' "$PASSWORD" | env -u QT_QPA_PLATFORM -u DISPLAY -u WAYLAND_DISPLAY \
  "$BUNDLE/sendesk-cli" document "$DEMO" --upn "$UPN" --kind file --out "$TMP/file.pdf" \
  --user demosenco >"$TMP/document.out" 2>"$TMP/document.err" \
  || fail "sendesk-cli document exited non-zero: $(cat "$TMP/document.err")"
[ "$(head -c 5 "$TMP/file.pdf")" = "%PDF-" ] || fail "sendesk-cli document wrote no PDF"
ok "sendesk-cli document: $(cat "$TMP/document.out") in $(( $(now_ms) - start )) ms"

# --- 3. sendesk, offscreen ---------------------------------------------------------------------
# run_selftest NAME ARGS...: starts the windowed app with --selftest, timestamps the line it
# prints, and sets SHOWN (the line), SHOWN_MS (launch to line) and EXIT_MS (launch to exit).
run_selftest() {
  local name=$1 status line started
  shift
  SHOWN="" SHOWN_MS="" status=""
  started=$(now_ms)
  while IFS= read -r line; do
    case $line in
      "sendesk selftest: showing "*) SHOWN=$line; SHOWN_MS=$(( $(now_ms) - started )) ;;
      "exit status "*) status=${line#exit status } ;;
    esac
  done < <("$BUNDLE/sendesk" --selftest "$@" 2>"$TMP/$name.err"; echo "exit status $?")
  EXIT_MS=$(( $(now_ms) - started ))
  [ "$status" = 0 ] || fail "sendesk --selftest ($name) exited $status: $(tail -n 5 "$TMP/$name.err")"
  [ -n "$SHOWN" ] || fail "sendesk --selftest ($name) never reported a window"
  if grep -q Traceback "$TMP/$name.err"; then fail "sendesk ($name) printed a traceback"; fi
}

out=$("$BUNDLE/sendesk" --version) || fail "sendesk --version exited non-zero"
[ "$out" = "sendesk $VERSION" ] || fail "sendesk --version printed '$out'"

# An empty data folder: the first-run window. Qt's plugin log shows the SVG icon engine loading,
# that is the window icon drawn from resources/icons/sendesk.svg.
export SENDESK_DATA_DIR="$TMP/first-run"
QT_DEBUG_PLUGINS=1 run_selftest first-run
case $SHOWN in *CreateDatabaseDialog*) ;; *) fail "first run showed '$SHOWN', expected the create window" ;; esac
grep -q 'iconengines/libqsvgicon[^"]*" loaded library' "$TMP/first-run.err" \
  || fail "the app did not load its SVG icon (no SVG icon engine in Qt's plugin log)"
ok "first run: ${SHOWN#sendesk selftest: }, app icon loaded, exit 0 (${EXIT_MS} ms)"

# The school database: the unlock window, timed over several starts.
export SENDESK_DATA_DIR="$TMP/data"
times=()
for i in $(seq 1 "$RUNS"); do
  run_selftest "unlock-$i" "$DB"
  case $SHOWN in *UnlockDialog*) ;; *) fail "with a database sendesk showed '$SHOWN', expected the unlock window" ;; esac
  times+=($(( SHOWN_MS - SELFTEST_DELAY_MS )))
done
ok "with a database: ${SHOWN#sendesk selftest: }, exit 0, $RUNS starts"

# --- 4. where data lives -----------------------------------------------------------------------
# Without SENDESK_DATA_DIR, settings go to the platform's per-user data folder
# (~/.local/share/sendesk here; %LOCALAPPDATA%\sendesk on Windows), never beside the program.
(
  unset SENDESK_DATA_DIR XDG_DATA_HOME
  export HOME="$TMP/home"
  mkdir -p "$HOME"
  run_selftest user-folder "$DB"
  [ -d "$HOME/.local/share/sendesk" ] || fail "no per-user data folder at ~/.local/share/sendesk"
)
find "$BUNDLE" | sort >"$TMP/files-after"
if ! diff -q "$TMP/files-before" "$TMP/files-after" >/dev/null; then
  fail "running sendesk changed files in the bundle: $(diff "$TMP/files-before" "$TMP/files-after" | head -n 5)"
fi
ok "settings kept in the per-user data folder; nothing written into the bundle"

# --- 5. numbers --------------------------------------------------------------------------------
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
median=${sorted[$(( ${#sorted[@]} / 2 ))]}
seconds() { printf '%d.%02d' $(( $1 / 1000 )) $(( $1 % 1000 / 10 )); }
size_mb=$(( $(du -sk "$BUNDLE" | cut -f1) / 1024 ))
files=$(find "$BUNDLE" -type f | wc -l)
gz_mb=$(( $(tar -C "$(dirname "$BUNDLE")" -cf - "$(basename "$BUNDLE")" | gzip -6 | wc -c) / 1048576 ))
echo
echo "bundle size: ${size_mb} MB on disk in ${files} files (${gz_mb} MB gzip-compressed), $(uname -sm)"
echo "start-up to the unlock window: median $(seconds "$median") s, first $(seconds "${times[0]}") s," \
     "slowest $(seconds "${sorted[-1]}") s over $RUNS starts (offscreen; launch to window shown)"
echo "smoke test: all checks passed"

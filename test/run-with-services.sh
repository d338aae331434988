#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked GNOME Keyring: the real Secret
# Service, with a throwaway keyring, so tests never touch the user's own.
set -euo pipefail
if [ -z "${OUTBOX_TEST_SESSION:-}" ]; then
  bash "$(dirname "$0")/preflight.sh"
  export OUTBOX_TEST_SESSION=1
  exec dbus-run-session -- bash "$0" "$@"
fi
XDG_DATA_HOME="$(mktemp -d)"
export XDG_DATA_HOME
trap 'rm -rf "$XDG_DATA_HOME"' EXIT
# --unlock reads the new keyring's password from stdin and creates the "login" keyring with it.
eval "$(printf 'outbox-test' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"

#!/bin/sh
# Outbox as the mail program of xdg-email (xdg-utils), for "Send by email" in file managers and
# LibreOffice, and for scripts: xdg-email runs the first `xdg-email-hook.sh` on PATH with one
# argument, the mailto: URL it built from its options (each --attach FILE as attach=, a percent-encoded
# absolute path), and reports success if the hook exits 0. This hands that URL to `outbox compose`,
# whose own mailto: parser reads it: one parser for every door (main/handoff/). The draft opens in
# the running app, or waits in Drafts.
#
# Install: put it on PATH under this exact name, e.g.
#   ln -s /opt/Outbox/resources/xdg-email-hook.sh ~/.local/bin/xdg-email-hook.sh
# OUTBOX_COMMAND names the outbox command when it is not `outbox` on PATH.
set -eu

if [ "$#" -ne 1 ]; then
  echo 'xdg-email-hook.sh: give one mailto: URL' >&2
  exit 64
fi
case $1 in
  mailto:*) ;;
  *)
    echo "xdg-email-hook.sh: not a mailto: URL: $1" >&2
    exit 64
    ;;
esac

# The draft's id, which `outbox compose` prints, is for scripts: xdg-email's callers expect silence.
exec "${OUTBOX_COMMAND:-outbox}" compose -- "$1" >/dev/null

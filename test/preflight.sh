#!/usr/bin/env bash
# Checks, in a few seconds, that every outside program the suite spawns can actually run, and names
# the Debian package that is missing. A tool that is absent, or present without what it needs (git
# send-email without the Perl modules Debian ships only as Recommends), otherwise fails one test
# minutes into the run with an error far from its cause.
#
# Keep this list, .ci/run's and README's package lists the same.
set -uo pipefail

missing=()
# need PACKAGE WHAT COMMAND...: runs COMMAND quietly; a failure records one line naming PACKAGE.
need() {
  local package=$1 what=$2
  shift 2
  if ! "$@" >/dev/null 2>&1; then missing+=("$what: install the Debian package $package"); fi
}

need dbus 'dbus-run-session (private session bus)' dbus-run-session --version
need gnome-keyring 'gnome-keyring-daemon (Secret Service)' gnome-keyring-daemon --version
need libsecret-tools 'secret-tool (reads the keychain in tests)' command -v secret-tool
need libglib2.0-bin 'gdbus (keychain probes)' gdbus help
need postfix 'postfix (a real MTA on loopback)' test -x /usr/sbin/postfix
need postfix 'smtp-sink (benchmark peer)' test -x /usr/sbin/smtp-sink
need openssl 'openssl (test certificates)' openssl version
need chromium 'chromium (renderer tests)' /usr/bin/chromium --version
need fonts-dejavu-core 'a font for renderer tests' test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
need git 'git' git --version
need git-email 'git send-email' test -x "$(git --exec-path 2>/dev/null)/git-send-email"
# git send-email needs these at run time; Debian lists them as Recommends of git-email.
need libmailtools-perl 'Perl Mail::Address (git send-email)' perl -MMail::Address -e1
need libauthen-sasl-perl 'Perl Authen::SASL (git send-email SMTP AUTH)' perl -MAuthen::SASL -e1
need libio-socket-ssl-perl 'Perl IO::Socket::SSL (git send-email TLS)' perl -MIO::Socket::SSL -e1
need xvfb 'Xvfb (screenshots of a real window)' test -x /usr/bin/Xvfb
need xauth 'xauth (xvfb-run)' test -x /usr/bin/xauth
need xdg-utils 'xdg-email (what it hands Thunderbird)' test -x /usr/bin/xdg-email
need systemd 'systemd-analyze (verifies the generated systemd units)' systemd-analyze --version
need desktop-file-utils 'desktop-file-validate (checks the autostart entry)' command -v desktop-file-validate
need strace 'strace (the order of syncs when a message is set aside)' strace -V

if ((${#missing[@]} > 0)); then
  for line in "${missing[@]}"; do echo "preflight: missing $line" >&2; done
  echo "preflight: see README.md (Run the whole test suite) for the full package list" >&2
  exit 1
fi

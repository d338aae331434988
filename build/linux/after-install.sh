#!/bin/bash
# The deb's postinst (electron-builder.yml deb.afterInstall), in place of electron-builder's own
# (app-builder-lib/templates/linux/after-install.tpl), whose steps it keeps. electron-builder
# replaces each dollar-brace macro in this file and refuses any it does not know: no braces on shell
# variables here.
#
# /usr/bin/outbox is the command-line tool, not the app (the desktop entry starts the app by its
# full path): the command a user types and cron runs needs no Node.js (docs/installed-cli.md).
APP='/opt/${sanitizedProductName}'
CLI="$APP/resources/cli/bin/outbox"

if type update-alternatives >/dev/null 2>&1; then
    # An older Outbox registered the app itself as /usr/bin/outbox; a plain link left by hand goes too.
    update-alternatives --remove '${executable}' "$APP/${executable}" >/dev/null 2>&1 || true
    if [ -L '/usr/bin/${executable}' ] && [ "$(readlink '/usr/bin/${executable}')" != '/etc/alternatives/${executable}' ]; then
        rm -f '/usr/bin/${executable}'
    fi
    update-alternatives --install '/usr/bin/${executable}' '${executable}' "$CLI" 100 || ln -sf "$CLI" '/usr/bin/${executable}'
else
    ln -sf "$CLI" '/usr/bin/${executable}'
fi

# Electron's sandbox helper: SUID only where unprivileged user namespaces do not work.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    chmod 4755 "$APP/chrome-sandbox" || true
else
    chmod 0755 "$APP/chrome-sandbox" || true
fi

# The desktop entry's MimeType (x-scheme-handler/mailto) reaches the desktop's cache.
if hash update-mime-database 2>/dev/null; then
    update-mime-database /usr/share/mime || true
fi
if hash update-desktop-database 2>/dev/null; then
    update-desktop-database /usr/share/applications || true
fi

# AppArmor profile (Ubuntu 24+), when this AppArmor understands it: as electron-builder does.
if apparmor_status --enabled >/dev/null 2>&1; then
    APPARMOR_PROFILE_SOURCE="$APP/resources/apparmor-profile"
    APPARMOR_PROFILE_TARGET='/etc/apparmor.d/${executable}'
    if apparmor_parser --skip-kernel-load --debug "$APPARMOR_PROFILE_SOURCE" >/dev/null 2>&1; then
        cp -f "$APPARMOR_PROFILE_SOURCE" "$APPARMOR_PROFILE_TARGET"
        if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
            apparmor_parser --replace --write-cache --skip-read-cache "$APPARMOR_PROFILE_TARGET"
        fi
    else
        echo "Skipping the installation of the AppArmor profile as this version of AppArmor does not seem to support the bundled profile"
    fi
fi

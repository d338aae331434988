#!/bin/bash
# The deb's postrm (electron-builder.yml deb.afterRemove), in place of electron-builder's own,
# whose steps it keeps: removes what after-install.sh set up. As there, electron-builder replaces
# each dollar-brace macro and refuses unknown ones: no braces on shell variables here.
APP='/opt/${sanitizedProductName}'
CLI="$APP/resources/cli/bin/outbox"

# On upgrade the new package's postinst has already run: only a real removal takes the link away.
if [ "$1" = "upgrade" ]; then
    exit 0
fi

if type update-alternatives >/dev/null 2>&1; then
    update-alternatives --remove '${executable}' "$CLI" >/dev/null 2>&1 || true
fi
# A plain link (no update-alternatives) is removed only if it is ours.
if [ -L '/usr/bin/${executable}' ] && [ "$(readlink '/usr/bin/${executable}')" = "$CLI" ]; then
    rm -f '/usr/bin/${executable}'
fi

APPARMOR_PROFILE_DEST='/etc/apparmor.d/${executable}'
if [ -f "$APPARMOR_PROFILE_DEST" ]; then
    if apparmor_status --enabled >/dev/null 2>&1; then
        if ! { [ -x '/usr/bin/ischroot' ] && /usr/bin/ischroot; } && hash apparmor_parser 2>/dev/null; then
            apparmor_parser --remove "$APPARMOR_PROFILE_DEST" || true
        fi
    fi
    rm -f "$APPARMOR_PROFILE_DEST"
fi

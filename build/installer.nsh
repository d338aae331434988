; electron-builder's NSIS include (electron-builder.yml nsis.include): what the Windows installer does
; for the current user beyond copying the app, and what its uninstaller takes back.
;   - the `outbox` command's folder on the user's PATH (docs/installed-cli.md);
;   - Outbox as a mail client Windows can offer for mailto: links (Settings > Default apps): a
;     per-user Capabilities key, a ProgID and a RegisteredApplications value. Windows 10 and later
;     let only the user choose the default; the app's Settings button opens that page.
!include LogicLib.nsh
!include WinMessages.nsh

!define OUTBOX_CLI_DIR "$INSTDIR\resources\cli\bin"
!define OUTBOX_CLIENT_KEY "Software\Clients\Mail\Outbox"
!define OUTBOX_PROGID "Outbox.Url.mailto"

; _OK 1: _OUT is the user's PATH ("" when there is none). _OK 0: a PATH is there that NSIS could not
; read whole (longer than its string buffer): writing it back would lose the user's entries, so it
; is left alone and the installer says so.
!macro OutboxReadUserPath _OUT _OK
  ClearErrors
  ReadRegStr ${_OUT} HKCU "Environment" "Path"
  StrCpy ${_OK} 1
  ${If} ${Errors}
    StrCpy ${_OUT} ""
    StrCpy $R8 0
    ${Do}
      EnumRegValue $R9 HKCU "Environment" $R8
      ${IfThen} $R9 == "" ${|} ${ExitDo} ${|}
      ${IfThen} $R9 == "Path" ${|} StrCpy ${_OK} 0 ${|}
      IntOp $R8 $R8 + 1
    ${Loop}
  ${EndIf}
!macroend

; Tells running programs (Explorer, new terminals) that the user's environment changed.
!macro OutboxBroadcastEnvironment
  SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
!macroend

; Stack in: PATH, entry. Stack out: PATH without any ";"-separated item equal to the entry (NSIS
; compares case-insensitively, as Windows compares paths) and without empty items. One body for both
; builds: electron-builder compiles the uninstaller apart (BUILD_UNINSTALLER), where a function's
; name starts with "un.", and makensis -WX fails on a function defined but never called.
!macro OutboxPathWithoutFunction PREFIX
Function ${PREFIX}OutboxPathWithout
  Exch $1 ; entry
  Exch
  Exch $0 ; PATH
  Push $2 ; the result so far
  Push $3 ; the item being read
  Push $4 ; one character
  Push $5 ; position
  StrCpy $2 ""
  StrCpy $3 ""
  StrCpy $5 0
  ${Do}
    StrCpy $4 $0 1 $5
    ${If} $4 == ";"
    ${OrIf} $4 == ""
      ${If} $3 != $1
      ${AndIf} $3 != ""
        ${If} $2 == ""
          StrCpy $2 $3
        ${Else}
          StrCpy $2 "$2;$3"
        ${EndIf}
      ${EndIf}
      StrCpy $3 ""
      ${IfThen} $4 == "" ${|} ${ExitDo} ${|}
    ${Else}
      StrCpy $3 "$3$4"
    ${EndIf}
    IntOp $5 $5 + 1
  ${Loop}
  StrCpy $0 $2
  Pop $5
  Pop $4
  Pop $3
  Pop $2
  Pop $1
  Exch $0
FunctionEnd
!macroend

!ifdef BUILD_UNINSTALLER
  !insertmacro OutboxPathWithoutFunction "un."
!else
  !insertmacro OutboxPathWithoutFunction ""
!endif

!macro customInstall
  ; PATH: the CLI folder once, at the end (a reinstall or an update finds it there already).
  !insertmacro OutboxReadUserPath $R0 $R1
  ${If} $R1 == 1
    Push "$R0"
    Push "${OUTBOX_CLI_DIR}"
    Call OutboxPathWithout
    Pop $R2
    ${If} $R2 == ""
      StrCpy $R2 "${OUTBOX_CLI_DIR}"
    ${Else}
      StrCpy $R2 "$R2;${OUTBOX_CLI_DIR}"
    ${EndIf}
    ${If} $R2 != $R0
      WriteRegExpandStr HKCU "Environment" "Path" "$R2"
      !insertmacro OutboxBroadcastEnvironment
    ${EndIf}
  ${Else}
    DetailPrint "Your PATH is too long to change safely: add ${OUTBOX_CLI_DIR} to it to use the outbox command."
  ${EndIf}

  ; The mail client and its mailto: handler, for this user.
  WriteRegStr HKCU "${OUTBOX_CLIENT_KEY}" "" "${PRODUCT_NAME}"
  WriteRegStr HKCU "${OUTBOX_CLIENT_KEY}\Capabilities" "ApplicationName" "${PRODUCT_NAME}"
  WriteRegStr HKCU "${OUTBOX_CLIENT_KEY}\Capabilities" "ApplicationDescription" "Send mail through several SMTP accounts, online or offline."
  WriteRegStr HKCU "${OUTBOX_CLIENT_KEY}\Capabilities\URLAssociations" "mailto" "${OUTBOX_PROGID}"
  WriteRegStr HKCU "${OUTBOX_CLIENT_KEY}\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}"'
  WriteRegStr HKCU "Software\Classes\${OUTBOX_PROGID}" "" "Email address (Outbox)"
  WriteRegStr HKCU "Software\Classes\${OUTBOX_PROGID}\DefaultIcon" "" "$INSTDIR\${APP_EXECUTABLE_FILENAME},0"
  WriteRegStr HKCU "Software\Classes\${OUTBOX_PROGID}\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
  WriteRegStr HKCU "Software\RegisteredApplications" "Outbox" "${OUTBOX_CLIENT_KEY}\Capabilities"
!macroend

!macro customUnInstall
  ; PATH: exactly our entry taken out, wherever it is; the rest stays as it was.
  !insertmacro OutboxReadUserPath $R0 $R1
  ${If} $R1 == 1
    Push "$R0"
    Push "${OUTBOX_CLI_DIR}"
    Call un.OutboxPathWithout
    Pop $R2
    ${If} $R2 != $R0
      ${If} $R2 == ""
        DeleteRegValue HKCU "Environment" "Path"
      ${Else}
        WriteRegExpandStr HKCU "Environment" "Path" "$R2"
      ${EndIf}
      !insertmacro OutboxBroadcastEnvironment
    ${EndIf}
  ${EndIf}

  DeleteRegValue HKCU "Software\RegisteredApplications" "Outbox"
  DeleteRegKey HKCU "${OUTBOX_CLIENT_KEY}"
  DeleteRegKey HKCU "Software\Classes\${OUTBOX_PROGID}"
!macroend

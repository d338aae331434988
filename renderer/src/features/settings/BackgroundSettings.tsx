import { Fragment, useEffect, useState } from 'react';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import type { AppSettings } from '../../../../preload/contract/settings.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';

type BackgroundKey = 'keepRunningInBackground' | 'startAtLogin' | 'deliverWhileClosed';

const TOGGLES: readonly { key: BackgroundKey; label: string; hint: string }[] = [
  {
    key: 'keepRunningInBackground',
    label: 'Keep running in the background',
    hint: 'Closing the window leaves Outbox in the tray or menu bar, delivering what waits.',
  },
  {
    key: 'startAtLogin',
    label: 'Start Outbox when you log in',
    hint: 'Hidden, in the tray: mail queued while Outbox was closed goes as soon as you log in.',
  },
  {
    key: 'deliverWhileClosed',
    label: 'Deliver while Outbox is closed',
    hint: 'Your system runs a short delivery every few minutes and at scheduled times, even when Outbox is not running.',
  },
];

/**
 * The window-closed settings (issue 18 §2). Main applies start at login and delivery while closed
 * through the OS before saving them: a refusal comes back as an error and the toggle shows what
 * main still holds.
 */
export function BackgroundSettings() {
  const [settings, setSettings] = useState<Pick<AppSettings, BackgroundKey>>();
  const [error, setError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void window.outbox.settings.get().then((result) => {
      if (result.ok) setSettings(result.value);
      else setError(result.error);
    });
  }, []);

  async function toggle(key: BackgroundKey, on: boolean) {
    if (!settings) return;
    setSettings({ ...settings, [key]: on });
    setBusy(true);
    const result = await window.outbox.settings.update({ [key]: on });
    setBusy(false);
    if (result.ok) {
      setSettings(result.value);
      setError(undefined);
      return;
    }
    setError(result.error);
    const current = await window.outbox.settings.get();
    if (current.ok) setSettings(current.value);
  }

  if (!settings) return error ? <ErrorMessage error={error} /> : null;
  return (
    <fieldset className="background-settings" aria-busy={busy}>
      <legend>With the window closed</legend>
      {TOGGLES.map(({ key, label, hint }) => (
        <Fragment key={key}>
          <label className="inline-check">
            <input
              type="checkbox"
              checked={settings[key]}
              disabled={busy}
              aria-describedby={`setting-${key}-hint`}
              onChange={(event) => {
                void toggle(key, event.target.checked);
              }}
            />
            {label}
          </label>
          <p className="field-hint" id={`setting-${key}-hint`}>
            {hint}
          </p>
        </Fragment>
      ))}
      <ErrorMessage error={error} id="background-settings-error" />
    </fieldset>
  );
}

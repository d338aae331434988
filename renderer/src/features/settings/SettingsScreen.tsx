import { Fragment, useEffect, useState } from 'react';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import type { AppSettings } from '../../../../preload/contract/settings.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { isAboutField } from '../../shared/error-text.ts';
import { TextField } from '../../shared/TextField.tsx';
import { Screen } from '../../shared/Screen.tsx';
import { BackgroundSettings } from './BackgroundSettings.tsx';
import { DefaultMailAppSetting } from './DefaultMailApp.tsx';

type NumberKey = 'undoSeconds' | 'retryLifetimeHours' | 'sentRetentionDays';
type BooleanKey = 'notifications' | 'autoResendUnconfirmed' | 'liveIspdbLookup';

const NUMBERS: readonly { key: NumberKey; label: string; hint: string }[] = [
  {
    key: 'undoSeconds',
    label: 'Undo window (seconds)',
    hint: 'How long a sent message waits so it can be taken back. 0 turns undo off.',
  },
  {
    key: 'retryLifetimeHours',
    label: 'Keep retrying for (hours)',
    hint: 'Time spent online trying before a message is given up.',
  },
  { key: 'sentRetentionDays', label: 'Keep the sent log for (days)', hint: 'Older entries are removed.' },
];

const LOCAL_MAIL = 'localMailAddress';

const BOOLEANS: readonly { key: BooleanKey; label: string; hint?: string }[] = [
  { key: 'notifications', label: 'Show notifications when a message is sent or fails' },
  { key: 'autoResendUnconfirmed', label: 'Resend unconfirmed messages without asking (may deliver twice)' },
  {
    key: 'liveIspdbLookup',
    label: "Look up unknown domains in Thunderbird's online ISP database",
    hint: 'This tells autoconfig.thunderbird.net which domain you are setting up an account for.',
  },
];

export function SettingsScreen() {
  const [settings, setSettings] = useState<AppSettings>();
  const [numbers, setNumbers] = useState<Record<NumberKey, string>>();
  const [localMail, setLocalMail] = useState('');
  const [error, setError] = useState<ErrorInfo>();
  const [saved, setSaved] = useState(false);

  function accept(value: AppSettings) {
    setSettings(value);
    setNumbers({
      undoSeconds: String(value.undoSeconds),
      retryLifetimeHours: String(value.retryLifetimeHours),
      sentRetentionDays: String(value.sentRetentionDays),
    });
    setLocalMail(value.localMailAddress);
  }

  useEffect(() => {
    void window.outbox.settings.get().then((result) => {
      if (result.ok) accept(result.value);
      else setError(result.error);
    });
  }, []);

  async function save(patch: Partial<AppSettings>) {
    const result = await window.outbox.settings.update(patch);
    if (result.ok) {
      accept(result.value);
      setError(undefined);
      setSaved(true);
    } else {
      setError(result.error);
      setSaved(false);
      const current = await window.outbox.settings.get();
      if (current.ok) setSettings(current.value);
    }
  }

  return (
    <Screen name="settings" title="Settings">
      {settings && numbers ? (
        <form
          noValidate
          className="settings-form"
          onSubmit={(event) => {
            event.preventDefault();
            void save({
              undoSeconds: Number(numbers.undoSeconds),
              retryLifetimeHours: Number(numbers.retryLifetimeHours),
              sentRetentionDays: Number(numbers.sentRetentionDays),
              localMailAddress: localMail,
            });
          }}
        >
          {NUMBERS.map(({ key, label, hint }) => (
            <TextField
              key={key}
              label={label}
              type="number"
              hint={hint}
              value={numbers[key]}
              error={isAboutField(error, key) ? error : undefined}
              onChange={(value) => {
                setNumbers({ ...numbers, [key]: value });
                setSaved(false);
              }}
            />
          ))}
          <TextField
            label="Address for local mail"
            type="email"
            hint="Where mail to a user of this computer goes (cron's mail to root, via outbox sendmail). Empty: the default account's address."
            value={localMail}
            error={isAboutField(error, LOCAL_MAIL) ? error : undefined}
            onChange={(value) => {
              setLocalMail(value);
              setSaved(false);
            }}
          />
          {BOOLEANS.map(({ key, label, hint }) => (
            <Fragment key={key}>
              <label className="inline-check">
                <input
                  type="checkbox"
                  checked={settings[key]}
                  aria-describedby={hint ? `setting-${key}-hint` : undefined}
                  onChange={(event) => {
                    // Shown at once; `save` puts back what main holds if it refuses.
                    setSettings({ ...settings, [key]: event.target.checked });
                    void save({ [key]: event.target.checked });
                  }}
                />
                {label}
              </label>
              {hint ? (
                <p className="field-hint" id={`setting-${key}-hint`}>
                  {hint}
                </p>
              ) : null}
            </Fragment>
          ))}
          <div className="form-actions">
            <button type="submit" className="primary">
              Save settings
            </button>
            <span aria-live="polite">{saved ? 'Saved.' : ''}</span>
          </div>
        </form>
      ) : null}
      <BackgroundSettings />
      <DefaultMailAppSetting />
      {error && ![...NUMBERS.map(({ key }) => key), LOCAL_MAIL].some((key) => isAboutField(error, key)) ? (
        <ErrorMessage error={error} />
      ) : null}
    </Screen>
  );
}

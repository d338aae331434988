import { useEffect, useState } from 'react';
import type { DefaultMailApp } from '../../../../preload/contract/desktop.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';

/** Settings: whether Outbox opens mailto: links, and the button that makes it so (issue 18). */
export function DefaultMailAppSetting() {
  const [state, setState] = useState<DefaultMailApp>();
  const [error, setError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void window.outbox.desktop.defaultMailApp().then((result) => {
      if (result.ok) setState(result.value);
      else setError(result.error);
    });
  }, []);

  async function makeDefault() {
    setBusy(true);
    const result = await window.outbox.desktop.makeDefaultMailApp();
    setBusy(false);
    if (result.ok) {
      setState(result.value);
      setError(undefined);
    } else setError(result.error);
  }

  if (!state) return <ErrorMessage error={error} />;
  return (
    <section className="settings-section" aria-labelledby="default-mail-app-title">
      <h2 id="default-mail-app-title" className="section-label">
        Mail links
      </h2>
      <p aria-live="polite">
        {state.isDefault ? 'Outbox opens mailto: links.' : 'Another app opens mailto: links.'}
      </p>
      {/* Where only the user may choose (Windows), the button opens the system's page either way. */}
      {!state.isDefault || !state.canSet ? (
        <button type="button" disabled={busy} onClick={() => void makeDefault()}>
          {state.canSet ? 'Make Outbox the default mail app' : 'Choose the default mail app…'}
        </button>
      ) : null}
      {!state.canSet ? (
        <p className="field-hint">
          This system lets only you choose it: the button opens its settings (on Windows, Apps &gt; Default
          apps).
        </p>
      ) : null}
      <ErrorMessage error={error} />
    </section>
  );
}

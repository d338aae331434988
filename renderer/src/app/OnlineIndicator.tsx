import { useEffect, useState } from 'react';
import type { AppStatus } from '../../../preload/contract/settings.ts';

/** Main's view of the network; the page's own online/offline events are passed on as hints. */
export function OnlineIndicator() {
  const [status, setStatus] = useState<AppStatus>();
  useEffect(() => {
    void window.outbox.app.getStatus().then((result) => {
      if (result.ok) setStatus(result.value);
    });
    const hint = () => void window.outbox.app.networkHint({ online: navigator.onLine });
    window.addEventListener('online', hint);
    window.addEventListener('offline', hint);
    const unsubscribe = window.outbox.app.onStatusChanged(setStatus);
    return () => {
      unsubscribe();
      window.removeEventListener('online', hint);
      window.removeEventListener('offline', hint);
    };
  }, []);
  const state = status ? (status.online ? 'online' : 'offline') : 'unknown';
  return (
    <p className={`online-indicator online-${state}`} role="status">
      <span className="online-dot" aria-hidden="true" />
      {status ? (status.online ? 'Online' : 'Offline: messages wait in the outbox') : 'Connecting…'}
      {status ? <span className="version">Outbox {status.version}</span> : null}
    </p>
  );
}

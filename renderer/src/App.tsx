import { useEffect, useState } from 'react';
import type { AppStatus } from '../../preload/contract/settings.ts';

export function App() {
  const [status, setStatus] = useState<AppStatus>();
  useEffect(() => {
    void window.outbox.app.getStatus().then((result) => {
      if (result.ok) setStatus(result.value);
    });
    return window.outbox.app.onStatusChanged(setStatus);
  }, []);
  return (
    <main>
      <h1>Outbox</h1>
      <p role="status">
        {status ? `${status.online ? 'Online' : 'Offline'} · version ${status.version}` : 'Connecting…'}
      </p>
    </main>
  );
}

import { useEffect, useState } from 'react';
import type { EventPayload } from '../../../preload/contract/channels.ts';

type Notice = EventPayload<'app:noticed'> & { readonly key: number };

/** Messages main sends without being asked (e.g. a damaged queue file set aside), until dismissed. */
export function Notices() {
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  useEffect(() => {
    let next = 0;
    return window.outbox.app.onNoticed((notice) => {
      next += 1;
      const key = next;
      setNotices((current) => [...current, { ...notice, key }]);
    });
  }, []);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => (
        <div
          key={notice.key}
          className={`notice notice-${notice.level}`}
          role={notice.level === 'error' ? 'alert' : 'status'}
        >
          <span>{notice.message}</span>
          <button
            type="button"
            aria-label="Dismiss"
            onClick={() => {
              setNotices((current) => current.filter((n) => n.key !== notice.key));
            }}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

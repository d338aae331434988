import { useState } from 'react';
import type { DraftContent } from '../../../preload/contract/compose.ts';
import type { ErrorInfo } from '../../../preload/contract/errors.ts';
import type { QueueItem } from '../../../preload/contract/outbox.ts';
import { ErrorMessage } from '../shared/ErrorMessage.tsx';
import { useNow } from '../shared/use-now.ts';

interface Props {
  readonly item: QueueItem;
  /** The message as the queue has it now; it leaves the undo window once it is no longer queued. */
  readonly current: QueueItem | undefined;
  readonly onUndone: (content: DraftContent) => void;
  readonly onDismiss: () => void;
}

const TOAST_MS = 10_000;

/** "Sending…  Undo" for as long as main keeps the message back (`undoUntil`). */
export function UndoToast({ item, current, onUndone, onDismiss }: Props) {
  const now = useNow(250);
  const [error, setError] = useState<ErrorInfo>();
  const [busy, setBusy] = useState(false);
  const scheduled = item.state === 'scheduled';
  // A scheduled message can be taken back until it is due; the toast offers that for a few seconds.
  const until = item.undoUntil ? Date.parse(item.undoUntil) : Date.parse(item.createdAt) + TOAST_MS;
  const open = now < until && (current === undefined || current.state === item.state);
  if (!open && !error) return null;

  async function undo() {
    setBusy(true);
    const result = scheduled
      ? await window.outbox.outbox.edit({ id: item.id })
      : await window.outbox.outbox.undo({ id: item.id });
    setBusy(false);
    if (result.ok) onUndone(result.value);
    else setError(result.error);
  }

  return (
    <div className="toast" role="status">
      {/* Announced once; the ticking seconds are for the eye only, so screen readers are not flooded. */}
      <span>
        {scheduled ? 'Scheduled' : 'Sending'} “{item.subject || '(no subject)'}”
        <span aria-hidden="true">
          {scheduled ? '' : ` in ${Math.max(0, Math.ceil((until - now) / 1000))} s`}
        </span>
        .
      </span>
      {open ? (
        <button type="button" onClick={() => void undo()} disabled={busy}>
          Undo
        </button>
      ) : null}
      <button type="button" aria-label="Close" onClick={onDismiss}>
        ×
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}

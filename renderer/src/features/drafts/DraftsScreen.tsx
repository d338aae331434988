import { useEffect, useState } from 'react';
import type { Draft } from '../../../../preload/contract/compose.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { Screen } from '../../shared/Screen.tsx';

interface Props {
  readonly onOpen: (draft: Draft) => void;
}

export function DraftsScreen({ onOpen }: Props) {
  const [drafts, setDrafts] = useState<readonly Draft[]>();
  const [error, setError] = useState<ErrorInfo>();

  useEffect(() => {
    void window.outbox.drafts.list().then((result) => {
      if (result.ok) setDrafts(result.value);
      else setError(result.error);
    });
  }, []);

  async function remove(id: string) {
    const result = await window.outbox.drafts.delete({ id });
    if (result.ok) setDrafts((current) => current?.filter((draft) => draft.id !== id));
    else setError(result.error);
  }

  return (
    <Screen name="drafts" title="Drafts">
      <ErrorMessage error={error} />
      {drafts?.length === 0 ? (
        <p className="empty">No drafts. Messages you start are saved here as you type.</p>
      ) : null}
      <ul className="draft-list" aria-label="Drafts">
        {drafts?.map((draft) => (
          <li key={draft.id} className="draft-row">
            <span className="row-subject">{draft.content.subject || '(no subject)'}</span>
            <span className="row-recipients">{draft.content.to.join(', ') || 'No recipients yet'}</span>
            <span className="row-when">Saved {formatDateTime(draft.updatedAt)}</span>
            <button
              type="button"
              onClick={() => {
                onOpen(draft);
              }}
            >
              Open
            </button>
            <button
              type="button"
              aria-label={`Delete draft ${draft.content.subject || '(no subject)'}`}
              onClick={() => void remove(draft.id)}
            >
              Delete
            </button>
          </li>
        ))}
      </ul>
    </Screen>
  );
}

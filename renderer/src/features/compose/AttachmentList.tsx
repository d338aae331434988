import type { AttachmentInfo } from '../../../../preload/contract/compose.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { formatBytes } from '../../shared/format.ts';

interface Props {
  readonly attachments: readonly AttachmentInfo[];
  /** Paths another program attached, not the user: each is marked so the user sees what they did not pick. */
  readonly addedByProgram: ReadonlySet<string>;
  /** The smaller of the account's own limit and the SIZE its server advertised, when known. */
  readonly limitBytes: number | undefined;
  readonly bodyBytes: number;
  readonly onAdd: () => void;
  readonly onRemove: (path: string) => void;
  readonly error?: ErrorInfo | undefined;
}

// Base64 turns every 3 bytes into 4, plus a line break every 76 characters (RFC 2045 §6.8).
const encodedSize = (bytes: number) => Math.ceil((bytes * 4) / 3 + bytes / 57);

export function AttachmentList({
  attachments,
  addedByProgram,
  limitBytes,
  bodyBytes,
  onAdd,
  onRemove,
  error,
}: Props) {
  const total = attachments.reduce((sum, file) => sum + file.size, 0);
  const estimate = encodedSize(total) + bodyBytes;
  const tooLarge = limitBytes !== undefined && estimate > limitBytes;
  return (
    <section className="attachments" aria-labelledby="attachments-heading">
      <div className="attachments-header">
        <h2 id="attachments-heading" className="section-label">
          Attachments
        </h2>
        <button type="button" onClick={onAdd}>
          Attach files…
        </button>
        <span className={tooLarge ? 'size-total size-over' : 'size-total'} aria-live="polite">
          {attachments.length === 0
            ? 'Drop files anywhere in the window to attach them.'
            : `Total ${formatBytes(total)}, about ${formatBytes(estimate)} as sent` +
              (limitBytes === undefined ? '' : ` of the ${formatBytes(limitBytes)} limit`) +
              (tooLarge ? ': too large for this account.' : '')}
        </span>
      </div>
      {attachments.length > 0 ? (
        <ul className="attachment-list">
          {attachments.map((file) => (
            <li key={file.path} className="attachment">
              <span className="attachment-name" title={file.path}>
                {file.name}
              </span>
              {addedByProgram.has(file.path) ? (
                <span className="attachment-origin">added by another program</span>
              ) : null}
              <span className="attachment-size">{formatBytes(file.size)}</span>
              <button
                type="button"
                aria-label={`Remove ${file.name}`}
                onClick={() => {
                  onRemove(file.path);
                }}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorMessage error={error} />
    </section>
  );
}

import type { RecipientStatus } from '../../../preload/contract/outbox.ts';

/** Each recipient with what the server said about it, verbatim. */
export function RecipientResults({ recipients }: { readonly recipients: readonly RecipientStatus[] }) {
  return (
    <>
      <h3>Recipients</h3>
      <ul className="recipient-results">
        {recipients.map((recipient) => (
          <li key={`${recipient.kind}:${recipient.address}`}>
            <span className="recipient-kind">{recipient.kind}</span> {recipient.address}{' '}
            <span className={`recipient-state recipient-${recipient.state}`}>{recipient.state}</span>
            {recipient.reply ? <pre className="server-reply">{recipient.reply}</pre> : null}
          </li>
        ))}
      </ul>
    </>
  );
}

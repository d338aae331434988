import { useId } from 'react';
import { confirmationText, type FoundDiscovery } from './discovery-text.ts';

interface Props {
  readonly found: FoundDiscovery;
  readonly onUse: () => void;
  readonly onDecline: () => void;
}

/**
 * An off-domain server found through DNS or the domain's own web server: shown with where it came
 * from, and filled in only when the user says so, before any password is sent to it.
 */
export function DiscoveryNotice({ found, onUse, onDecline }: Props) {
  const titleId = useId();
  const [server] = found.servers;
  if (!server) return null;
  return (
    <div className="warning discovery-notice" role="group" aria-labelledby={titleId}>
      <p id={titleId}>
        <strong>Check the server found for this address</strong>
      </p>
      {confirmationText(found, server).map((line) => (
        <p key={line}>{line}</p>
      ))}
      <div className="notice-actions">
        <button type="button" onClick={onUse}>
          Use these settings
        </button>
        <button type="button" onClick={onDecline}>
          Enter by hand
        </button>
      </div>
    </div>
  );
}

import type { Progress } from '../../../preload/contract/outbox.ts';
import { formatBytes } from './format.ts';

export function ProgressBar({ progress, label }: { readonly progress: Progress; readonly label: string }) {
  return (
    <span className="progress">
      <progress aria-label={label} max={progress.bytesTotal || 1} value={progress.bytesSent} />
      <span className="progress-text">
        {formatBytes(progress.bytesSent)} of {formatBytes(progress.bytesTotal)}
      </span>
    </span>
  );
}

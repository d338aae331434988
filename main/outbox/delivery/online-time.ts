/** A stretch of time this process saw the network down; `to` is absent while it still is. */
export interface OfflineSpan {
  readonly from: number;
  readonly to?: number | undefined;
}

/**
 * Online time in [from, to], for the retry lifetime: the whole stretch, less the offline spans
 * this process saw in it. Offline periods are known only to the process that saw them, and a
 * message's attempts may come from different processes (the app, one `queue flush` after another
 * under cron): time before this process started has no evidence of being offline, so it counts as
 * online. The lifetime is then wall time since the first attempt, whoever delivered, less the time
 * known to be offline (RFC 5321 §4.5.4.1: give up after 4–5 days).
 */
export function onlineMsBetween(from: number, to: number, offline: readonly OfflineSpan[]): number {
  if (to <= from) return 0;
  let offlineMs = 0;
  for (const span of offline) {
    const a = Math.max(span.from, from);
    const b = Math.min(span.to ?? to, to);
    if (b > a) offlineMs += b - a;
  }
  return to - from - offlineMs;
}

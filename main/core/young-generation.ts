/**
 * Keeps V8's young generation at the size it has while the queue is read and taken in (the store's
 * init, the outbox's first read, a listing). V8 doubles it (up to
 * 2 × 64 MB here) whenever much of what it holds survives, which indexing a long queue does: each
 * message's entry outlives the scavenge that finds it (issue 17). Kept small while 100,000 are
 * indexed, `queue list` peaks at ~140 MB RSS rather than ~155 and the deliverer's start adds ~88 MB.
 * Kept small for good, composing and sending paid for it: enqueue ~20% slower, end to end 0.60×
 * nodemailer rather than 0.79× (bench, paired runs): hence only while indexing.
 *
 * Its limit (`--max-semi-space-size`) is read only when the process starts, which neither the
 * installed command nor Electron's main process controls; the growth factor is read each time it
 * would grow, and Node and Electron both leave V8's flags open to change after start
 * (`--no-freeze-flags-after-init`). V8's code cache (bin/outbox.js) is keyed by its flags, and the
 * factor is back to V8's own once the hold ends: a module loaded while it is held (none is, in the
 * commands that index the queue) would be cached under other flags than the next run's.
 */

/** V8's own growth factor (`--semi-space-growth-factor`), restored once no index is being built. */
const V8_GROWTH_FACTOR = 2;

let holders = 0;

/**
 * Holds the young generation at its size until the returned function is called (once: later
 * calls do nothing). Holds may overlap, as two stores opened at once do: the last one lets go.
 */
export function holdSmallYoungGeneration(): () => void {
  if (holders++ === 0) growthFactor(1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holders === 0) growthFactor(V8_GROWTH_FACTOR);
  };
}

/** Runs `work` (reading the queue and taking it in) with the young generation held at its size. */
export async function withSmallYoungGeneration<T>(work: () => Promise<T>): Promise<T> {
  const release = holdSmallYoungGeneration();
  try {
    return await work();
  } finally {
    release();
  }
}

function growthFactor(factor: number): void {
  process.getBuiltinModule('node:v8').setFlagsFromString(`--semi-space-growth-factor=${factor}`);
}

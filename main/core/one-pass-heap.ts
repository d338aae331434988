/**
 * V8 tuned for a command that reads a long queue once and ends (`queue list`), rather than for a
 * program that runs for hours. Two of V8's defaults cost such a run memory and buy it nothing:
 *
 * - Maglev, the compiler between the interpreter and TurboFan, compiles the hot decode loop on
 *   worker threads, whose memory stays in each thread's malloc arena until the process ends.
 * - After a full collection the old generation may grow to ~3× what was live before the next
 *   one; a listing's index grows steadily, so its peak is mostly garbage waiting for it.
 *
 * Listing 100,000 queued (bundled CLI, 6 interleaved runs): peak RSS 108.8 MB with V8's defaults,
 * 97.2 without Maglev, 104.5 with growth held to 1.5×, 91.8 with both, the time within run-to-run
 * noise (issue 17). For the rest of the process: it is not undone, as the command ends after its
 * pass. Set after start, as young-generation.ts does: V8 reads both when it next decides, and its
 * code cache accepts code compiled either way.
 */
export function tuneForOnePass(): void {
  const v8 = process.getBuiltinModule('node:v8');
  v8.setFlagsFromString('--no-maglev');
  v8.setFlagsFromString('--heap-growing-percent=50');
}

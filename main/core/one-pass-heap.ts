/**
 * V8 tuned for a command that reads a long queue once and ends (`queue list`), rather than for a
 * program that runs for hours. Two of V8's defaults cost such a run memory and buy it nothing:
 *
 * - Maglev, the compiler between the interpreter and TurboFan, compiles the hot decode loop on
 *   worker threads; with glibc, what they allocate stays in each thread's malloc arena until the
 *   process ends.
 * - Where the heap may grow large (a limit of 2 GB or more), V8 lets the old generation reach up
 *   to ~4× what was live before its next full collection; a listing's index grows steadily, so
 *   its peak is mostly garbage waiting for that collection. Set to 1.5× there. Below that limit V8
 *   already grows cautiously (1.1–2×) and is left to.
 *
 * Listing 100,000 queued (bundled CLI, 6 interleaved runs): peak RSS 108.8 MB with V8's defaults,
 * 97.2 without Maglev, 104.5 with growth at 1.5×, 91.8 with both, the time within run-to-run noise
 * (issue 17). For the rest of the process: it is not undone, as the command ends after its pass.
 *
 * Set after start, which Node's documentation of v8.setFlagsFromString warns may do nothing or
 * worse: both flags are read when V8 next decides (whether to compile with Maglev, how far the
 * heap may grow), which the tests check. V8's code cache is keyed by its flags: call this once
 * every module the command needs is loaded, or a module compiled after it is cached under other
 * flags than the next run's, and each run would replace the other's entry.
 */
export function tuneForOnePass(): void {
  const v8 = process.getBuiltinModule('node:v8');
  v8.setFlagsFromString('--no-maglev');
  if (v8.getHeapStatistics().heap_size_limit >= LARGE_HEAP_LIMIT) {
    v8.setFlagsFromString('--heap-growing-percent=50');
  }
}

/** From this heap limit up, V8 lets the old generation grow up to 4× between full collections. */
const LARGE_HEAP_LIMIT = 2 * 1024 * 1024 * 1024;

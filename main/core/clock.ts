/** Time, injectable so backoff and scheduling are tested by moving a fake clock instead of sleeping. */
export interface Clock {
  now(): number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    // Pending timers must not keep a CLI process alive on their own.
    timer.unref();
    return () => {
      clearTimeout(timer);
    };
  },
  random: () => Math.random(),
};

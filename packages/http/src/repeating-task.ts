export interface RepeatingTaskOptions {
  /** One run; the next starts `intervalMs` after it ends, so two never overlap. */
  run: () => Promise<unknown>;
  /** A failed run (the next one still comes). */
  onError: (error: Error) => void;
  intervalMs: number;
  /** Wait before the first run (default 0: at once). */
  firstDelayMs?: number;
}

/**
 * A background task of a service (an expiry job, a reconciler): started once by main.ts, stopped
 * at shutdown, which clears the timer and waits for a run in progress.
 */
export function createRepeatingTask(options: RepeatingTaskOptions) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> | null = null;
  let stopped = true;

  function schedule(ms: number) {
    if (!stopped) timer = setTimeout(tick, ms);
  }
  function tick() {
    timer = null;
    running = options
      .run()
      .catch(options.onError)
      .finally(() => {
        running = null;
        schedule(options.intervalMs);
      });
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(options.firstDelayMs ?? 0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
}
export type RepeatingTask = ReturnType<typeof createRepeatingTask>;

import type { VisitEvent } from '@kaiku/core';

/** Items of a batch that concern one visit or one patient, which must be handled in their order. */
export function orderingKeys(event: VisitEvent): string[] {
  const keys: string[] = [];
  if (event.visitId) keys.push(`visit:${event.source}:${event.visitId}`);
  if (event.patient.personalId) keys.push(`patient:${event.patient.personalId.trim().toUpperCase()}`);
  return keys;
}

/**
 * Runs `work` over a batch with up to `concurrency` items at once, keeping the batch order among
 * items that share a key (the same visit or the same patient), and returns the results in order.
 */
export async function runInOrder<T, R>(
  items: T[],
  keysOf: (item: T) => string[],
  work: (item: T) => Promise<R>,
  concurrency: number,
): Promise<R[]> {
  let active = 0;
  const queue: Array<() => void> = [];
  const acquire = () =>
    new Promise<void>((resolve) => {
      if (active < concurrency) {
        active++;
        resolve();
      } else queue.push(resolve);
    });
  const release = () => {
    const next = queue.shift();
    if (next) next();
    else active--;
  };
  const tails = new Map<string, Promise<unknown>>();
  const results = items.map((item) => {
    const keys = keysOf(item);
    const before = keys.map((k) => tails.get(k)).filter(Boolean);
    const done = Promise.all(before).then(async () => {
      await acquire();
      try {
        return await work(item);
      } finally {
        release();
      }
    });
    const settled = done.catch(() => {});
    for (const k of keys) tails.set(k, settled);
    return done;
  });
  return Promise.all(results);
}

import { isDatabaseUnavailable } from '@kaiku/db';

/** Deadlock victim, serialization failure: the transaction was rolled back whole. */
const RETRYABLE = new Set(['40P01', '40001']);
const VICTIM_ATTEMPTS = 3;

export interface GroupCommitOptions<I, O> {
  /**
   * Stores a group of items in one round trip (one transaction); answers one result per item,
   * in the same order. A group of one is a call like any other.
   */
  run: (items: I[]) => Promise<O[]>;
  /**
   * Groups in flight at once (each holds one pool connection). Fewer means larger groups under
   * load: an item goes alone only when a slot is free.
   */
  inFlight: number;
  /** Largest group. */
  maxGroup: number;
}

/**
 * Group commit for concurrent requests (the idea of ingest's grouped-ingest.ts, for any item):
 * an item that finds a free slot goes at once, alone; items that arrive while every slot is busy
 * wait and go together when a slot frees, sharing one round trip and one commit. Each caller gets
 * its own result only after the commit that stored it. A deadlock victim is run again (up to 3
 * times); if a group fails for any other reason but an unavailable database, its items are tried
 * again one by one, so one bad item cannot fail others.
 */
export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>) {
  let busy = 0;
  const waiting: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];

  /** run(), again when Postgres chose it as a deadlock's victim (rolled back whole: safe to repeat). */
  async function runAgainIfVictim(items: I[]): Promise<O[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await options.run(items);
      } catch (error) {
        if (!RETRYABLE.has((error as { code?: string }).code ?? '') || attempt >= VICTIM_ATTEMPTS) throw error;
      }
    }
  }

  async function alone(entry: (typeof waiting)[number]) {
    try {
      const [result] = await runAgainIfVictim([entry.item]);
      entry.resolve(result as O);
    } catch (error) {
      entry.reject(error);
    }
  }

  async function flush(group: typeof waiting) {
    busy++;
    try {
      if (group.length === 1) {
        await alone(group[0] as (typeof waiting)[number]);
        return;
      }
      try {
        const results = await runAgainIfVictim(group.map((g) => g.item));
        for (const [i, g] of group.entries()) g.resolve(results[i] as O);
      } catch (error) {
        if (isDatabaseUnavailable(error)) for (const g of group) g.reject(error);
        else for (const g of group) await alone(g);
      }
    } finally {
      busy--;
      if (waiting.length > 0) void flush(waiting.splice(0, options.maxGroup));
    }
  }

  return function submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (busy < options.inFlight) void flush(waiting.splice(0, options.maxGroup));
    });
  };
}

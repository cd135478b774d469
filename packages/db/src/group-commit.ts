import { isDatabaseUnavailable } from './pool.ts';

/** A deadlock's victim or a serialization failure: Postgres rolled the transaction back whole. */
const ROLLED_BACK_WHOLE = new Set(['40P01', '40001']);

/**
 * Runs `call` again (at most `times` more) when Postgres rolled it back whole as a deadlock's
 * victim or a serialization failure: nothing of it was kept, so running it again is safe.
 */
export async function retryIfRolledBack<T>(call: () => Promise<T>, times = 2): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!ROLLED_BACK_WHOLE.has((error as { code?: string }).code ?? '') || attempt >= times) throw error;
    }
  }
}

export interface GroupCommitOptions<I, O> {
  /**
   * Stores a group of items in one statement or transaction; one result per item, in order.
   * Wrap it in `retryIfRolledBack` when it is atomic (a deadlock victim kept nothing).
   */
  run: (items: I[]) => Promise<O[]>;
  /** Stores one item (when a single item has a cheaper path than a group of one). */
  runOne?: (item: I) => Promise<O>;
  /**
   * Groups in flight at once (each holds one pool connection). Fewer means larger groups under
   * load: an item goes without waiting only while a slot is free.
   */
  inFlight: number;
  /** Largest group. */
  maxGroup: number;
  /**
   * How long an item that finds a free slot waits for others before its group goes, in ms
   * (default 0: at once). Worth it for callers that keep one item in flight each, such as MLLP
   * connections: otherwise the first item after a commit goes alone and the rest wait for it.
   */
  gatherMs?: number;
  /**
   * Close the gathering window early once every caller seen at once is back (default false): as
   * soon as the items waiting plus those in groups in flight are as many as the most seen
   * together. Callers that keep one item in flight each (MLLP connections) come back together
   * after their commit, so their next group is complete well before `gatherMs`, and waiting on
   * would only add latency. A window that runs out (fewer came) lowers that count to what came.
   */
  gatherUntilAllBack?: boolean;
}

/**
 * Group commit for concurrent requests: an item that finds a free slot goes at once (or after
 * `gatherMs`); items that arrive while every slot is busy wait and go together when a slot
 * frees, sharing one round trip and one commit. Each caller gets its own result only after the
 * commit that stored it. A group that fails is tried again item by item, so one bad item cannot
 * fail the others, except when the database is unavailable: then the whole group fails at once,
 * with no retry storm.
 */
export function createGroupCommit<I, O>(options: GroupCommitOptions<I, O>) {
  const gatherMs = options.gatherMs ?? 0;
  const runOne = options.runOne ?? (async (item: I) => (await options.run([item]))[0] as O);
  type Entry = { item: I; resolve: (o: O) => void; reject: (e: unknown) => void };
  const waiting: Entry[] = [];
  let busy = 0;
  let gathering: NodeJS.Timeout | null = null;
  /** Items in groups in flight, and the most seen waiting or in flight at once (see `gatherUntilAllBack`). */
  let inGroups = 0;
  let together = 0;

  const alone = (entry: Entry) => runOne(entry.item).then(entry.resolve, entry.reject);

  async function flush(group: Entry[]) {
    busy++;
    inGroups += group.length;
    try {
      if (group.length === 1) {
        await alone(group[0] as Entry);
        return;
      }
      try {
        const results = await options.run(group.map((g) => g.item));
        for (const [i, g] of group.entries()) g.resolve(results[i] as O);
      } catch (error) {
        if (isDatabaseUnavailable(error)) for (const g of group) g.reject(error);
        else for (const g of group) await alone(g);
      }
    } finally {
      busy--;
      inGroups -= group.length;
      if (waiting.length > 0 && !gathering) void flush(waiting.splice(0, options.maxGroup));
    }
  }

  return function submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      together = Math.max(together, inGroups + waiting.length);
      if (busy >= options.inFlight) return; // goes when a slot frees
      const allBack = options.gatherUntilAllBack === true && inGroups + waiting.length >= together;
      if (gatherMs <= 0 || waiting.length >= options.maxGroup || allBack) {
        if (gathering) clearTimeout(gathering);
        gathering = null;
        void flush(waiting.splice(0, options.maxGroup));
      } else if (!gathering) {
        gathering = setTimeout(() => {
          gathering = null;
          together = inGroups + waiting.length;
          if (busy < options.inFlight && waiting.length > 0) void flush(waiting.splice(0, options.maxGroup));
        }, gatherMs);
      }
    });
  };
}

/**
 * Group commit for one kind of statement: a call runs at once while fewer than `maxInFlight` runs
 * are busy; calls that arrive meanwhile wait and then go together, up to `maxBatch` in one run.
 * So a lone job pays no delay, and under load one statement (one round trip, one commit) serves
 * many jobs. `run` gets the items and answers one result per item, in the same order.
 */
export function createBatcher<I, O>(run: (items: I[]) => Promise<O[]>, opts: { maxInFlight: number; maxBatch: number }) {
  const waiting: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  let inFlight = 0;
  const pump = () => {
    while (inFlight < opts.maxInFlight && waiting.length > 0) {
      const batch = waiting.splice(0, opts.maxBatch);
      inFlight += 1;
      run(batch.map((b) => b.item))
        .then(
          (results) => {
            batch.forEach((b, k) => {
              b.resolve(results[k] as O);
            });
          },
          (error) => {
            for (const b of batch) b.reject(error);
          },
        )
        .finally(() => {
          inFlight -= 1;
          pump();
        });
    }
  };
  return (item: I): Promise<O> =>
    new Promise<O>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      pump();
    });
}

/** Runs `fn` again (at most `times` more) when Postgres chose it as a deadlock's victim: nothing of it was committed. */
export async function retryOnDeadlock<T>(fn: () => Promise<T>, times = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= times) throw error;
    }
  }
}

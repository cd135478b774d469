import type { Logger } from 'pino';
import { kaikuMetrics } from './metrics.ts';
import { createRepeatingTask } from './repeating-task.ts';

const VARIABLE: Record<string, string> = { pseudonym: 'KAIKU_PSEUDONYM_KEY', encryption: 'KAIKU_ENCRYPTION_KEY' };
/** What a key other than the database's does, for the log. */
const EFFECT: Record<string, string> = {
  pseudonym: 'opted-out numbers no longer match their opt-outs and would be texted again',
  encryption: 'the numbers of texts not yet sent cannot be opened, so those texts cannot go out',
};

/**
 * Asks the database once a minute whether this process' keys are the ones it was first used with
 * (`changedKeys`), and says so when not: `kaiku_keys_changed{key}` 1 and an error in the log. A new
 * pseudonym key forgets every opt-out (the numbers get texts again); a new encryption key cannot
 * open the numbers of texts not yet sent. A failed check (database down, not yet migrated) waits
 * for the next minute: `/readyz` reports those.
 */
export function createKeyCheck(deps: { check: () => Promise<string[]>; logger: Logger; intervalMs?: number }) {
  return createRepeatingTask({
    intervalMs: deps.intervalMs ?? 60_000,
    onError: () => {},
    run: async () => {
      const changed = await deps.check();
      for (const key of Object.keys(VARIABLE)) kaikuMetrics.keysChanged.set({ key }, changed.includes(key) ? 1 : 0);
      if (changed.length === 0) return;
      deps.logger.error(
        { keys: changed.map((k) => VARIABLE[k] ?? k) },
        `a key is not the one this database was first used with: ${changed.map((k) => `${VARIABLE[k] ?? k}: ${EFFECT[k] ?? 'unknown key'}`).join('; ')}; restore it (README, Environment)`,
      );
    },
  });
}

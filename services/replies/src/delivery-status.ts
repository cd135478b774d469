import {
  applyDeliveryStatuses,
  createGroupCommit,
  DELIVERY_RANK,
  type DeliveryResult,
  type Pool,
  retryIfRolledBack,
  type StatusCallback,
} from '@kaiku/db';

export type { DeliveryResult, StatusCallback };

/** Applies one callback; concurrent callbacks share a round trip and a commit (group commit). */
export function createDeliveryStatusHandler(deps: { pool: Pool; answerWindowDays: number; inFlight?: number; maxGroup?: number }) {
  const submit = createGroupCommit<StatusCallback, DeliveryResult>({
    // one statement: a deadlock's victim kept nothing and runs again
    run: (callbacks) => retryIfRolledBack(() => applyDeliveryStatuses(deps.pool, callbacks, deps.answerWindowDays)),
    inFlight: deps.inFlight ?? 1,
    maxGroup: deps.maxGroup ?? 200,
  });
  return (cb: StatusCallback): Promise<DeliveryResult> =>
    DELIVERY_RANK[cb.messageStatus] === undefined ? Promise.resolve('ignored') : submit(cb);
}

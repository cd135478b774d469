import { z } from 'zod';

/**
 * Fault modes for tests and demos. Each rule answers the Messages API the way Twilio does when
 * something goes wrong; `to` limits it to one number, `times` to that many requests.
 *
 * - `error`: a Twilio error response (`status`, default 400, with `code`, e.g. 21211); no message.
 * - `rate-limit`: 429 with code 20429; no message.
 * - `server-error`: 500 with code 20500; no message (with `create: true`: the message is created and
 *   delivered all the same, the ambiguous case).
 * - `slow`: the message is created, the answer comes after `delayMs`.
 * - `hold`: the message is created, the answer waits until `POST /sim/faults/release`.
 * - `drop`: the connection is closed without an answer (the message is created unless `create: false`).
 * - `undelivered`: accepted, then reported `undelivered` (ErrorCode `code`, default 30003) by callback.
 *
 * `lookups: true` (with `error` or `server-error`): Twilio's message list (GET) fails the same way
 * while the rule lasts, as it does in a real outage; without it only sends fail.
 */
export const faultRuleSchema = z
  .object({
    kind: z.enum(['error', 'rate-limit', 'server-error', 'slow', 'hold', 'drop', 'undelivered']),
    to: z.string().optional(),
    times: z.number().int().positive().optional(),
    status: z.number().int().min(400).max(599).optional(),
    code: z.number().int().positive().optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    create: z.boolean().optional(),
    /** false: no status callbacks for the message (they were lost on the way). */
    callbacks: z.boolean().optional(),
    lookups: z.boolean().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.kind === 'error' && r.code === undefined)
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'an error needs a Twilio code' });
    if (r.kind === 'slow' && r.delayMs === undefined) ctx.addIssue({ code: 'custom', path: ['delayMs'], message: 'slow needs delayMs' });
  });
export type FaultRule = z.infer<typeof faultRuleSchema>;
/** One rule or a list of rules. */
export const faultRulesSchema = z.preprocess((v) => (Array.isArray(v) ? v : [v]), z.array(faultRuleSchema));

interface ActiveRule {
  id: number;
  rule: FaultRule;
  remaining: number;
}

/** The active rules and the requests held by `hold`. */
export function createFaultStore(initial: FaultRule[] = []) {
  let nextId = 1;
  let rules: ActiveRule[] = [];
  let held: Array<() => void> = [];

  const store = {
    add(list: FaultRule[]): number[] {
      const added = list.map((rule) => ({ id: nextId++, rule, remaining: rule.times ?? Number.POSITIVE_INFINITY }));
      rules.push(...added);
      return added.map((r) => r.id);
    },
    /** The first rule that matches this number, counting one use of it. */
    take(to: string): FaultRule | null {
      const match = rules.find((r) => r.remaining > 0 && (!r.rule.to || r.rule.to === to));
      if (!match) return null;
      match.remaining -= 1;
      if (match.remaining <= 0) rules = rules.filter((r) => r !== match);
      return match.rule;
    },
    /** A rule that fails look-ups of this number's messages too (it is not used up by them). */
    lookupFault(to: string): FaultRule | null {
      const match = rules.find(
        (r) =>
          r.remaining > 0 &&
          r.rule.lookups &&
          (r.rule.kind === 'error' || r.rule.kind === 'server-error') &&
          (!r.rule.to || r.rule.to === to),
      );
      return match?.rule ?? null;
    },
    list() {
      return {
        faults: rules.map((r) => ({ id: r.id, ...r.rule, remaining: Number.isFinite(r.remaining) ? r.remaining : null })),
        held: held.length,
      };
    },
    /** Waits until `release()` (or `clear()`). */
    hold(): Promise<void> {
      return new Promise((resolve) => held.push(resolve));
    },
    release(): number {
      const n = held.length;
      for (const resolve of held) resolve();
      held = [];
      return n;
    },
    clear() {
      rules = [];
      store.release();
    },
  };
  store.add(initial);
  return store;
}
export type FaultStore = ReturnType<typeof createFaultStore>;

/** Faults from the environment: `SMS_SIM_FAULTS` (JSON rules) and `SMS_SIM_UNDELIVERED_NUMBERS` (comma list). */
export function faultsFromEnv(faultsJson: string | undefined, undeliveredNumbers: string | undefined): FaultRule[] {
  const rules: FaultRule[] = [];
  if (faultsJson?.trim()) rules.push(...faultRulesSchema.parse(JSON.parse(faultsJson)));
  for (const to of (undeliveredNumbers ?? '').split(',').map((s) => s.trim())) {
    if (to) rules.push({ kind: 'undelivered', to });
  }
  return rules;
}

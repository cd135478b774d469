/**
 * Realistic replies to "how likely are you to recommend … 0–10?" with what Kaiku must read from
 * them. `score` with `reason: null` means "a bare score: ask why"; `REASK` means "not a score: ask
 * once more". docs/conversation.md describes the rules these follow.
 */
export const REASK = 'reask' as const;
export type Expected = { score: number; reason: string | null } | typeof REASK;
export const s = (score: number, reason: string | null = null): Expected => ({ score, reason });

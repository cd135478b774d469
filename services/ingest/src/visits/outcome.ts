import type { SkipReason } from '@kaiku/core';

/** What happened to one visit event; the contract's outcome names. */
export type VisitOutcome =
  | { outcome: 'scheduled'; visitId: string; invitationId: string; sendAt: string; language: string }
  | { outcome: 'skipped'; visitId: string; reason: SkipReason }
  | { outcome: 'duplicate'; visitId: string }
  | { outcome: 'cancelled'; visitId: string }
  | { outcome: 'updated'; visitId: string }
  | { outcome: 'rejected'; visitId?: string; error: string };

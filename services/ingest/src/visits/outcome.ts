import type { SkipReason } from '@kaiku/core';

/** What happened to one visit event; the contract's outcome names. */
export type VisitOutcome =
  | { outcome: 'scheduled'; visitId: string; invitationId: string; sendAt: string; language: string }
  | { outcome: 'skipped'; visitId: string; reason: SkipReason }
  | { outcome: 'duplicate'; visitId: string }
  /**
   * `textSent`: the survey's text had already gone out; the survey goes on and its answers count.
   * `textInFlight`: it was being sent; cancelled if Twilio's log shows it did not go, else as `textSent`.
   * `visitUnknown`: no visit with this id is stored (yet): recorded, so that one that ends later is never surveyed.
   */
  | { outcome: 'cancelled'; visitId: string; textSent?: true; textInFlight?: true; visitUnknown?: true }
  /**
   * `invitations`: how many still-scheduled invitations took the new details (or were withdrawn);
   * `older`: how many hold details recorded after this update's `recordedAt`, and kept them.
   */
  | { outcome: 'updated'; visitId?: string; invitations: number; older?: number }
  /** `field`: the canonical path of the offending field, when one is to blame. */
  | { outcome: 'rejected'; visitId?: string; error: string; field?: string };

export type RejectedOutcome = Extract<VisitOutcome, { outcome: 'rejected' }>;

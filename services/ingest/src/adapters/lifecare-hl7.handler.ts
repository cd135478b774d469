import { visitEventSchema } from '@kaiku/core';
import { isDatabaseUnavailable } from '@kaiku/db';
import { lazyChildLogger } from '@kaiku/http';
import type { Logger } from 'pino';
import type { VisitIngestor } from '../visits/ingest-visit.ts';
import type { VisitOutcome } from '../visits/outcome.ts';
import { countOutcome } from '../visits/outcome-metrics.ts';
import { type FieldIssue, inSourceTerms, SourceMessageError, sourceField } from './adapter-error.ts';
import { Er7Error, parseEr7, undecodableEscapes } from './hl7/er7.ts';
import {
  type AckCode,
  type AckContext,
  type AckResult,
  ackCodeFor,
  ackContextOf,
  ackContextOfUnreadable,
  ackWanted,
  buildAck,
} from './hl7/hl7-ack.ts';
import { LIFECARE_FIELDS, LIFECARE_SOURCE, lifecareToVisitEvent, messageType } from './lifecare-hl7.adapter.ts';

export interface Hl7Answer {
  result: AckResult;
  code: AckCode;
  /** The ACK message; sent over HTTP always, over MLLP only when `wanted`. */
  ack: Buffer;
  wanted: boolean;
  /** The ACK's charset, for the HTTP content type. */
  charset: string;
  /** False when the bytes were not an HL7 message at all (no MSH segment). */
  readable: boolean;
  /** Why, when they were not. */
  unreadableBecause?: string;
  outcome?: VisitOutcome;
  /** The fields the ACK blames (its ERR segments), for the log. */
  fields?: string[];
}

const unreadableType = { field: 'MSH-9', message: 'the message type can not be read' };
const firstComponent = (field: string, separator: string) => (field.split(separator)[0] ?? '').trim();

function outcomeText(outcome: VisitOutcome): string {
  if (outcome.outcome === 'skipped') return `skipped: ${outcome.reason}`;
  if (outcome.outcome === 'scheduled') return `scheduled ${outcome.sendAt}`;
  // How many scheduled surveys took the update: 0 says it matched none (another patient's visit, say).
  if (outcome.outcome === 'updated')
    return `updated ${outcome.invitations}${outcome.older ? ` (${outcome.older} kept newer details than this message's EVN-2)` : ''}`;
  if (outcome.outcome === 'cancelled' && outcome.textSent)
    return 'cancelled (its survey text had already gone out; answers to it still count)';
  if (outcome.outcome === 'cancelled' && outcome.textInFlight)
    return 'cancelled (its survey text was being sent: if it went out, answers still count)';
  if (outcome.outcome === 'cancelled' && outcome.visitUnknown)
    return 'cancelled (no such visit stored yet: one that ends later is never surveyed)';
  return outcome.outcome;
}

/**
 * One Lifecare HL7 message, from bytes to the ACK: decode, map, validate, ingest (one committed
 * transaction), answer. Never throws: every failure becomes an `AE`/`AR` (or `CE`/`CR`) ACK.
 */
export function createLifecareHl7Handler(deps: {
  ingest: VisitIngestor;
  timeZone: string;
  logger: Logger;
  /** MSH-11 values taken (default P: production); a training (T) or debugging (D) message is refused, never a text. */
  processingIds?: readonly string[];
}) {
  const processingIds = new Set(deps.processingIds ?? ['P']);
  function answer(ctx: AckContext, result: AckResult, text: string, issues: FieldIssue[] = [], extra: Partial<Hl7Answer> = {}): Hl7Answer {
    return {
      result,
      code: ackCodeFor(ctx, result),
      ack: buildAck(ctx, result, text, issues),
      wanted: ackWanted(ctx, result),
      charset: ctx.charset === 'latin1' ? 'iso-8859-1' : ctx.charset,
      readable: true,
      fields: issues.map((i) => i.field),
      ...extra,
    };
  }

  // A refused message is logged at info with its ACK code and the fields to blame (committed ones
  // are logged by the pipeline, one line per visit event). Not its control id: a field mapped
  // wrong at the source may hold a hetu there.
  async function handleHl7(bytes: Uint8Array): Promise<Hl7Answer> {
    const answered = await answerHl7(bytes);
    if (answered.result !== 'accepted' && deps.logger.isLevelEnabled('info')) {
      deps.logger.info({ ack: answered.code, fields: answered.fields }, 'hl7 message refused');
    }
    return answered;
  }
  return handleHl7;

  async function answerHl7(bytes: Uint8Array): Promise<Hl7Answer> {
    let msg: ReturnType<typeof parseEr7>;
    try {
      msg = parseEr7(bytes);
    } catch (error) {
      countOutcome(LIFECARE_SOURCE, 'rejected');
      const ctx = ackContextOfUnreadable(bytes);
      const issue = error instanceof Er7Error ? { field: error.field, message: error.message } : { field: 'MSH', message: 'unreadable' };
      const text = `not a readable HL7 v2 message: ${issue.message}`;
      return answer(ctx, 'rejected', text, [issue], { readable: ctx.controlId !== '', unreadableBecause: text });
    }
    let trigger: string;
    try {
      ({ trigger } = messageType(msg));
    } catch (error) {
      // MSH-9 or EVN-1 with an escape that is not text in MSH-18's charset: the same bytes would fail again.
      countOutcome(LIFECARE_SOURCE, 'rejected');
      const issue =
        error instanceof Er7Error ? { field: error.field, message: error.message.slice(error.field.length + 2) } : unreadableType;
      return answer(ackContextOf(msg, ''), 'rejected', `${issue.field}: ${issue.message}`, [issue]);
    }
    const ctx = ackContextOf(msg, trigger);
    if (ctx.controlId.trim() === '') {
      // Without MSH-10 the sender could not match the ACK to its message, nor a resend to the first.
      countOutcome(LIFECARE_SOURCE, 'rejected');
      const issue = { field: 'MSH-10', message: 'the message control id is required' };
      return answer(ctx, 'rejected', `MSH-10: ${issue.message}`, [issue]);
    }
    // MSH-11: a training or debugging message sent to a production Kaiku (or the other way round)
    // must not text a real patient, nor take the place of their real visit that day.
    const processingId = firstComponent(ctx.processingId, ctx.delimiters.component).toUpperCase();
    if (processingId !== '' && !processingIds.has(processingId)) {
      countOutcome(LIFECARE_SOURCE, 'rejected');
      const taken = [...processingIds].join(', ');
      const issue = {
        field: 'MSH-11',
        message: `processing id ${processingId.slice(0, 3)} is not taken here (this Kaiku takes ${taken})`,
        hl7Code: '202',
      };
      return answer(ctx, 'rejected', `MSH-11: ${issue.message}`, [issue]);
    }
    // A child logger costs 10-30 us to make (redaction set-up): only when something is logged.
    // Not the control id: a field mapped wrong at the source may hold a hetu there.
    const log = lazyChildLogger(deps.logger, { trigger });
    try {
      const input = lifecareToVisitEvent(msg, deps.timeZone);
      const parsed = visitEventSchema.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ field: sourceField(i.path.join('.'), LIFECARE_FIELDS), message: i.message }));
        throw new SourceMessageError('invalid', issues);
      }
      const outcome = await deps.ingest(parsed.data);
      if (outcome.outcome === 'rejected') {
        const { field, message } = inSourceTerms(outcome.error, outcome.field, LIFECARE_FIELDS);
        return answer(ctx, 'error', `${field}: ${message}`, [{ field, message }], { outcome });
      }
      log.debug({ outcome: outcome.outcome }, 'hl7 message committed');
      return answer(ctx, 'accepted', outcomeText(outcome), [], { outcome });
    } catch (error) {
      if (error instanceof Er7Error) {
        // A field that can't be read (an escape whose bytes are not text in MSH-18's charset): the
        // same message would fail again, so it is the sender's error, not "send it again".
        countOutcome(LIFECARE_SOURCE, 'rejected');
        const all = undecodableEscapes(msg);
        const issues = (all.length ? all : [error]).map((e) => ({ field: e.field, message: e.message.slice(e.field.length + 2) }));
        return answer(ctx, 'error', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
      }
      if (error instanceof SourceMessageError) {
        countOutcome(LIFECARE_SOURCE, 'rejected');
        const result = error.kind === 'unsupported' ? 'rejected' : 'error';
        return answer(ctx, result, error.message, error.issues);
      }
      if (isDatabaseUnavailable(error)) {
        log.warn({ err: { message: (error as Error).message } }, 'database unavailable; hl7 message not taken');
        return answer(ctx, 'unavailable', 'temporarily unavailable: send it again (a stored visit resent is a duplicate)', []);
      }
      log.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'hl7 message failed');
      return answer(ctx, 'unavailable', 'could not be processed now: send it again (a stored visit resent is a duplicate)', []);
    }
  }
}
export type LifecareHl7Handler = ReturnType<typeof createLifecareHl7Handler>;

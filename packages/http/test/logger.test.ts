import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from '../src/index.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino(loggerOptions('trace', 'test'), stream), text: () => lines.join('') };
}

describe('loggerOptions', () => {
  it('redacts personal data and secrets at any of the first three levels', () => {
    const { logger, text } = capture();
    logger.info({ phone: '+358401234567', event: { patient: { personalId: '010181-900C' } } }, 'one');
    logger.info({ msg: { Body: 'kahdeksan, hyvä palvelu', From: '+358409876543' } }, 'two');
    logger.info({ a: { b: { to: '+358501112223', token: 'sekret-token-1' } } }, 'three');
    logger.info({ sms: { text: 'Kiitos käynnistä', comment: 'lääkäri oli töykeä' }, invitationId: 'inv-1' }, 'four');
    const out = text();
    for (const secret of [
      '+358401234567',
      '010181-900C',
      'kahdeksan',
      '+358409876543',
      '+358501112223',
      'sekret-token-1',
      'Kiitos',
      'töykeä',
    ]) {
      expect(out).not.toContain(secret);
    }
    // Ids stay: they are what ops follow through the logs.
    expect(out).toContain('inv-1');
    expect(out.match(/\[redacted\]/g)?.length).toBeGreaterThanOrEqual(7);
  });

  it('logs a request id and the path of each request, never its query string or headers', async () => {
    const { logger, text } = capture();
    const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, requestIdHeader: 'x-request-id' });
    app.get('/v1/x', async () => 'ok');
    await app.inject({ url: '/v1/x?to=%2B358401234567', headers: { authorization: 'Bearer sekret-token-2', 'x-request-id': 'req-42' } });
    await app.close();
    const out = text();
    expect(out).toContain('"reqId":"req-42"');
    expect(out).toContain('"path":"/v1/x"');
    expect(out).not.toContain('358401234567');
    expect(out).not.toContain('sekret-token-2');
  });
});

import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  HttpProblem,
  lazyChildLogger,
  lazyRequestLogger,
  loggerOptions,
  logProcessWarnings,
  registerErrorHandler,
  requestIdOf,
} from '../src/index.ts';

function capture(level = 'trace') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino(loggerOptions(level, 'test'), stream), text: () => lines.join('') };
}

/** Counts the children pino makes of `logger` from now on. */
function countChildren(logger: pino.Logger) {
  const counter = { made: 0 };
  const child = logger.child.bind(logger);
  logger.child = ((...args: Parameters<typeof child>) => {
    counter.made++;
    return child(...args);
  }) as typeof logger.child;
  return counter;
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

  it("takes a caller's x-request-id only when it can hold nothing personal (privacy probes sent a hetu, a phone and an e-mail in it, then hid them in hex)", async () => {
    const { logger, text } = capture();
    const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, requestIdHeader: false, genReqId: requestIdOf });
    app.get('/x', async () => 'ok');
    const kept = ['4bf92f3577b34da6a3ce929d0e0e4736', '7f1c2e9a-1234-4abc-9def-123456789012', 'a3ce929d0e0e4736'];
    const dropped = [
      '150372-9112 +358401234567 matti@example.fi',
      '150372-9112',
      '0401234567',
      'Testinen Maija',
      'maija.testinen',
      '150372a9112b0401',
      '0401234567abcdef',
      '040123456789abcdef0123456789abcd',
    ];
    for (const id of [...kept, ...dropped]) await app.inject({ url: '/x', headers: { 'x-request-id': id } });
    await app.close();
    const ids = text()
      .trim()
      .split('\n')
      .filter((l) => JSON.parse(l).msg === 'incoming request')
      .map((l) => JSON.parse(l).reqId as string);
    expect(ids.slice(0, kept.length)).toEqual(kept);
    for (const id of ids.slice(kept.length)) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(kept.length + dropped.length);
    const out = text();
    for (const personal of ['150372', '358401234567', 'matti@', '0401234567', 'Maija', 'maija']) expect(out).not.toContain(personal);
  });

  it('logs a path with nothing a caller wrote in it: no route, its first plain word only; a route, its UUIDs only', async () => {
    const { logger, text } = capture();
    const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
    registerErrorHandler(app); // the services' own 404, which does not log the path in its message
    app.get('/v1/items/:id', async () => 'ok');
    expect((await app.inject({ url: '/patients/010181-900C/+358401110070' })).statusCode).toBe(404);
    await app.inject({ url: '/v1/items/inv-123' });
    await app.inject({ url: '/v1/items/7f1c2e9a-1234-4abc-9def-123456789012' });
    await app.inject({ url: '/v1/items/+358401234567' });
    await app.inject({ url: '/v1/items/010180-9015' });
    // names and addresses too (a privacy probe): only the first segment is kept, its digits hidden
    await app.inject({ url: '/u/matti.meikalainen@example.fi/Testinen%20Maija' });
    await app.inject({ url: '/010181-900C' });
    await app.close();
    const out = text();
    expect(out).toContain('"path":"/patients/*/*"');
    expect(out).not.toContain('010181');
    expect(out).not.toContain('358401110070');
    expect(out).toContain('"path":"/u/*/*"');
    expect(out).toContain('"path":"/*"');
    expect(out).not.toMatch(/meikalainen|Maija/);
    // a route's own path keeps its UUIDs (Kaiku's ids) and names any other value by its parameter
    expect(out).toContain('"path":"/v1/items/7f1c2e9a-1234-4abc-9def-123456789012"');
    expect(out.match(/"path":"\/v1\/items\/:id"/g)).toHaveLength(3);
    expect(out).not.toMatch(/inv-123|358401234567|010180/);
  });
});

describe('lazyRequestLogger', () => {
  /** A server at `level` with the lazy request logger, counting the children pino makes. */
  function server(level: string) {
    const { logger, text } = capture(level);
    const children = countChildren(logger);
    const app = Fastify({
      loggerInstance: logger as FastifyBaseLogger,
      childLoggerFactory: lazyRequestLogger,
      requestIdHeader: 'x-request-id',
    });
    app.get('/quiet', async () => 'ok');
    app.get('/warns', async (request) => {
      request.log.warn({ phone: '+358401234567', invitationId: 'inv-7' }, 'something to see');
      request.log.info('not at warn');
      return 'ok';
    });
    app.get('/metrics-like', { logLevel: 'error' }, async (request) => {
      request.log.warn('below the route level');
      return 'ok';
    });
    // Children made while the server starts are not the requests'.
    const ready = async () => {
      await app.ready();
      children.made = 0;
    };
    return { app, text, ready, children: () => children.made };
  }

  it('at warn, a request that logs nothing makes no child logger and writes nothing', async () => {
    const { app, text, ready, children } = server('warn');
    await ready();
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/quiet' })).statusCode).toBe(200);
    await app.close();
    expect(children()).toBe(0);
    expect(text()).toBe('');
  });

  it('a request that logs at an enabled level gets the child Fastify would make: request id, redaction, level', async () => {
    const { app, text, ready, children } = server('warn');
    await ready();
    await app.inject({ url: '/warns', headers: { 'x-request-id': 'req-9' } });
    await app.close();
    expect(children()).toBe(1);
    const lines = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, reqId: 'req-9', invitationId: 'inv-7', phone: '[redacted]', msg: 'something to see' });
  });

  it('at info, every request still logs its access lines with the request id', async () => {
    const { app, text } = server('info');
    await app.inject({ url: '/quiet', headers: { 'x-request-id': 'req-10' } });
    await app.close();
    const lines = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines.every((l) => l.reqId === 'req-10')).toBe(true);
  });

  it("a route's own log level still applies", async () => {
    const { app, text } = server('info');
    await app.inject({ url: '/metrics-like' });
    await app.close();
    expect(text()).toBe('');
  });
});

describe('lazyChildLogger', () => {
  it('makes the child at the first enabled call, with its bindings and redaction; calls below the level make none', () => {
    const { logger, text } = capture('warn');
    const children = countChildren(logger);
    const log = lazyChildLogger(logger as FastifyBaseLogger, { invitationId: 'inv-8', jobId: 'inv-8' });
    log.info({ to: '+358401234567' }, 'survey sent');
    log.debug('details');
    expect(children.made).toBe(0);
    expect(text()).toBe('');
    log.warn({ to: '+358401234567', attempt: 2 }, 'Twilio refused or failed');
    log.error('and then');
    expect(children.made).toBe(1);
    const lines = text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 40, invitationId: 'inv-8', jobId: 'inv-8', to: '[redacted]', attempt: 2 });
    expect(lines[1]).toMatchObject({ level: 50, invitationId: 'inv-8', msg: 'and then' });
  });
});

describe('a refused request', () => {
  it('is logged with its status, title and the field to blame, never the detail that may quote what was sent', async () => {
    const { logger, text } = capture('info');
    const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
    registerErrorHandler(app);
    app.post('/token', async () => {
      throw new HttpProblem(401, 'Unauthorized', 'no source has the token sekret-token-3');
    });
    app.post('/body', async (request) => z.object({ phone: z.string().regex(/^\+358/) }).parse(request.body));
    app.post('/map', async (request) => z.record(z.string(), z.number()).parse(request.body));
    app.get('/report', async () => {
      const errors = [{ field: 'Virtanen.Matti', message: 'is not a parameter' }];
      throw new HttpProblem(
        400,
        'Invalid report query',
        'unknown parameter "Virtanen.Matti"',
        { errors },
        { loggedField: '(unknown-parameter)' },
      );
    });
    expect((await app.inject({ method: 'POST', url: '/token' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/body', payload: { phone: '0401234567' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'POST', url: '/map', payload: { '+358409998887': 'x' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/report' })).json()).toMatchObject({ errors: [{ field: 'Virtanen.Matti' }] });
    await app.close();

    const refused = text()
      .split('\n')
      .filter((l) => l.includes('request refused'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(refused).toMatchObject([
      { level: 30, status: 401, title: 'Unauthorized' },
      { level: 30, status: 400, title: 'Invalid request', field: 'phone' },
      { level: 30, status: 400, title: 'Invalid request' },
      { level: 30, status: 400, title: 'Invalid report query', field: '(unknown-parameter)' },
    ]);
    expect(text()).not.toContain('Virtanen');
    expect(refused[2]).not.toHaveProperty('field');
    expect(text()).not.toContain('358409998887');
    expect(text()).not.toContain('sekret-token-3');
    expect(text()).not.toContain('0401234567');
  });
});

describe('process warnings', () => {
  it('are log lines of their own, not Node’s plain text on stderr (a rolling-restart probe: BullMQ’s negative timer broke the JSON log)', async () => {
    const { logger, text } = capture('info');
    const restore = logProcessWarnings(logger);
    try {
      expect(process.listeners('warning')).toHaveLength(1);
      process.emitWarning('-5 is a negative number.', 'TimeoutNegativeWarning');
      await new Promise((r) => setImmediate(r));
      const line = JSON.parse(text().trim().split('\n').at(-1) as string);
      expect(line).toMatchObject({ level: 40, service: 'test', warning: 'TimeoutNegativeWarning', msg: '-5 is a negative number.' });
    } finally {
      restore();
    }
  });
});

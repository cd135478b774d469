import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@kaiku/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_SID, createHarness, type Harness } from './harness.ts';

const PRISM = fileURLToPath(new URL('../../../node_modules/.bin/prism', import.meta.url));
const SPEC = fileURLToPath(new URL('../../../../shared/fixtures/twilio/twilio_api_v2010.json', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The sender's real requests, checked by Prism against Twilio's own OpenAPI description. With
 * `--errors`, Prism answers an invalid request 422 with its violations instead of a made-up 201,
 * so a request Twilio would refuse fails the invitation and this test.
 */
describe('sender: requests valid against Twilio OpenAPI (Prism)', () => {
  let h: Harness;
  let prism: ChildProcess;
  let prismUrl: string;
  let log = '';

  beforeAll(async () => {
    h = await createHarness();
    const port = await freePort();
    prism = spawn(PRISM, ['mock', '-d', '--errors', '-h', '127.0.0.1', '-p', String(port), '-v', 'info', SPEC], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prism.stdout?.on('data', (d) => {
      log += d;
    });
    prism.stderr?.on('data', (d) => {
      log += d;
    });
    await waitFor(() => log.includes('Prism is listening'), 60_000, 'Prism to start');
    prismUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    prism?.kill('SIGTERM');
    await h?.close();
  });

  /** What Prism said about the requests it served (not its start-up listing of example routes). */
  const violations = () =>
    log
      .slice(log.indexOf('Prism is listening'))
      .split('\n')
      .filter((line) => /\[(HTTP SERVER|VALIDATOR|NEGOTIATOR)\]/.test(line) && /✖|⚠|violation|invalid/i.test(line));

  it('the invitation request with a from number is valid', async () => {
    const worker = h.startWorker({ apiBaseUrl: prismUrl });
    const { id } = await h.addInvitation({ language: 'sv' });
    const inv = await waitFor(async () => {
      const row = await h.invitation(id);
      return row && row.status !== 'scheduled' && row.status !== 'sending' ? row : null;
    });
    expect(violations()).toEqual([]);
    expect(inv).toMatchObject({ status: 'sent', error_code: null });
    expect(inv.message_sid).toBeTruthy();
    expect(log).toContain(`post /2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    await worker.close();
  });

  it('the invitation request through a messaging service is valid', async () => {
    const worker = h.startWorker({ apiBaseUrl: prismUrl, sender: { messagingServiceSid: `MG${'d'.repeat(32)}` } });
    const { id } = await h.addInvitation({ language: 'fi' });
    const inv = await waitFor(async () => {
      const row = await h.invitation(id);
      return row && row.status !== 'scheduled' && row.status !== 'sending' ? row : null;
    });
    expect(violations()).toEqual([]);
    expect(inv).toMatchObject({ status: 'sent', error_code: null });
    await worker.close();
  });
  it('Prism reports an invalid request (the check above can fail)', async () => {
    const twilio = h.twilio(prismUrl);
    const error = await twilio.messages
      .create({ to: '+358401234567', from: '+358451234567', body: 'x', validityPeriod: 'soon' as unknown as number })
      .catch((e: unknown) => e as { status?: number });
    expect(error).toMatchObject({ status: 422 });
    await waitFor(() => violations().length > 0, 10_000, 'Prism to log the violation');
  });
});

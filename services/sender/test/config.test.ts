import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSenderConfig } from '../src/config.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('sender config: a sender patients can answer', () => {
  it('refuses an alphanumeric TWILIO_FROM, saying why and how to proceed', () => {
    expect(() => loadSenderConfig({ TWILIO_FROM: 'Hyvinvointi' })).toThrow(
      /TWILIO_FROM: is not an E\.164 number: an alphanumeric sender ID cannot receive replies/,
    );
  });

  it('accepts an alphanumeric sender only when explicitly allowed', () => {
    expect(loadSenderConfig({ TWILIO_FROM: 'Hyvinvointi', SENDER_ALLOW_ALPHANUMERIC: 'true' }).TWILIO_FROM).toBe('Hyvinvointi');
  });

  it('accepts a two-way number or a messaging service', () => {
    expect(loadSenderConfig({ TWILIO_FROM: '+358451234567' }).TWILIO_FROM).toBe('+358451234567');
    const mg = `MG${'e'.repeat(32)}`;
    expect(loadSenderConfig({ TWILIO_MESSAGING_SERVICE_SID: mg }).TWILIO_MESSAGING_SERVICE_SID).toBe(mg);
  });

  it('in production, needs the Twilio settings instead of falling back to sms-sim', () => {
    expect(() => loadSenderConfig({ NODE_ENV: 'production' })).toThrow(/TWILIO_ACCOUNT_SID/);
  });

  it('the sender process exits at start-up with the reason, before touching Twilio', () => {
    const run = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, TWILIO_FROM: 'Hyvinvointi', SENDER_PORT: '0' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/alphanumeric sender ID cannot receive replies/);
  });
});

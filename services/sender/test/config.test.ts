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

  it('names a bad TWILIO_FROM beside another bad variable, and says what a number should be (a regression probe)', () => {
    let issues: string[] = [];
    try {
      loadSenderConfig({ TWILIO_FROM: 'Hyvinvointi', SENDER_DB_POOL_SIZE: 'abc' });
    } catch (error) {
      issues = (error as { issues: string[] }).issues;
    }
    expect(issues).toEqual([
      'SENDER_DB_POOL_SIZE: a number, in digits only',
      expect.stringMatching(/^TWILIO_FROM: is not an E\.164 number/),
    ]);
  });

  it('accepts an alphanumeric sender only when explicitly allowed', () => {
    expect(loadSenderConfig({ TWILIO_FROM: 'Hyvinvointi', SENDER_ALLOW_ALPHANUMERIC: 'true' }).TWILIO_FROM).toBe('Hyvinvointi');
  });

  it('accepts a two-way number or a messaging service', () => {
    expect(loadSenderConfig({ TWILIO_FROM: '+358451234567' }).TWILIO_FROM).toBe('+358451234567');
    const mg = `MG${'e'.repeat(32)}`;
    expect(loadSenderConfig({ TWILIO_MESSAGING_SERVICE_SID: mg }).TWILIO_MESSAGING_SERVICE_SID).toBe(mg);
  });

  it("refuses sms-sim's number for real Twilio, and takes empty variables (compose's) as unset", () => {
    const key = Buffer.alloc(32, 1).toString('base64');
    const real = {
      NODE_ENV: 'production',
      KAIKU_PSEUDONYM_KEY: key,
      KAIKU_ENCRYPTION_KEY: key,
      KAIKU_CONFIG: fileURLToPath(new URL('../../../config/kaiku.example.yaml', import.meta.url)),
      TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: 'a-real-looking-token',
      PUBLIC_BASE_URL: 'https://kaiku.example.fi',
      TWILIO_API_BASE_URL: 'https://api.twilio.com',
      TWILIO_FROM: '+358451234567',
    };
    expect(() => loadSenderConfig(real)).toThrow(/TWILIO_FROM: is sms-sim's development number/);
    const mg = `MG${'e'.repeat(32)}`;
    expect(loadSenderConfig({ ...real, TWILIO_MESSAGING_SERVICE_SID: mg }).TWILIO_MESSAGING_SERVICE_SID).toBe(mg);
    expect(loadSenderConfig({ ...real, TWILIO_FROM: '', TWILIO_MESSAGING_SERVICE_SID: mg }).TWILIO_FROM).toBeUndefined();
    expect(
      loadSenderConfig({ ...real, TWILIO_FROM: '+358401234567', TWILIO_MESSAGING_SERVICE_SID: '' }).TWILIO_MESSAGING_SERVICE_SID,
    ).toBeUndefined();
    // A config probe: an empty base URL was "Invalid URL" though empty means unset elsewhere; a
    // PUBLIC_BASE_URL with no scheme was taken, and Twilio was given callbacks it could not call.
    expect(loadSenderConfig({ ...real, TWILIO_FROM: '+358401234567', TWILIO_API_BASE_URL: '' }).TWILIO_API_BASE_URL).toBeUndefined();
    for (const url of ['kaiku.hyvaks.fi:443', 'ftp://kaiku.example.fi']) {
      expect(() => loadSenderConfig({ ...real, TWILIO_FROM: '+358401234567', PUBLIC_BASE_URL: url })).toThrow(
        /PUBLIC_BASE_URL: an https:\/\/ URL/,
      );
    }
    // A number written as at home: not called alphanumeric, but told its country code is missing.
    expect(() => loadSenderConfig({ ...real, TWILIO_FROM: '045 123 4567' })).toThrow(/TWILIO_FROM: is a number without its country code/);
    for (const from of ['358451234567', '00358 45 123 4567']) {
      expect(() => loadSenderConfig({ ...real, TWILIO_FROM: from })).toThrow(/TWILIO_FROM: is not written in E\.164: start it with \+/);
    }
  });

  it('in development, finds sms-sim and the replies service at the ports their variables say', () => {
    expect(loadSenderConfig({})).toMatchObject({ TWILIO_API_BASE_URL: 'http://127.0.0.1:3010', PUBLIC_BASE_URL: 'http://127.0.0.1:3003' });
    expect(loadSenderConfig({ SMS_SIM_PORT: '4010', REPLIES_PORT: '4003', HOST: '0.0.0.0' })).toMatchObject({
      TWILIO_API_BASE_URL: 'http://127.0.0.1:4010',
      PUBLIC_BASE_URL: 'http://127.0.0.1:4003',
    });
    expect(loadSenderConfig({ SMS_SIM_PORT: '4010', TWILIO_API_BASE_URL: 'http://prism:4010' }).TWILIO_API_BASE_URL).toBe(
      'http://prism:4010',
    );
  });

  it('in production, needs the Twilio settings instead of falling back to sms-sim', () => {
    expect(() => loadSenderConfig({ NODE_ENV: 'production' })).toThrow(/TWILIO_ACCOUNT_SID/);
  });

  it('takes only a well-formed base64 key of 32 bytes, naming the variable otherwise', () => {
    const good = Buffer.alloc(32, 5).toString('base64');
    expect(loadSenderConfig({ KAIKU_ENCRYPTION_KEY: good }).KAIKU_ENCRYPTION_KEY).toEqual(Buffer.alloc(32, 5));
    // Node's decoder would skip the junk and still find 32 bytes in each of these.
    for (const mangled of [`${good.slice(0, 10)}#%${good.slice(10)}`, `${good} trailing garbage!`, `${'-'.repeat(43)}=`]) {
      expect(() => loadSenderConfig({ KAIKU_ENCRYPTION_KEY: mangled })).toThrow(/KAIKU_ENCRYPTION_KEY: 32 random bytes in base64/);
    }
  });

  it('reads a relative KAIKU_CONFIG from where pnpm was run (INIT_CWD), as under pnpm --filter', () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const config = loadSenderConfig({ KAIKU_CONFIG: './config/kaiku.demo.yaml', INIT_CWD: root });
    expect(config.kaiku.sending.ratePerSecond).toBe(50); // the demo file's, not the example's 10
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

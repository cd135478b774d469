import { describe, expect, it } from 'vitest';
import { createTwilioClient } from '../src/index.ts';

type WithAgent = { axios: { defaults: { httpsAgent: { maxSockets: number } } } };
const sockets = (maxSockets?: number) =>
  (
    createTwilioClient({ accountSid: `AC${'a'.repeat(32)}`, authToken: 'x', ...(maxSockets ? { maxSockets } : {}) })
      .httpClient as unknown as WithAgent
  ).axios.defaults.httpsAgent.maxSockets;

describe('twilio client: as many connections as concurrent sends', () => {
  it('opens up to the worker concurrency to api.twilio.com, never fewer than the SDK default of 20', () => {
    expect(sockets(100)).toBe(100);
    expect(sockets(4)).toBe(20);
    expect(sockets()).toBe(20);
  });
});

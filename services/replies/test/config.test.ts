import { describe, expect, it } from 'vitest';
import { loadRepliesConfig } from '../src/config.ts';

describe('replies config', () => {
  it('takes PUBLIC_BASE_URL only as an http(s) URL, the address Twilio calls and signs (a config probe: no scheme was taken)', () => {
    for (const url of ['kaiku.hyvaks.fi:443', 'ftp://kaiku.example.fi']) {
      expect(() => loadRepliesConfig({ PUBLIC_BASE_URL: url })).toThrow(/PUBLIC_BASE_URL: an https:\/\/ URL/);
    }
    expect(loadRepliesConfig({ PUBLIC_BASE_URL: 'https://kaiku.example.fi/' }).PUBLIC_BASE_URL).toBe('https://kaiku.example.fi/');
  });
});

import { describe, expect, it } from 'vitest';
import { decryptPhone, encryptPhone } from '../../src/privacy/crypto.ts';

const keys = { pseudonymKey: Buffer.alloc(32, 1), encryptionKey: Buffer.alloc(32, 2) };
const PHONE = '+358401234567';

describe('phone numbers sealed with AES-256-GCM', () => {
  it('open to the same number, and the sealed bytes do not contain it', () => {
    const sealed = encryptPhone(keys, PHONE);
    expect(decryptPhone(keys, sealed)).toBe(PHONE);
    expect(sealed.toString('latin1')).not.toContain('401234567');
  });

  it('every sealing has its own IV, also across many (no IV repeats under one key)', () => {
    const ivs = new Set<string>();
    for (let i = 0; i < 2_000; i++) {
      const sealed = encryptPhone(keys, PHONE);
      ivs.add(sealed.subarray(0, 12).toString('hex'));
      if (i % 499 === 0) expect(decryptPhone(keys, sealed)).toBe(PHONE);
    }
    expect(ivs.size).toBe(2_000);
  });

  it('refuses a tampered sealing and the wrong key', () => {
    const sealed = encryptPhone(keys, PHONE);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => decryptPhone(keys, tampered)).toThrow();
    expect(() => decryptPhone({ ...keys, encryptionKey: Buffer.alloc(32, 3) }, sealed)).toThrow();
  });
});

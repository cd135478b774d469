import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createKeyCheck } from '../src/key-check.ts';

describe('the key check', () => {
  it('says what each changed key breaks (a config probe: a new encryption key was said to forget opt-outs)', async () => {
    const lines: Array<{ level: number; msg: string; keys: string[] }> = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const check = createKeyCheck({ check: async () => ['encryption'], logger, intervalMs: 10 });
    check.start();
    await new Promise((r) => setTimeout(r, 50));
    await check.stop();
    expect(lines[0]).toMatchObject({ level: 50, keys: ['KAIKU_ENCRYPTION_KEY'] });
    expect(lines[0]?.msg).toContain('KAIKU_ENCRYPTION_KEY: the numbers of texts not yet sent cannot be opened');
    expect(lines[0]?.msg).not.toContain('opt-outs');
  });
});

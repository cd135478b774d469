import { productionEnv } from '@kaiku/testing';
import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../src/config.ts';

describe('ingest config', () => {
  it('says which INGEST_TOKENS entry is wrong without printing the secret in it', () => {
    let message = '';
    try {
      loadIngestConfig({ INGEST_TOKENS: 'pegasos:ok-token,lifecare=supersecrettoken' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/INGEST_TOKENS.*entry 2 is not source:token/s);
    expect(message).not.toContain('supersecret');
  });

  it('refuses entries no request could use: one token for two sources, a source in capitals, a token holding the wrong separator', () => {
    const messageOf = (tokens: string) => {
      try {
        loadIngestConfig({ INGEST_TOKENS: tokens });
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(messageOf('lifecare:same-token,pegasos:same-token')).toMatch(/INGEST_TOKENS.*entry 2: its token is also lifecare's/s);
    expect(messageOf('Lifecare:abc')).toMatch(/entry 1: the source must be lower-case/);
    const wrongSeparator = messageOf('lifecare:abc-secret;pegasos:def');
    expect(wrongSeparator).toMatch(/entry 1: the token holds ':' or ';'/);
    expect(wrongSeparator).not.toContain('abc-secret');
    expect(loadIngestConfig({ INGEST_TOKENS: ' lifecare : a1 , pegasos:b2 ' }).INGEST_TOKENS).toEqual(
      new Map([
        ['a1', 'lifecare'],
        ['b2', 'pegasos'],
      ]),
    );
  });

  it('takes an empty port variable as unset, not as port 0 (any free port)', () => {
    expect(loadIngestConfig({ INGEST_PORT: '', MLLP_PORT: ' ' })).toMatchObject({ INGEST_PORT: 3001, MLLP_PORT: 2575 });
  });

  it("needs KAIKU_CONFIG in production (the example county's units would skip every real visit), not elsewhere", () => {
    const { KAIKU_CONFIG: _, ...production } = productionEnv({ INGEST_TOKENS: 'lifecare:a-long-enough-token' });
    expect(() => loadIngestConfig(production)).toThrow(/KAIKU_CONFIG.*required in production/s);
    expect(() => loadIngestConfig({ ...production, KAIKU_CONFIG: ' ' })).toThrow(/KAIKU_CONFIG/);
    expect(loadIngestConfig({}).kaiku.units.length).toBeGreaterThan(0);
  });

  it('refuses in production the tokens and keys published for development (a config probe: both were taken)', () => {
    const production = productionEnv({ INGEST_TOKENS: 'lifecare:a-long-enough-token,pegasos:dev-pegasos-token' });
    expect(() => loadIngestConfig(production)).toThrow(/INGEST_TOKENS: entry 2: its token is a development token the README publishes/);
    const devKey = Buffer.alloc(32, 9).toString('base64');
    expect(() => loadIngestConfig({ ...production, INGEST_TOKENS: 'lifecare:x1', KAIKU_ENCRYPTION_KEY: devKey })).toThrow(
      /KAIKU_ENCRYPTION_KEY: is a development key/,
    );
    // Outside production they are what `scripts/kaiku start` uses.
    expect(loadIngestConfig({ INGEST_TOKENS: 'pegasos:dev-pegasos-token' }).INGEST_TOKENS.get('dev-pegasos-token')).toBe('pegasos');
  });
});

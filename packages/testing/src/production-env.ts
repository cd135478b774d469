import { fileURLToPath } from 'node:url';

/**
 * The environment a service needs to start with `NODE_ENV=production`: its own keys (not the
 * development ones, which production refuses) and the example county's config; tests add the
 * variable under test.
 */
export function productionEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    KAIKU_PSEUDONYM_KEY: Buffer.alloc(32, 1).toString('base64'),
    KAIKU_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
    KAIKU_CONFIG: fileURLToPath(new URL('../../../config/kaiku.example.yaml', import.meta.url)),
    ...extra,
  };
}

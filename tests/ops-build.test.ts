// scripts/build.ts: the services run as plain JavaScript from dist/, with no TypeScript left in
// what they load.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_PACKAGES, buildWorkspace, ROOT, toJavaScript } from '../scripts/build.ts';

const SERVICES = ['ingest', 'sender', 'replies', 'console', 'sms-sim'];

function files(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext) && !e.name.endsWith('.d.ts'))
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length)
        .replace(new RegExp(`${ext.replace('.', '\\.')}$`), ''),
    );
}

describe('scripts/build.ts', () => {
  it('erases the types and renames relative .ts imports, keeping every line where it was', () => {
    const source = [
      "import type { Pool } from 'pg';",
      "import { a, type B } from './a.ts';",
      "export { c } from '../c/c.ts';",
      "import fi from './texts/fi.json' with { type: 'json' };",
      "const d = await import('./d.ts');",
      'export function f(x: number, b: B): string {',
      "  return [x, b, fi, d, './e.ts'].join('');",
      '}',
    ].join('\n');
    const js = toJavaScript(source);
    expect(js.split('\n')).toHaveLength(8);
    expect(js).toContain("from './a.js'");
    expect(js).toContain("from '../c/c.js'");
    expect(js).toContain("import('./d.js')");
    expect(js).toContain("from './texts/fi.json'");
    expect(js).toContain("'./e.ts'"); // a string that is not an import stays as it is
    expect(js).toMatch(/export function f\(x\s*, b\s*\)\s*{/);
    expect(js).not.toMatch(/\bPool\b|: number|: string/);
  });

  it('writes a module for every source module, and each service loads with no TypeScript at all', () => {
    expect(buildWorkspace()).toBeGreaterThan(100);
    for (const pkg of BUILT_PACKAGES) {
      expect(files(join(ROOT, pkg, 'dist'), '.js'), pkg).toEqual(expect.arrayContaining(files(join(ROOT, pkg, 'src'), '.ts')));
    }
    for (const name of SERVICES) {
      // With type stripping off, a .ts anywhere in what the service loads would fail to load.
      const run = spawnSync(
        process.execPath,
        [
          '--no-experimental-strip-types',
          '--conditions=kaiku-dist',
          '--input-type=module',
          '-e',
          `await import('./services/${name}/dist/index.js')`,
        ],
        { cwd: ROOT, encoding: 'utf8', timeout: 30_000 },
      );
      expect(run.stderr, name).toBe('');
      expect(run.status, name).toBe(0);
    }
  });
});

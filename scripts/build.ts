// Writes plain JavaScript for every package the services run: `<package>/src/**.ts` becomes
// `<package>/dist/**.js` (types erased in place, so line and column numbers stay those of the
// source; relative `.ts` imports renamed `.js`), other files under src/ copied alongside. The
// services run from dist/ with `--conditions=kaiku-dist`, which points each workspace package's
// export at its dist/. Without a build, Node strips the types at every start, and the stripper
// (a WebAssembly module) stays in each process: 20–26 MB of RSS per service.
//
// `node scripts/build.ts` builds; `pnpm start`, `pnpm demo`, each service's `start` script and the
// bench run it first. Tests run the sources.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVICE_NODE_FLAGS, type ServiceName } from '../packages/config/src/node-flags.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The workspace packages a service loads at run time, relative to the root. */
export const BUILT_PACKAGES = [
  'packages/config',
  'packages/core',
  'packages/db',
  'packages/http',
  'packages/queue',
  'services/ingest',
  'services/sender',
  'services/replies',
  'services/console',
  'services/sms-sim',
] as const;
/** The export condition that makes Node load a workspace package from its dist/. */
export const DIST_CONDITION = '--conditions=kaiku-dist';

/** The node flags a built service runs with: the dist condition and its V8 flags. */
export const serviceNodeFlags = (name: ServiceName): string[] => [DIST_CONDITION, ...SERVICE_NODE_FLAGS[name]];
/** A built service's entry point, relative to the root. */
export const serviceScript = (name: ServiceName): string => `services/${name}/dist/main.js`;
/** `node` arguments that run a built service. */
export const serviceArgs = (name: ServiceName): string[] => [...serviceNodeFlags(name), serviceScript(name)];

const RELATIVE_TS_IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]+)\.ts\2/g;

/** One module's JavaScript: the types erased, relative `.ts` specifiers renamed `.js`. */
export function toJavaScript(typescript: string): string {
  return stripTypeScriptTypes(typescript, { mode: 'strip' }).replace(RELATIVE_TS_IMPORT, '$1$2$3.js$2');
}

/**
 * Writes a file only when its content changed, and then whole (a temporary file renamed over it),
 * so that a service starting from dist/ while another start builds never reads half a module.
 */
function writeIfChanged(path: string, content: string | Buffer): void {
  try {
    if (readFileSync(path).equals(typeof content === 'string' ? Buffer.from(content) : content)) return;
  } catch {
    // not there yet
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

function buildDir(src: string, dist: string): number {
  mkdirSync(dist, { recursive: true });
  let files = 0;
  for (const entry of readdirSync(src, { withFileTypes: true })) {
    const from = join(src, entry.name);
    if (entry.isDirectory()) {
      files += buildDir(from, join(dist, entry.name));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      writeIfChanged(join(dist, entry.name.replace(/\.ts$/, '.js')), toJavaScript(readFileSync(from, 'utf8')));
      files++;
    } else {
      writeIfChanged(join(dist, entry.name), readFileSync(from));
    }
  }
  return files;
}

/** Brings every package's dist/ up to date with its src/; returns how many modules it holds. */
export function buildWorkspace(root = ROOT): number {
  // stripTypeScriptTypes is marked experimental in Node 24 and says so (on the next tick) once.
  const warnings = process.listeners('warning');
  process.removeAllListeners('warning');
  let files = 0;
  for (const pkg of BUILT_PACKAGES) files += buildDir(join(root, pkg, 'src'), join(root, pkg, 'dist'));
  setImmediate(() => {
    for (const listener of warnings) process.on('warning', listener);
  });
  return files;
}

if (import.meta.main) {
  const started = performance.now();
  const files = buildWorkspace();
  console.log(`built ${files} modules into dist/ in ${Math.round(performance.now() - started)} ms`);
}

import { parseArgs } from 'node:util';
import { generateLifecareMessages, generatePegasosBundles, type SendSummary, sendFhir, sendHl7OverHttp, sendOverMllp } from './index.ts';

const USAGE = `pnpm simulate lifecare|pegasos [--visits N] [--rate R] [--mllp] [options]

  --visits N       visits to generate (default 100; cancellations and resends come on top)
  --rate R         messages per second (default 0 = as fast as the service answers)
  --mllp           Lifecare over MLLP instead of HTTP
  --connections C  parallel connections / requests (default 1 for MLLP, 4 for HTTP)
  --url URL        ingest base URL (default http://127.0.0.1:$INGEST_PORT or 3001)
  --mllp-port P    MLLP port (default $MLLP_PORT or 2575)
  --token T        bearer token (default dev-lifecare-token / dev-pegasos-token)
  --seed S         the same seed gives the same stream (default 1)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    visits: { type: 'string', default: '100' },
    rate: { type: 'string', default: '0' },
    mllp: { type: 'boolean', default: false },
    connections: { type: 'string' },
    url: { type: 'string' },
    'mllp-port': { type: 'string' },
    token: { type: 'string' },
    seed: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
  },
});
const system = positionals[0];
if (values.help || (system !== 'lifecare' && system !== 'pegasos')) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}
const visits = Number(values.visits);
const rate = Number(values.rate);
const host = process.env.HOST ?? '127.0.0.1';
const baseUrl = values.url ?? `http://${host}:${process.env.INGEST_PORT ?? 3001}`;
const token = values.token ?? `dev-${system}-token`;
const connections = values.connections ? Number(values.connections) : undefined;
const pace = { rate, ...(connections ? { connections } : {}) };
const seed = Number(values.seed);

let summary: SendSummary;
if (system === 'lifecare') {
  const messages = generateLifecareMessages({ visits, seed });
  summary = values.mllp
    ? await sendOverMllp(messages, { host, port: Number(values['mllp-port'] ?? process.env.MLLP_PORT ?? 2575), ...pace })
    : await sendHl7OverHttp(messages, { baseUrl, token, ...pace });
} else {
  summary = await sendFhir(generatePegasosBundles({ visits, seed }), { baseUrl, token, ...pace });
}
const perSecond = summary.sent / Math.max(0.001, summary.elapsedMs / 1000);
console.log(
  `${system}${values.mllp ? ' (MLLP)' : ''}: ${summary.sent} messages in ${(summary.elapsedMs / 1000).toFixed(1)} s (${perSecond.toFixed(0)}/s)`,
);
console.log('results:', summary.results);
console.log('skipped:', summary.skipped);
if (summary.errors.length) console.log('first errors:', summary.errors);
if (summary.failed) console.log(`failed to send: ${summary.failed}`);
process.exit(summary.failed ? 1 : 0);

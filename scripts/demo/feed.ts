// What the demo does to a running Kaiku: visits in (the ingest simulators' MLLP and FHIR senders),
// texts out (watched in sms-sim), patients answering (through sms-sim), and the NPS table out of the
// console's report API.
import type { KaikuConfig } from '../../packages/config/src/index.ts';
import { type SendSummary, sendFhir, sendOverMllp } from '../simulate/index.ts';
import { answerScript } from './patients.ts';
import type { DemoDay, Language, Random } from './visits.ts';

export interface Endpoints {
  ingest: string;
  mllp: { host: string; port: number };
  sim: string;
  console: string;
  consolePublic: string;
  tokens: { lifecare: string; pegasos: string; console: string; ops?: string };
}
type Say = (line: string) => void;

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

export async function feedVisits(endpoints: Endpoints, day: DemoDay, say: Say): Promise<void> {
  const describe = (s: SendSummary) =>
    `${s.sent} messages in ${(s.elapsedMs / 1000).toFixed(1)} s: ${Object.entries(s.results)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}${s.failed ? `, ${s.failed} not delivered` : ''}${
      Object.keys(s.skipped).length
        ? ` (skipped: ${Object.entries(s.skipped)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')})`
        : ''
    }`;
  const [hl7, fhir] = await Promise.all([
    sendOverMllp(day.lifecare, { host: endpoints.mllp.host, port: endpoints.mllp.port, connections: 2 }).then((s) => {
      say(`  Lifecare, HL7 v2 over MLLP: ${describe(s)}`);
      return s;
    }),
    sendFhir(day.pegasos, { baseUrl: endpoints.ingest, token: endpoints.tokens.pegasos, connections: 4 }).then((s) => {
      say(`  Pegasos, FHIR R4 over HTTP: ${describe(s)}`);
      return s;
    }),
  ]);
  if (hl7.failed || fhir.failed) throw new Error('some visits could not be delivered to ingest; see its log');
}

export interface SentText {
  to: string;
  body: string;
}

/** Waits until sms-sim has seen the survey texts stop coming (the queue is drained). */
export async function waitForTexts(endpoints: Endpoints, say: Say): Promise<SentText[]> {
  let last = -1;
  let stableSince = Date.now();
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { messages } = (await (await fetch(`${endpoints.sim}/sim/messages?direction=outbound-api`)).json()) as { messages: SentText[] };
    if (messages.length !== last) {
      if (messages.length > 0) say(`  ${messages.length} survey texts sent`);
      last = messages.length;
      stableSince = Date.now();
    } else if (messages.length > 0 && Date.now() - stableSince > 3000) {
      return messages;
    }
    if (Date.now() > deadline) throw new Error(`texts still going out after 2 minutes (${messages.length} so far)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** About 30 % of the texted patients answer; one switches language, one opts out. */
export async function playPatients(endpoints: Endpoints, day: DemoDay, texts: SentText[], random: Random, say: Say) {
  const languageOf = (phone: string): Language => day.languageByPhone.get(phone) ?? 'fi';
  const finnish = texts.filter((t) => languageOf(t.to) === 'fi');
  const optOut = finnish[0]?.to;
  const switcher = finnish[1]?.to;
  const answering = texts.filter((t) => t.to === optOut || t.to === switcher || random.chance(0.28));
  say(
    `Patients answering: ${answering.length} of ${texts.length} (${Math.round((100 * answering.length) / Math.max(1, texts.length))} %) …`,
  );
  let messages = 0;
  let patients = 0;
  const samples: string[] = [];
  await inParallel(answering, 4, async (text) => {
    const language = languageOf(text.to);
    const behaviour = text.to === optOut ? 'opts-out' : text.to === switcher ? 'switches-language' : 'answers';
    for (const body of answerScript(language, random, behaviour)) {
      const res = await fetch(`${endpoints.sim}/sim/reply`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: text.to, body }),
      });
      const answer = (await res.json()) as { replies?: string[] };
      messages++;
      if (behaviour !== 'answers' || samples.length < 3)
        samples.push(`    [${behaviour}, ${language}] "${body}" → "${(answer.replies ?? [])[0] ?? '(no reply)'}"`);
    }
    patients++;
    if (patients % 20 === 0) say(`  ${patients}/${answering.length} patients answered (${messages} messages)`);
  });
  say(`  ${patients} patients sent ${messages} messages. Some of the conversations:`);
  for (const line of samples.slice(0, 10)) say(line);
}

const helsinkiDay = (d: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Helsinki' }).format(d);

interface NpsRow {
  key: { unit?: string };
  n: number;
  nps?: number;
  promoters?: number;
  passives?: number;
  detractors?: number;
  suppressed: boolean;
  /** Why: 'small' (fewer than minN answers) or 'complementary' (hidden so that a small one can't be worked out). */
  suppression?: string;
}

export async function printReport(endpoints: Endpoints, config: KaikuConfig, from: Date, to: Date, say: Say) {
  const query = `from=${helsinkiDay(from)}&to=${helsinkiDay(to)}`;
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${endpoints.console}${path}`, { headers: { authorization: `Bearer ${endpoints.tokens.console}` } });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const nps = await get<{ rows: NpsRow[]; total: NpsRow; minN: number }>(`/v1/reports/nps?${query}&groupBy=unit`);
  const funnel = await get<Record<string, unknown>>(`/v1/reports/funnel?${query}`);
  const names = new Map(config.units.map((u) => [u.id, u.name.fi]));
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const num = (s: string | number | undefined, n: number) => String(s ?? '').padStart(n);
  say(`\nNPS by unit, ${helsinkiDay(from)} – ${helsinkiDay(to)} (groups under ${nps.minN} answers are suppressed):\n`);
  say(`  ${pad('unit', 40)} ${num('n', 4)} ${num('NPS', 5)} ${num('prom', 5)} ${num('pass', 5)} ${num('detr', 5)}`);
  for (const row of [...nps.rows].sort((a, b) => (b.n ?? 0) - (a.n ?? 0))) {
    const name = names.get(row.key.unit ?? '') ?? row.key.unit ?? '?';
    if (row.suppressed) {
      const why =
        row.suppression === 'complementary'
          ? 'suppressed: hidden so that a smaller group cannot be worked out'
          : `suppressed: fewer than ${nps.minN} answers`;
      say(`  ${pad(name, 40)} ${num(row.n ?? `<${nps.minN}`, 4)}   (${why})`);
    } else
      say(
        `  ${pad(name, 40)} ${num(row.n, 4)} ${num(row.nps, 5)} ${num(row.promoters, 5)} ${num(row.passives, 5)} ${num(row.detractors, 5)}`,
      );
  }
  const t = nps.total;
  say(`  ${pad('all units', 40)} ${num(t.n, 4)} ${num(t.nps, 5)} ${num(t.promoters, 5)} ${num(t.passives, 5)} ${num(t.detractors, 5)}`);
  const skipped = Object.entries((funnel.skipped as Record<string, number>) ?? {})
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  say(
    `\nFunnel: received ${funnel.received}, eligible ${funnel.eligible}, sent ${funnel.sent}, delivered ${funnel.delivered}, answered ${funnel.answered}, response rate ${Math.round(100 * Number(funnel.responseRate ?? 0))} %`,
  );
  if (skipped) say(`Skipped: ${skipped}`);
  say(`\nConsole:     ${endpoints.consolePublic}/  (sign in with the token ${endpoints.tokens.console})`);
  say(
    `Queue board: ${endpoints.consolePublic}/ops/queues  (password ${endpoints.tokens.console}${endpoints.tokens.ops ? `; ${endpoints.tokens.ops} to act` : ''})`,
  );
  say(`Metrics:     ${endpoints.consolePublic}/metrics, and /metrics on every service`);
}

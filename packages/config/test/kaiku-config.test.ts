import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  commonEnv,
  drainEnv,
  EXAMPLE_CONFIG_PATH,
  keysEnv,
  loadKaikuConfig,
  parseEnv,
  parseServiceConfig,
  twilioEnv,
} from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'kaiku-config-test-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

const GOOD_UNIT = `  - id: 1.2.246.10.1
    name: { fi: Testilän terveysasema }
    service: health-station
`;

describe('KAIKU_CONFIG', () => {
  it('loads the example county: a dozen units, names in three languages, one sensitive unit', () => {
    const config = loadKaikuConfig(EXAMPLE_CONFIG_PATH);
    expect(config.units).toHaveLength(12);
    for (const unit of config.units) expect(Object.keys(unit.name).sort()).toEqual(['en', 'fi', 'sv']);
    expect(new Set(config.units.map((u) => u.service))).toEqual(new Set(['health-station', 'maternity-clinic', 'dental', 'other']));
    expect(config.units.filter((u) => u.sensitive)).toHaveLength(1);
    expect(config.survey).toMatchObject({ sendAfter: 'next-day-12:00', quietHours: { from: '20:00', to: '09:00' }, answerWindowDays: 7 });
  });

  it('names every bad key, with its full path, in one error', () => {
    const path = file(
      'bad.yaml',
      `timezone: Europe/Helsingfors
units:
${GOOD_UNIT}  - id: 1.2.246.10.2
    name: { fi: Toinen }
    service: hospital
  - id: 1.2.246.10.1
    name: { fi: Kopio }
    service: dental
    sampling: 1.5
survey:
  sendAfter: tomorrow
  quietHours: { from: "25:00", to: "09:00" }
sending:
  ratePerSecond: -1
reporting:
  minN: 0
`,
    );
    const issues = issuesOf(() => loadKaikuConfig(path));
    const keys = issues.map((i) => i.slice(0, i.indexOf(':')));
    expect(keys).toEqual(
      expect.arrayContaining([
        'timezone',
        'units.1.service',
        'units.2.sampling',
        'survey.sendAfter',
        'survey.quietHours.from',
        'sending.ratePerSecond',
        'reporting.minN',
      ]),
    );
    // The message a person reads at start-up says which file and lists each key.
    expect(() => loadKaikuConfig(path)).toThrow(/KAIKU_CONFIG \(.*bad\.yaml\) is invalid:\n {2}- /);
  });

  it('reports a duplicate unit id at the second occurrence', () => {
    const path = file('dup.yaml', `units:\n${GOOD_UNIT}${GOOD_UNIT}`);
    expect(issuesOf(() => loadKaikuConfig(path))).toEqual(['units.1.id: duplicate unit id 1.2.246.10.1 (given first as units.0)']);
  });

  it('reads a unit id written as FHIR writes it (urn:oid:) as the OID ingest stores, so its visits are enrolled', () => {
    const path = file('urn.yaml', `units:\n${GOOD_UNIT.replace('1.2.246.10.1', 'URN:OID:1.2.246.10.1')}`);
    expect(loadKaikuConfig(path).units.map((u) => u.id)).toEqual(['1.2.246.10.1']);
    // …and the same unit written both ways is one unit given twice.
    const twice = file('urn-twice.yaml', `units:\n${GOOD_UNIT}${GOOD_UNIT.replace('1.2.246.10.1', 'urn:oid:1.2.246.10.1')}`);
    expect(issuesOf(() => loadKaikuConfig(twice))).toEqual(['units.1.id: duplicate unit id 1.2.246.10.1 (given first as units.0)']);
  });

  it('refuses a time zone given as an offset, and a sendAfter past 30 days (a scheduling probe: both passed start-up)', () => {
    const path = file('tz.yaml', `timezone: "+02:00"\nunits:\n${GOOD_UNIT}survey:\n  sendAfter: P999999999D\n`);
    expect(issuesOf(() => loadKaikuConfig(path))).toEqual([
      'timezone: an IANA time zone such as Europe/Helsinki (not an offset: it has no summer time)',
      'survey.sendAfter: at most P30D: a survey is about a visit the patient still recalls',
    ]);
    // A fixed offset under a zone's name (a scheduling probe: Etc/GMT-2 started, an hour off all summer).
    for (const tz of ['Etc/GMT-2', 'etc/gmt+3', 'GMT-2', 'EST']) {
      const named = file('etc.yaml', `timezone: ${tz}\nunits:\n${GOOD_UNIT}`);
      expect(issuesOf(() => loadKaikuConfig(named))).toEqual([expect.stringMatching(/^timezone: .*not an offset/)]);
    }
    for (const tz of ['UTC', 'Etc/GMT', 'Europe/Stockholm']) {
      expect(loadKaikuConfig(file('zone.yaml', `timezone: ${tz}\nunits:\n${GOOD_UNIT}`)).timezone).toBe(tz);
    }
    const bad = file('p1dt.yaml', `units:\n${GOOD_UNIT}survey:\n  sendAfter: P1DT\n`);
    expect(issuesOf(() => loadKaikuConfig(bad))).toEqual([
      expect.stringMatching(/^survey\.sendAfter: next-day-HH:MM or an ISO 8601 duration/),
    ]);
  });

  it('takes a sendAfter in weeks, as ISO 8601 writes them (P1W is seven days), and says months and fractions are not taken', () => {
    const weeks = file('p1w.yaml', `units:\n${GOOD_UNIT}survey:\n  sendAfter: P1W\n`);
    expect(loadKaikuConfig(weeks).survey.sendAfter).toBe('P7D');
    expect(issuesOf(() => loadKaikuConfig(file('p5w.yaml', `units:\n${GOOD_UNIT}survey:\n  sendAfter: P5W\n`)))).toEqual([
      'survey.sendAfter: at most P30D: a survey is about a visit the patient still recalls',
    ]);
    for (const value of ['P1M', 'PT1.5H']) {
      const path = file(`${value}.yaml`, `units:\n${GOOD_UNIT}survey:\n  sendAfter: ${value}\n`);
      expect(
        issuesOf(() => loadKaikuConfig(path)),
        value,
      ).toEqual([expect.stringContaining('not months, years or fractions')]);
    }
  });

  it('names a duplicate unit id together with the other mistakes', () => {
    const path = file('dup-and-more.yaml', `units:\n${GOOD_UNIT}${GOOD_UNIT}survey:\n  quietHours: { from: "09:00", to: "09:00" }\n`);
    expect(issuesOf(() => loadKaikuConfig(path))).toEqual([
      'survey.quietHours: from and to are the same time: give two times, or null for no quiet hours',
      'units.1.id: duplicate unit id 1.2.246.10.1 (given first as units.0)',
    ]);
  });

  it('names a duplicate unit id even beside a value of the wrong type (which stops zod’s own refinements)', () => {
    const path = file('dup-and-type.yaml', `units:\n${GOOD_UNIT}${GOOD_UNIT}reporting:\n  minN: 2.5\n`);
    expect(issuesOf(() => loadKaikuConfig(path))).toEqual([
      'reporting.minN: a whole number, not 2.5',
      'units.1.id: duplicate unit id 1.2.246.10.1 (given first as units.0)',
    ]);
  });

  it('refuses a misspelt key instead of silently using the default', () => {
    const path = file('typo.yaml', `units:\n${GOOD_UNIT}survey:\n  sendAftr: PT0S\n  quietHour: null\n`);
    expect(issuesOf(() => loadKaikuConfig(path))).toEqual([
      'survey.sendAftr: unknown key: did you mean sendAfter?',
      'survey.quietHour: unknown key: did you mean quietHours?',
    ]);
  });

  it('says so when the file is missing, empty of units, or not YAML', () => {
    expect(issuesOf(() => loadKaikuConfig(join(dir, 'nope.yaml')))[0]).toMatch(/^KAIKU_CONFIG: cannot be read: ENOENT/);
    expect(issuesOf(() => loadKaikuConfig(file('empty.yaml', 'units: []\n')))[0]).toMatch(/^units: /);
    expect(issuesOf(() => loadKaikuConfig(file('nothing.yaml', '# nothing yet\n')))).toEqual([
      'KAIKU_CONFIG: the file is empty: it needs the units and the survey (see config/kaiku.example.yaml)',
    ]);
    expect(issuesOf(() => loadKaikuConfig(file('broken.yaml', 'units: [\n')))[0]).toMatch(/^KAIKU_CONFIG: is not YAML or JSON/);
  });

  it('refuses a unit name of spaces only, which would name no unit in the text (a config probe)', () => {
    const path = file('blank.json', JSON.stringify({ units: [{ id: 'u1', name: { fi: 'Yksi', en: '   ' }, service: 'dental' }] }));
    expect(issuesOf(() => loadKaikuConfig(path))).toEqual([
      'units.0.name.en: the name is empty: leave the language out to use the Finnish name (unit u1)',
    ]);
  });

  it("says what to write for the mistakes a county's staff make, and names the unit of each (a second county's probe)", () => {
    const path = file(
      'staff.yaml',
      `units:
  - id: 1.2.246.10.101
    name: { sv: Nykarleby tandklinik }
    service: dental
    samplng: 0.5
  - id: 1.2.246.10.102
    name: { fi: "", sv: Korsholms hälsostation }
    service: health-station
    sampling: "0,5"
survey:
  quietHours: { from: "21.00", to: 8 }
  answerWindowDays: 2.5
  resurveyAfterDays: "14"
  minAge: { years: 16 }
reportng: {}
`,
    );
    expect(issuesOf(() => loadKaikuConfig(path))).toEqual([
      "units.0.name.fi: required: the unit's Finnish name, which a language without a name of its own uses (unit 1.2.246.10.101)",
      'units.0.samplng: unknown key: did you mean sampling? (unit 1.2.246.10.101)',
      'units.1.name.fi: the Finnish name is empty: every unit needs one, which a language without a name of its own uses (unit 1.2.246.10.102)',
      'units.1.sampling: a number without quotes, with a point for decimals (0.5), not "0,5" (unit 1.2.246.10.102)',
      'survey.quietHours.from: a 24-hour time, HH:MM ("21:00", "08:00"), not "21.00"',
      'survey.quietHours.to: a 24-hour time in quotes, HH:MM ("21:00"), not the number 8',
      'survey.answerWindowDays: a whole number, not 2.5',
      'survey.resurveyAfterDays: a number without quotes, not "14"',
      'survey.minAge: Invalid input: expected number, received object',
      'reportng: unknown key: did you mean reporting?',
    ]);
  });

  it('reads JSON as well as YAML', () => {
    const path = file(
      'c.json',
      JSON.stringify({ units: [{ id: 'u1', name: { fi: 'Yksi' }, service: 'dental' }], survey: { sendAfter: 'PT0S', quietHours: null } }),
    );
    expect(loadKaikuConfig(path).survey).toMatchObject({ sendAfter: 'PT0S', quietHours: null });
  });
});

describe('environment', () => {
  it('says an empty variable that must have a value is empty (a regression probe: "Too small: expected string to have >=1 characters")', () => {
    expect(issuesOf(() => parseEnv(z.object(twilioEnv), { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: '' }))).toEqual([
      'TWILIO_AUTH_TOKEN: required: it is empty',
    ]);
    expect(issuesOf(() => parseEnv(z.object({ CONSOLE_TOKEN: z.string().min(16) }), { CONSOLE_TOKEN: '' }))).toEqual([
      'CONSOLE_TOKEN: required: it is empty (16 characters or more)',
    ]);
  });

  it('drains 2 s before a stop in production and none elsewhere, at most 5 s (the 10 s for the rest count after it)', () => {
    const drain = (env: Record<string, string>) => parseEnv(z.object(drainEnv(env)), env).SHUTDOWN_DRAIN_MS;
    expect(drain({ NODE_ENV: 'production' })).toBe(2000);
    expect(drain({})).toBe(0);
    expect(drain({ SHUTDOWN_DRAIN_MS: '' })).toBe(0);
    expect(drain({ NODE_ENV: 'production', SHUTDOWN_DRAIN_MS: '5000' })).toBe(5000);
    expect(issuesOf(() => drain({ SHUTDOWN_DRAIN_MS: '8000' }))).toEqual([expect.stringMatching(/^SHUTDOWN_DRAIN_MS: /)]);
  });

  it('names a missing production key with how to make one, and a missing KAIKU_CONFIG in the same error (a second county’s probe)', () => {
    const env = { NODE_ENV: 'production', KAIKU_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString('base64') };
    const issues = issuesOf(() => parseServiceConfig(z.object({ ...commonEnv, ...keysEnv(env) }), env));
    expect(issues).toEqual([
      'KAIKU_PSEUDONYM_KEY: required in production: 32 random bytes in base64 (openssl rand -base64 32)',
      expect.stringMatching(/^KAIKU_CONFIG: is required in production: the path of the county's units and survey file/),
    ]);
    expect(() => parseServiceConfig(z.object({ ...commonEnv, ...keysEnv(env) }), env)).toThrow(
      /^The environment is invalid:\n.*KAIKU_PSEUDONYM_KEY.*\nKAIKU_CONFIG is invalid:\n/s,
    );
  });

  it('names each bad variable', () => {
    const schema = z.object(commonEnv);
    const issues = issuesOf(() => parseEnv(schema, { DATABASE_URL: 'not a url', LOG_LEVEL: 'loud', KAIKU_QUEUE_PREFIX: 'a b' }));
    expect(issues.map((i) => i.slice(0, i.indexOf(':')))).toEqual(['LOG_LEVEL', 'DATABASE_URL', 'KAIKU_QUEUE_PREFIX']);
  });

  it('refuses a database or Redis URL of another scheme, naming what it must be', () => {
    const schema = z.object(commonEnv);
    expect(issuesOf(() => parseEnv(schema, { DATABASE_URL: 'mysql://x@127.0.0.1/db', REDIS_URL: 'http://127.0.0.1:6379' }))).toEqual([
      'DATABASE_URL: a postgres:// (or postgresql://) URL',
      'REDIS_URL: a redis:// (or rediss://) URL',
    ]);
    // A path that is no database index (a config probe: ioredis sent SELECT NaN, and a service crashed).
    expect(issuesOf(() => parseEnv(schema, { REDIS_URL: 'redis://127.0.0.1:6379/abc' }))).toEqual([
      'REDIS_URL: the database index is the path: redis://host:6379/2 (not ?db=), or none for db 0',
    ]);
    for (const url of ['redis://127.0.0.1:6379/?db=abc', 'redis://127.0.0.1:6379/1?db=7']) {
      expect(issuesOf(() => parseEnv(schema, { REDIS_URL: url }))).toEqual([
        expect.stringMatching(/^REDIS_URL: the database index is the path/),
      ]);
    }
    expect(parseEnv(schema, { REDIS_URL: 'redis://127.0.0.1:6379/' }).REDIS_URL).toBe('redis://127.0.0.1:6379/');
    // Not a URL at all: one message, never an exception of the check itself.
    expect(issuesOf(() => parseEnv(schema, { REDIS_URL: 'not a url' }))).toEqual(['REDIS_URL: a redis:// (or rediss://) URL']);
    const taken = parseEnv(schema, { DATABASE_URL: 'postgresql://u@db.example:5433/kaiku', REDIS_URL: 'rediss://cache.example:6380/2' });
    expect(taken).toMatchObject({ DATABASE_URL: 'postgresql://u@db.example:5433/kaiku', REDIS_URL: 'rediss://cache.example:6380/2' });
  });
});

// The alert rules against days ops could have (infra/prometheus/alerts.test.yml): a burst that
// drains at the configured rate pages no one; senders that take no job, a rate too low for the
// volume, Twilio down and a sender without Postgres page, each within its stated time. Run by
// Prometheus' own rule tester (Debian's `prometheus` package; .ci/run installs it).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { root } from './ops-helpers.ts';

describe('alert rules', () => {
  it('page for trouble, within the time the README gives, and not for ordinary days', () => {
    const run = spawnSync('promtool', ['test', 'rules', 'infra/prometheus/alerts.test.yml'], { cwd: root, encoding: 'utf8' });
    expect(run.error, 'promtool not found: apt-get install prometheus (it brings promtool)').toBeUndefined();
    expect(run.status, `${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('SUCCESS');
  });
});

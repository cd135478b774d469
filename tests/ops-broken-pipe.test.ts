// A service whose stdout nobody reads any more (its terminal or the process that started it is
// gone): it must still stop on SIGTERM. Writing the shutdown log lines to the broken pipe used to
// retry for ever, and the process stayed alive, holding its port.
import { spawn } from 'node:child_process';
import { SERVICE_NODE_FLAGS } from '@kaiku/config';
import { describe, expect, it } from 'vitest';
import { root } from './ops-helpers.ts';

describe('a service that has lost its stdout', () => {
  it('stops on SIGTERM (sms-sim: the same logger as every service)', { timeout: 60_000 }, async () => {
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS['sms-sim'], 'services/sms-sim/src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOST: '127.0.0.1', SMS_SIM_PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout?.once('data', () => resolve()));
    child.stdout?.destroy();
    child.stderr?.destroy();
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'still running'>((r) => setTimeout(() => r('still running'), 8000))]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(0);
  });
});

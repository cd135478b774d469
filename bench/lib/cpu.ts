import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** CPU seconds used so far by a process (user + system), or null when it is gone. */
function processCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: count fields after its closing one
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

function pidsNamed(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Busy and total CPU seconds of the whole machine (all cores) from /proc/stat. */
function machineSeconds(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy / TICKS, total: (busy + idle + iowait) / TICKS };
}

export interface CpuSnapshot {
  at: number;
  perName: Map<string, Map<number, number>>;
  machine: { busy: number; total: number };
  self: number;
}

/**
 * What every process of interest has used so far: the services (by the names the RSS sampler
 * knows them by), Postgres' and Redis' processes, and this benchmark process (the load generator).
 */
export function cpuSnapshot(services: Map<number, string>): CpuSnapshot {
  const perName = new Map<string, Map<number, number>>();
  const add = (name: string, pid: number) => {
    const s = processCpuSeconds(pid);
    if (s === null) return;
    if (!perName.has(name)) perName.set(name, new Map());
    perName.get(name)?.set(pid, s);
  };
  for (const [pid, name] of services) add(name, pid);
  for (const pid of pidsNamed('postgres')) add('postgres', pid);
  for (const pid of pidsNamed('redis-server')) add('redis', pid);
  const { user, system } = process.cpuUsage();
  return { at: performance.now(), perName, machine: machineSeconds(), self: (user + system) / 1e6 };
}

/** Each part's ms of CPU per item, largest first (e.g. "postgres 0.69, sender 0.35"). */
export function cpuPerItem(cpu: ReturnType<typeof cpuBetween>, items: number): string {
  return Object.entries(cpu.seconds)
    .filter(([, seconds]) => seconds > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, seconds]) => `${name} ${((seconds * 1000) / Math.max(items, 1)).toFixed(2)}`)
    .join(', ');
}

/**
 * CPU seconds each part used between two snapshots (a process that started in between counts
 * from zero; one that ended in between is missed), and how busy the machine was (0–1 per core).
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot) {
  const seconds: Record<string, number> = { 'load generator': b.self - a.self };
  for (const [name, pids] of b.perName) {
    let sum = 0;
    for (const [pid, s] of pids) sum += s - (a.perName.get(name)?.get(pid) ?? 0);
    seconds[name] = sum;
  }
  const busy = b.machine.busy - a.machine.busy;
  const total = b.machine.total - a.machine.total;
  return { seconds, wallSeconds: (b.at - a.at) / 1000, machineBusy: total > 0 ? busy / total : 0 };
}

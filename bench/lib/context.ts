import type { BenchEnv } from './bench-env.ts';
import type { ResultRow } from './results.ts';
import type { RssSampler } from './services.ts';

/** What the raw building blocks did in this run; later stages are measured against these. */
export interface Bounds {
  bareRps?: number;
  bareP99At1000?: number;
  pgInsertsPerSec?: number;
  pgBatchRowsPerSec?: number;
  redisOpsPerSec?: number;
  tcpEchoPerSec?: number;
}

export interface BenchContext {
  quick: boolean;
  env: BenchEnv;
  sampler: RssSampler;
  kaikuConfig: string;
  rows: ResultRow[];
  bounds: Bounds;
  /** Length of each measured load window, and of the unmeasured warm-up before it. */
  seconds: number;
  warmupSeconds: number;
  /** Extra facts for the JSON (counts, timings per stage). */
  details: Record<string, unknown>;
  log: (message: string) => void;
}

export interface Stage {
  name: string;
  run: (ctx: BenchContext) => Promise<void>;
}

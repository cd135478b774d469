/**
 * V8 flags each Kaiku service runs with, wherever it is started: `pnpm --filter … start` (each
 * service's package.json), `pnpm start` (scripts/start-all.ts), the container images
 * (infra/Dockerfile, one NODE_OPTIONS per target) and the benchmarks. tests/ops-infra.test.ts keeps
 * those places in step.
 *
 * V8 sizes its heap from the machine's memory (a 24 GB host lets one process grow to gigabytes),
 * and a busy service leaves garbage uncollected until it nears that size: the services' live
 * heaps are ~40 MB, yet they peaked at 240–320 MB in the pipeline benchmark.
 * - `--max-old-space-size=256` (MB) makes V8 collect the old generation long before the host's
 *   size. It is also a hard ceiling: a process whose live heap passes it stops, so every input that
 *   could grow the heap is bounded (body limits, batch sizes, requests in flight).
 * - `--max-semi-space-size` (MB) caps the young generation. A small one is collected more often:
 *   more CPU, longer tails. 8 MB cut the pipeline's CPU per text by 12 % and the replies p99 at
 *   3,000/s from 29 to 18 ms, with sender and replies still under 180 MB. Ingest keeps 2 MB: with
 *   4 or 8 MB its peak during 1,000-visit batches on four connections came to 190–195 MB, too
 *   close to the 200 MB target, for a few per cent of MLLP throughput (BENCHMARKS.md).
 */
export type ServiceName = 'ingest' | 'sender' | 'replies' | 'console' | 'sms-sim';

const OLD_SPACE = '--max-old-space-size=256';
export const SERVICE_NODE_FLAGS: Readonly<Record<ServiceName, readonly string[]>> = {
  ingest: ['--max-semi-space-size=2', OLD_SPACE],
  sender: ['--max-semi-space-size=8', OLD_SPACE],
  replies: ['--max-semi-space-size=8', OLD_SPACE],
  console: ['--max-semi-space-size=2', OLD_SPACE],
  'sms-sim': ['--max-semi-space-size=8', OLD_SPACE],
};

export const SERVICE_NAMES = Object.keys(SERVICE_NODE_FLAGS) as ServiceName[];

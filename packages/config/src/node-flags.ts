/**
 * V8 flags every Kaiku service runs with, wherever it is started: `pnpm --filter … start`
 * (each service's package.json), `pnpm start` (scripts/start-all.ts), the container images
 * (infra/Dockerfile) and the benchmarks. tests/ops-infra.test.ts keeps those places in step.
 *
 * V8 sizes its heap from the machine's memory (a 24 GB host lets one process grow to gigabytes),
 * and a busy service leaves garbage uncollected until it nears that size: the services' live
 * heaps are ~40 MB, yet they peaked at 240–320 MB in the pipeline benchmark.
 * - `--max-semi-space-size=2` (MB) caps the young generation;
 * - `--max-old-space-size=256` (MB) makes V8 collect the old generation long before the host's
 *   size. It is also a hard ceiling: a process whose live heap passes it stops, so every input that
 *   could grow the heap is bounded (body limits, batch sizes, requests in flight).
 * Together they kept every service's RSS under 200 MB in the benchmarks, with no measurable
 * loss of throughput (BENCHMARKS.md → Memory).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--max-old-space-size=256'];

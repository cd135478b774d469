/**
 * V8 flags every Kaiku service runs with, wherever it is started: `pnpm --filter … start`
 * (each service's package.json), `pnpm start` (scripts/start-all.ts), the container images
 * (infra/Dockerfile) and the benchmarks. tests/ops-infra.test.ts keeps those places in step.
 *
 * `--max-semi-space-size=2` (MB): V8 sizes the young generation from the machine's memory (large
 * on a 24 GB host), and a busy service grows into it. Capping it kept every service's RSS under
 * 200 MB under benchmark load with no measurable loss of throughput (BENCHMARKS.md → Memory).
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

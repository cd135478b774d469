export { buildRepliesApp } from './app.ts';
export { loadRepliesConfig } from './config.ts';
export { createExpiryJob, type ExpiryJob, type ExpiryRun } from './expiry-job.ts';
export { createInboundHandler, type InboundOutcome, type InboundResult } from './handle-inbound.ts';

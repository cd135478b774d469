export { buildIngestApp } from './app.ts';
export { loadIngestConfig } from './config.ts';
export { createOutboxRelay } from './outbox-relay.ts';
export { createVisitIngestor } from './visits/ingest-visit.ts';

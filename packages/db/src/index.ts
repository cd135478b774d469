export * from './delivery-status.ts';
export * from './group-commit.ts';
export * from './key-fingerprints.ts';
export * from './migrate.ts';
export * from './pool.ts';
export * from './schema-ready.ts';

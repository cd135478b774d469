export * from './personal-data.ts';
export * from './servers.ts';
export * from './test-env.ts';

export * from './servers.ts';
export * from './test-env.ts';

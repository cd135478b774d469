export * from './own-redis.ts';
export * from './personal-data.ts';
export * from './production-env.ts';
export * from './servers.ts';
export * from './test-env.ts';

export * from './bearer.ts';
export * from './health.ts';
export * from './logger.ts';
export * from './problem.ts';
export * from './process.ts';

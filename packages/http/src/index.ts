export * from './bearer.ts';
export * from './health.ts';
export * from './logger.ts';
export * from './metrics.ts';
export * from './problem.ts';
export * from './process.ts';
export * from './repeating-task.ts';
export * from './state-gauges.ts';

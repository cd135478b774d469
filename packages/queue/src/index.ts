export * from './jobs.ts';
export * from './redis.ts';
export * from './survey-send.queue.ts';

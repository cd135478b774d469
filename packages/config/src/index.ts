export * from './config-error.ts';
export * from './env.ts';
export * from './kaiku-config.ts';

export * from './config-error.ts';
export * from './env.ts';
export * from './kaiku-config.ts';
export * from './node-flags.ts';

export { buildRepliesApp } from './app.ts';
export { loadRepliesConfig } from './config.ts';

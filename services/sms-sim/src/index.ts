export { buildSimApp } from './app.ts';
export { loadSimConfig } from './config.ts';

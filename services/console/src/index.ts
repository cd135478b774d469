export { buildConsoleApp } from './app.ts';
export { loadConsoleConfig } from './config.ts';

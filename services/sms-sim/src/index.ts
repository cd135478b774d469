export { buildSimApp } from './app.ts';
export { loadSimConfig } from './config.ts';
export { type FaultRule, faultRuleSchema } from './faults.ts';

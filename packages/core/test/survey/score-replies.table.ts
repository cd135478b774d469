/** The reply tables, one file per language; the format is in score-replies.shared.ts. */

export { ENGLISH } from './score-replies.en.table.ts';
export { FINNISH } from './score-replies.fi.table.ts';
export { type Expected, REASK } from './score-replies.shared.ts';
export { SWEDISH } from './score-replies.sv.table.ts';

export { generateLifecareMessages, lifecareMessage } from './lifecare.ts';
export { generatePegasosBundles, pegasosBundle } from './pegasos.ts';
export { type PaceOptions, type SendSummary, sendFhir, sendHl7OverHttp, sendOverMllp } from './send.ts';
export {
  generateStream,
  LIFECARE_UNITS,
  PEGASOS_UNITS,
  type SimEvent,
  type SimPatient,
  type StreamOptions,
  seededRandom,
} from './stream.ts';

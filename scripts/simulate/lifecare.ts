import { generateStream, LIFECARE_UNITS, type SimEvent, type StreamOptions } from './stream.ts';

/** `YYYYMMDDHHMMSS` in Helsinki time, as Lifecare writes timestamps. */
function ts(at: Date): string {
  return at.toLocaleString('sv-SE', { timeZone: 'Europe/Helsinki' }).replace(/[-: ]/g, '').slice(0, 14);
}

/** One event as a Lifecare ER7 message (HL7 v2.3, HL7 Finland), ISO-8859-1 bytes as MSH-18 says. */
export function lifecareMessage(event: SimEvent, now = new Date()): Buffer {
  const p = event.patient;
  const trigger = event.kind === 'visit-ended' ? 'A03' : 'A13';
  const phones = p.phones.map((ph) => `${ph.number}^PRN^${ph.mobile ? 'CP' : 'PH'}`).join('~');
  const pv1 = ['PV1', '1', 'O', `VAST1^^^${event.unitId}`, '', '', '', 'T123456^Lääkäri^Liisa', '', '', 'YLE', ...Array(7).fill(''), 'T11'];
  pv1.push(
    `${event.visitId}^^^1.2.246.10.2085212.10.0^VN`,
    ...Array(19).fill(''),
    event.unitId,
    '',
    '',
    '',
    '',
    ts(new Date(event.endedAt.getTime() - 1800_000)),
  );
  pv1.push(event.kind === 'visit-ended' ? ts(event.endedAt) : '');
  const segments = [
    `MSH|^~\\&|LIFECARE|1.2.246.10.2085212.10.0|KAIKU|HVA|${ts(now)}||ADT^${trigger}|${event.eventId}|P|2.3||||||8859/1`,
    `EVN|${trigger}|${ts(now)}`,
    `PID|1||${p.hetu}^^^1.2.246.21^NNFIN||${p.family}^${p.given}^^^^^L||${p.birthDate.replaceAll('-', '')}|U|||||${phones}||${p.language}^^1.2.246.537.5.40175||||||||||||||${p.deceased ? 'Y' : ''}`,
    ...(p.nonDisclosure ? ['PD1||||||||||||Y'] : []),
    pv1.join('|'),
  ];
  return Buffer.from(`${segments.join('\r')}\r`, 'latin1');
}

/** A realistic Lifecare stream as ER7 messages (see generateStream for the mix). */
export function generateLifecareMessages(options: StreamOptions): Buffer[] {
  const now = options.now ?? new Date();
  return generateStream({ units: LIFECARE_UNITS, ...options, now }).map((e) => lifecareMessage(e, now));
}

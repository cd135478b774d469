import { ACCOUNT_SID, AUTH_TOKEN, TWILIO_FROM } from '../lib/fake-visits.ts';
import type { Ports } from '../lib/kaiku-services.ts';
import { urlOf } from '../lib/kaiku-services.ts';
import { load } from '../lib/load.ts';

/**
 * The sender's bound: sms-sim's Messages API on its own (raw HTTP from autocannon, as many
 * connections as the sender's concurrency, no status callback asked), in the same run. Numbers
 * outside the visits' range, so no patient's messages mix with these.
 */
export async function twilioStandInBound(ports: Ports, seconds: number, connections: number): Promise<{ rps: number; p99: number }> {
  let k = 0;
  const auth = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  const result = await load({
    url: urlOf(ports.sim),
    path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: () => {
      k += 1;
      return new URLSearchParams({
        To: `+35850${String(k % 10_000_000).padStart(7, '0')}`,
        From: TWILIO_FROM,
        Body: 'Kiitos käynnistäsi! Kuinka todennäköisesti suosittelisit meitä? Vastaa numerolla 0-10.',
        ValidityPeriod: '14400',
      }).toString();
    },
    connections,
    seconds,
  });
  return { rps: result.rps, p99: result.p99 };
}

import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';

/** Keys are 32 random bytes each (base64 in the environment). */
export interface Keys {
  pseudonymKey: Buffer;
  encryptionKey: Buffer;
}

// A KeyObject per key, made once: creating one from raw bytes on every call costs more than the HMAC.
const keyObjects = new WeakMap<Buffer, KeyObject>();
function keyObject(raw: Buffer): KeyObject {
  let key = keyObjects.get(raw);
  if (!key) {
    key = createSecretKey(raw);
    keyObjects.set(raw, key);
  }
  return key;
}

/** The keyed pseudonym of a person: HMAC-SHA256(pseudonym key, hetu), hex. */
export function pseudonymOf(keys: Keys, personalId: string): string {
  return createHmac('sha256', keyObject(keys.pseudonymKey)).update(`hetu:${personalId.trim().toUpperCase()}`).digest('hex');
}

/**
 * A record system's id that holds a hetu (by mistake or by chance), as Kaiku stores it instead: a
 * keyed hash, the same for the same id, so a cancel or an update still finds its visit.
 */
export function maskedIdOf(keys: Keys, id: string): string {
  return `masked:${createHmac('sha256', keyObject(keys.pseudonymKey)).update(`id:${id}`).digest('hex').slice(0, 40)}`;
}

/**
 * Fingerprints of the two keys (a keyed hash of a fixed text, which tells nothing of the key), so
 * that a database can tell a service started with other keys than those its hashes were made with.
 */
export function keyFingerprintsOf(keys: Keys): { pseudonym: string; encryption: string } {
  const of = (key: Buffer) => createHmac('sha256', keyObject(key)).update('kaiku key fingerprint').digest('hex').slice(0, 16);
  return { pseudonym: of(keys.pseudonymKey), encryption: of(keys.encryptionKey) };
}

/** The keyed hash of an E.164 phone number, used to match replies and opt-outs. */
export function phoneHashOf(keys: Keys, e164: string): string {
  return createHmac('sha256', keyObject(keys.pseudonymKey)).update(`phone:${e164}`).digest('hex');
}

// Random IVs drawn a few hundred at a time: one call into the generator per ~340 numbers sealed
// instead of one each (it showed up in ingest's profile). Each IV is still 96 fresh random bits.
const IV_BYTES = 12;
let ivPool = Buffer.alloc(0);
let ivAt = 0;
function nextIv(): Buffer {
  if (ivAt + IV_BYTES > ivPool.length) {
    ivPool = randomBytes(IV_BYTES * 341);
    ivAt = 0;
  }
  ivAt += IV_BYTES;
  return ivPool.subarray(ivAt - IV_BYTES, ivAt);
}

/** AES-256-GCM: iv (12) ‖ tag (16) ‖ ciphertext. */
export function encryptPhone(keys: Keys, e164: string): Buffer {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', keyObject(keys.encryptionKey), iv);
  const body = Buffer.concat([cipher.update(e164, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function decryptPhone(keys: Keys, sealed: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', keyObject(keys.encryptionKey), sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

/** A stable number in [0, 1) for a key, for deterministic sampling. */
export function uniformFromKey(keys: Keys, key: string): number {
  const digest = createHmac('sha256', keyObject(keys.pseudonymKey)).update(`sample:${key}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

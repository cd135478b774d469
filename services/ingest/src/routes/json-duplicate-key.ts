/**
 * The first key that appears twice in one object of a JSON text already parsed (so known to be
 * valid), or null. JSON.parse keeps the last silently ("status": "cancelled", "status":
 * "finished" was a finished visit, and texted); FHIR forbids it, and no serialiser writes it.
 * One pass: strings are skipped with indexOf, a key with an escape is decoded before it is compared.
 */
export function duplicateKey(text: string): string | null {
  // A frame per open object (its keys) or array (null).
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = text.indexOf('"', i + 1);
      while (end > 0) {
        let slashes = 0;
        for (let b = end - 1; text.charCodeAt(b) === 0x5c; b--) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      if (end < 0) return null;
      if (expectKey) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const keys = stack[stack.length - 1] as Set<string>;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) stack.push(null);
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) expectKey = stack[stack.length - 1] != null;
  }
  return null;
}

// Finding personal data in logs and stores. A phone number or an identity code written out is a
// token of its own: a number inside a longer run of digits (a float's tail, a timestamp) is not a
// leak, and matching it as one makes a privacy check fail by chance.

const DIGIT = /\d/;

/** Where `needle` occurs in `haystack` with no digit glued to either end of it; -1 when nowhere. */
export function indexOfPersonalData(haystack: string, needle: string): number {
  const leading = DIGIT.test(needle[0] ?? '');
  const trailing = DIGIT.test(needle.at(-1) ?? '');
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1] ?? '';
    const after = haystack[at + needle.length] ?? '';
    if ((leading && DIGIT.test(before)) || (trailing && DIGIT.test(after))) continue;
    return at;
  }
  return -1;
}

export function containsPersonalData(haystack: string, needle: string): boolean {
  return indexOfPersonalData(haystack, needle) !== -1;
}

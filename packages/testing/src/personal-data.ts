// Finding personal data in logs and stores. A phone number or an identity code written out is a
// token of its own: a number inside a longer run of digits (a float's tail, a timestamp) is not a
// leak, and matching it as one makes a privacy check fail by chance.

const DIGIT = /\d/;

/** Whether `needle` occurs in `haystack` with no digit glued to either end of it. */
export function containsPersonalData(haystack: string, needle: string): boolean {
  const leading = DIGIT.test(needle[0] ?? '');
  const trailing = DIGIT.test(needle.at(-1) ?? '');
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1] ?? '';
    const after = haystack[at + needle.length] ?? '';
    if (!(leading && DIGIT.test(before)) && !(trailing && DIGIT.test(after))) return true;
  }
  return false;
}

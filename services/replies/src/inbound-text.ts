/** The body as it may be parsed and stored: NFC, no control characters, at most 1,600 characters. */
export function storableText(body: string): string {
  const clean = body
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu, '\uFFFD')
    .normalize('NFC')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters never reach storage
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/gu, '');
  return clean.length > 1600 ? clean.slice(0, 1600) : clean;
}

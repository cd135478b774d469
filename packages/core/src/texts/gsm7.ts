/** GSM 03.38 default alphabet and its extension table, and SMS segment counting. */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENDED = '^{}\\[~]|€\f';
const basic = new Set(BASIC);
const extended = new Set(EXTENDED);

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extended.has(ch)) return false;
  return true;
}

/** Characters outside GSM-7, which would turn the whole message into UCS-2. */
export function nonGsm7Characters(text: string): string[] {
  return [...new Set([...text].filter((ch) => !basic.has(ch) && !extended.has(ch)))];
}

export function smsSegments(text: string): number {
  if (isGsm7(text)) {
    let septets = 0;
    for (const ch of text) septets += extended.has(ch) ? 2 : 1;
    return septets <= 160 ? 1 : Math.ceil(septets / 153);
  }
  const units = text.length; // UTF-16 code units
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

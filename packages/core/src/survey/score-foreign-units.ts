import type { Token } from './reply-tokens.ts';

/**
 * Units of time and other scales in the languages patients in Finland most often write in besides
 * Finnish, Swedish and English, as they stand beside a number: "۲ ساعت منتظر بودم" (a two-hour
 * wait), "٥ نجوم" (five stars), "2 часа ждал" (a two-hour wait), "8 шт". Once Arabic-Indic digits
 * were read, a regression probe saw each stored as the score; other words in those scripts ("9
 * lääkäri Ольга oli ystävällinen", "10 Всё хорошо") are a reason like any other.
 */
const ARABIC_PERSIAN = new Set(
  // Arabic: hour(s), minute(s), day(s), week(s), month(s), year(s), star(s), point(s), time(s), out of
  (
    'ساعة ساعات ساعتين دقيقة دقائق دقيقتين يوم أيام ايام يومين أسبوع اسبوع أسابيع اسابيع شهر أشهر اشهر شهور سنة سنوات نجمة نجوم نجمات نجمتين نقطة نقاط درجة درجات مرة مرات من ' +
    // Persian: hour, minute, day, week, month, year, star, point, time(s), of
    'ساعت دقیقه روز هفته ماه سال ستاره امتیاز نمره بار دفعه از'
  ).split(' '),
);
/** Russian and Ukrainian: stems of hour, minute, second, day, week, month, year, star, point, piece… */
const CYRILLIC_UNIT =
  /^(час|хвилин|минут|секунд|день|дня|дней|дні|днів|недел|тижн|тиждень|месяц|місяц|год|лет|років|рік|звезд|звёзд|зір|балл|бал[аиів]?$|штук)/u;
/** …and the short ones, whole: pieces, times, out of, and abbreviations. */
const CYRILLIC_SHORT = new Set(['шт', 'раз', 'раза', 'из', 'з', 'ч', 'мин', 'хв', 'сек']);

export function isForeignUnit(t: Token): boolean {
  if (t.kind !== 'word') return false;
  // The Arabic article joined to its word: الساعة is "the hour".
  if (/^[\u0600-\u06FF]/u.test(t.text)) return ARABIC_PERSIAN.has(t.text) || ARABIC_PERSIAN.has(t.text.replace(/^ال/u, ''));
  return /^[\u0400-\u04FF]/u.test(t.lower) && (CYRILLIC_SHORT.has(t.lower) || CYRILLIC_UNIT.test(t.lower));
}

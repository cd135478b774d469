import type { Token } from './reply-tokens.ts';

/**
 * Units of time and other scales in the languages patients in Finland most often write in besides
 * Finnish, Swedish and English, as they stand right beside a number: "۲ ساعت منتظر بودم" (a
 * two-hour wait), "٥ نجوم" (five stars), "2 часа ждал" (a two-hour wait). Once Arabic-Indic digits
 * were read, a regression probe saw each stored as the score. Whole word forms, not stems: "10
 * часто бываю" is a reason, not ten hours (a later probe); other words in those scripts ("9
 * lääkäri Ольга oli ystävällinen", "10 Всё хорошо") are a reason like any other, and the words
 * that name a score ("8 баллов", "نمره ۱۰") name it as "9 pistettä" does.
 */
const UNIT_WORDS = new Set(
  [
    // Arabic: hour(s), minute(s), day(s), week(s), month(s), year(s), star(s), person/people, percent
    'ساعة ساعه ساعات ساعتين ساعتان دقيقة دقيقه دقائق دقايق دقيقتين يوم أيام ايام يومين أسبوع اسبوع أسابيع اسابيع أشهر اشهر شهور سنة سنوات نجمة نجمه نجوم نجمات نجمتين أشخاص اشخاص بالمئة',
    // Persian: hour, minute, day, week, year, star, person, percent (ماه, "month", also says "lovely")
    'ساعت دقیقه روز هفته سال ستاره نفر درصد',
    // Russian: hours, minutes, seconds, days, weeks, months, years, stars, pieces, times, people, patients, percent
    'час часа часов часик минута минуты минут минуту секунд секунды день дня дней дни суток сутки неделя недели недель неделю месяц месяца месяцев год года лет звезда звезды звезд звёзд звезды шт штук штуки раз раза человек людей пациента пациентов процент процента процентов',
    // Ukrainian: the same
    'година години годин хвилина хвилини хвилин днів доби тиждень тижні тижнів місяць місяці місяців рік роки років зірка зірки зірок штуки разів людей пацієнтів відсотків',
  ]
    .join(' ')
    .split(' '),
);

export function isForeignUnit(t: Token): boolean {
  if (t.kind !== 'word') return false;
  // The Arabic article joined to its word: الساعة is "the hour".
  return UNIT_WORDS.has(t.lower) || (/^ال/u.test(t.text) && UNIT_WORDS.has(t.text.slice(2)));
}

/**
 * "9 из 10", "٩ من ١٠", "۹ از ۱۰": a score out of ten said in Russian, Ukrainian, Arabic or Persian,
 * read as "9/10" is (and "4 من 5" as "4/5", another scale); those words are everyday prepositions
 * elsewhere ("۱۰ از برخورد پرسنل راضی بودم"), so only between two numbers.
 */
export const FOREIGN_OUT_OF = /(\d+)\s*(?:из|із|з|من|از)\s*(\d+)/gu;

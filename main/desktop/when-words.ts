/** Where and how a time is said: the user's locale and time zone (the system's when undefined). */
export interface LocaleOptions {
  readonly locale?: string | undefined;
  readonly timeZone?: string | undefined;
}

const DAY_MS = 86_400_000;

/**
 * A time as a person says it about the next few days: "14:05" today, "tomorrow 08:00", then the
 * weekday and date ("Mon 7 Dec, 08:00"), each in the user's locale through Intl.
 */
export function whenWords(at: number, now: number, where: LocaleOptions = {}): string {
  const { locale, timeZone } = where;
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone }).format(at);
  const days = calendarDay(at, where) - calendarDay(now, where);
  if (days === 0) return time;
  if (days === 1) {
    const tomorrow = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(1, 'day');
    return `${tomorrow} ${time}`;
  }
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
  }).format(at);
}

/** After "is" or "next attempt": "at 14:05" today, "tomorrow 08:00" or a date otherwise. */
export function atWords(at: number, now: number, where: LocaleOptions = {}): string {
  const words = whenWords(at, now, where);
  return calendarDay(at, where) === calendarDay(now, where) ? `at ${words}` : words;
}

/** "1 message", "3 messages": English plural rules; the number in the user's locale. */
export function countWords(count: number, one: string, other: string, where: LocaleOptions = {}): string {
  const number = new Intl.NumberFormat(where.locale).format(count);
  return `${number} ${new Intl.PluralRules('en').select(count) === 'one' ? one : other}`;
}

/** Days since the epoch of the calendar date `at` falls on where the user is. */
function calendarDay(at: number, { timeZone }: LocaleOptions): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    timeZone,
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(part('year'), part('month') - 1, part('day')) / DAY_MS);
}

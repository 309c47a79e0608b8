// How a digest writes numbers, changes, percentages and dates, with the privacy threshold applied at
// the one place a count becomes text; and the excerpt a piece of feedback is shown as.
import { redact } from "../log/log.ts";
import { Texts } from "../i18n/texts.ts";
import { readLocales } from "../i18n/locales.ts";
import { fileURLToPath } from "node:url";

/** Where the staff's texts are: `staff-locales/<lang>/<namespace>.json` (not `locales/`, the newcomers'). */
export const STAFF_LOCALES_DIR = fileURLToPath(new URL("../../staff-locales", import.meta.url));

let staff: Texts | undefined;
/** The staff's texts (digests, Slack), loaded once. */
export function staffTexts(): Texts {
  staff ??= new Texts(readLocales(STAFF_LOCALES_DIR));
  return staff;
}

/** A digest's text in its working language (English where a text is missing). */
export const say = (language: string, key: string, params: Record<string, string | number> = {}): string => staffTexts().t(language, `digest:${key}`, params);

// Day first, as across Europe: English dates as in Britain.
const locale = (language: string) => (language === "en" ? "en-GB" : language);

/** Whether a count may be shown as it is. */
export const isShown = (n: number, min: number): boolean => n >= min;

/** A number in the language's way (1,234 / 1.234). */
export const number = (n: number, language: string): string => new Intl.NumberFormat(locale(language)).format(n);

/** A count as shown: itself, or "< min" below the threshold (zero too). */
export const countText = (n: number, min: number, language: string): string => (isShown(n, min) ? number(n, language) : `< ${min}`);

/** The change from the previous period ("+4", "−2", "±0"), only when both counts are shown; else null. */
export function changeText(current: number, previous: number, min: number, language: string): string | null {
  if (!isShown(current, min) || !isShown(previous, min)) return null;
  const d = current - previous;
  return d > 0 ? `+${number(d, language)}` : d < 0 ? `−${number(-d, language)}` : "±0";
}

/** `part` of `whole` as a percentage, only when both are shown; else null. */
export function percentText(part: number, whole: number, min: number, language: string): string | null {
  if (!isShown(part, min) || !isShown(whole, min) || whole === 0) return null;
  return new Intl.NumberFormat(locale(language), { style: "percent", maximumFractionDigits: 0 }).format(part / whole);
}

// The fields of an instant on a time zone's clocks.
function clockOf(at: Date, timeZone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { hour: get("hour"), minute: get("minute") };
}

/** "7 Dec" (with the year when asked), on the zone's clocks. */
export function dayText(at: Date, timeZone: string, language: string, withYear = false): string {
  return new Intl.DateTimeFormat(locale(language), { timeZone, day: "numeric", month: "short", ...(withYear ? { year: "numeric" } : {}) }).format(at);
}

/** "7 Dec 14:02" on the zone's clocks. */
export function dayTimeText(at: Date, timeZone: string, language: string): string {
  const { hour, minute } = clockOf(at, timeZone);
  return `${dayText(at, timeZone, language)} ${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

/** "Tue 9 Dec 18:00" on the zone's clocks (a meeting). */
export function meetingTimeText(at: Date, timeZone: string, language: string): string {
  const weekday = new Intl.DateTimeFormat(locale(language), { timeZone, weekday: "short" }).format(at);
  return `${weekday} ${dayTimeText(at, timeZone, language)}`;
}

/**
 * A period [from, to) as its two ends: whole days as days ("1 Dec", "7 Dec", the day `to` is the
 * midnight after), else with the times.
 */
export function periodEnds(from: Date, to: Date, timeZone: string, language: string, withYear = false): { from: string; to: string } {
  const midnight = (d: Date) => {
    const c = clockOf(d, timeZone);
    return c.hour === 0 && c.minute === 0;
  };
  if (midnight(from) && midnight(to)) {
    const last = new Date(to.getTime() - 1);
    return { from: dayText(from, timeZone, language), to: dayText(last, timeZone, language, withYear) };
  }
  return { from: dayTimeText(from, timeZone, language), to: dayTimeText(to, timeZone, language) + (withYear ? ` ${new Intl.DateTimeFormat("en", { timeZone, year: "numeric" }).format(to)}` : "") };
}

/** A language's name in the working language ("Arabic", "arabo"), or its code. */
export function languageName(code: string, language: string): string {
  try {
    const name = new Intl.DisplayNames([locale(language)], { type: "language", fallback: "none" }).of(code);
    return name ?? code;
  } catch {
    return code;
  }
}

// ─── Feedback excerpts ───────────────────────────────────────────────────────────────────────────

/** The longest excerpt, before its ellipsis. */
export const EXCERPT_CHARS = 200;

// A person giving their own name, in the project's languages: the words after it are masked.
const NAME_INTRO = [
  "my name is", "my name's", "i am called", "i'm called",
  "mi chiamo", "il mio nome è", "il mio nome e'",
  "je m'appelle", "je m’appelle", "mon nom est",
  "мене звати", "мене звуть", "меня зовут", "моє ім'я", "моє ім’я",
  "اسمي", "إسمي", "اسم من", "نام من",
  "ስመይ", "ሽመይ",
].map((p) =>
  // Any letter case ("My name is", "MY NAME IS"): spelled out, since the name after it must keep its capital.
  [...p].map((c) => (c === " " ? "\\s+" : c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join(""),
);
// The phrase, then one word, and up to two more that look like a name's (a capital, or a script without capitals).
const NAME = new RegExp(`(?<![\\p{L}])(${NAME_INTRO.join("|")})(\\s*[:,-]?\\s*)[\\p{L}\\p{M}'’-]+(?:\\s+(?:\\p{Lu}|\\p{Lo})[\\p{L}\\p{M}'’-]*){0,2}`, "gu");

/** A name a person gave for themselves ("my name is Amira Haddad") masked. A guard, not a guarantee. */
export function maskNames(text: string): string {
  return text.replace(NAME, (_m, intro: string, gap: string) => `${intro}${gap || " "}[name]`);
}

/**
 * What a task force is shown of a piece of feedback: one line, phone numbers and e-mail or chat
 * addresses masked as in the logs (`redact`), a name the person gave masked, at most 200 characters
 * (cut at a word, then "…"). Null when there is no text.
 */
export function excerptOf(text: string | null): string | null {
  if (text === null) return null;
  const line = maskNames(redact(text.replace(/\s+/g, " ").trim()));
  if (line.length === 0) return null;
  if ([...line].length <= EXCERPT_CHARS) return line;
  const cut = [...line].slice(0, EXCERPT_CHARS).join("");
  const atWord = cut.replace(/\s+\S*$/u, "");
  return `${atWord.length > EXCERPT_CHARS / 2 ? atWord : cut}…`;
}

/** Text for Slack's mrkdwn: `&`, `<` and `>` escaped, so nothing a person wrote mentions or links anyone. */
export const mrkdwn = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Text cut to `max` characters with "…" (Slack's limits). */
export function cutTo(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

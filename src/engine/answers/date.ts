import type { z } from "zod";
import type { DateAnswer } from "../definition/answer-spec.ts";
import { typed } from "./options.ts";
import { invalid, ok, type AnswerEnv, type Parsed, type Said } from "./types.ts";

const RELATIVE: Array<[key: string, days: number]> = [
  ["parse:dates.today", 0],
  ["parse:dates.yesterday", -1],
  ["parse:dates.tomorrow", 1],
  ["parse:dates.day_before_yesterday", -2],
  ["parse:dates.day_after_tomorrow", 2],
];

/** A calendar date: "today" and friends in the person's language, 21/3/2024, 21.03.24, 2024-03-21, "21 March 2024", "21 marzo". */
export function parseDate(spec: z.infer<typeof DateAnswer>, said: Said, env: AnswerEnv): Parsed {
  const hint = invalid(spec.past ? "hints:date_past" : spec.future ? "hints:date_future" : "hints:date");
  if (said.type !== "text") return hint;
  const date = readDate(typed(said.text), env);
  if (!date) return hint;
  if (spec.past && date > env.today) return hint;
  if (spec.future && date < env.today) return hint;
  return ok({ kind: "date", date });
}

/** A date in normalized text as YYYY-MM-DD, or undefined. Day before month, as written across Europe. */
export function readDate(text: string, env: AnswerEnv): string | undefined {
  for (const [key, days] of RELATIVE) if (env.reader.is(key, text)) return addDays(env.today, days);
  const thisYear = Number(env.today.slice(0, 4));
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (m) return make(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[-/. ](\d{1,2})(?:[-/. ](\d{2}|\d{4}))?$/.exec(text);
  if (m) return make(fullYear(m[3], thisYear), Number(m[2]), Number(m[1]));
  // Words: "21 march 2024", "march 21, 2024", "21 marzo", "21 de marzo de 2024".
  let words = text.replace(/,/g, " ").split(/\s+/).filter((w) => !env.reader.is("parse:dates.filler", w));
  // Some month names are two words (Levantine "كانون الثاني", "تشرين الأول"): join them first.
  for (let i = 0; i + 1 < words.length; i++) {
    const pair = `${words[i]} ${words[i + 1]}`;
    if (monthOf(pair, env) !== undefined) words = [...words.slice(0, i), pair, ...words.slice(i + 2)];
  }
  const month = words.findIndex((w) => monthOf(w, env) !== undefined);
  if (month < 0) return undefined;
  const numbers = words.filter((_, i) => i !== month);
  if (numbers.length < 1 || numbers.length > 2 || !numbers.every((w) => /^\d+$/.test(w))) return undefined;
  const [a, b] = numbers.map(Number) as [number, number | undefined];
  const [day, year] = a > 31 && b !== undefined ? [b, a] : [a, b];
  return make(year === undefined ? thisYear : fullYear(String(year), thisYear), monthOf(words[month] as string, env) as number, day);
}

function monthOf(word: string, env: AnswerEnv): number | undefined {
  for (let m = 1; m <= 12; m++) if (env.reader.is(`parse:months.${m}`, word)) return m;
  return undefined;
}

function fullYear(y: string | undefined, thisYear: number): number {
  if (y === undefined) return thisYear;
  if (y.length === 4) return Number(y);
  // Two digits: the most recent year ending so, unless that is more than a year ahead (birth dates are past).
  const n = 2000 + Number(y);
  return n > thisYear + 1 ? n - 100 : n;
}

function make(year: number, month: number, day: number): string | undefined {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return d.toISOString().slice(0, 10);
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// Building an Intl.DateTimeFormat costs ~100 µs: one per time zone, made once.
const formats = new Map<string, Intl.DateTimeFormat>();

/** Today's date in a time zone, YYYY-MM-DD. */
export function dateIn(now: Date, timeZone: string): string {
  let format = formats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    formats.set(timeZone, format);
  }
  return format.format(now);
}

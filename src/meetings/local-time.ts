// Wall-clock times in a territory's time zone ("2027-03-28 10:00" in Europe/Rome) and the instants
// they stand for, with the zone rules Node ships (Intl): no time-zone library needed.

const LOCAL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/;
const DAY_MS = 86_400_000;

/** The shape a coordinator writes a time in, for messages. */
export const LOCAL_TIME_FORMAT = "YYYY-MM-DD HH:MM";

/** Why a local time can't be turned into an instant. */
export type LocalTimeProblem = "malformed" | "no-such-date" | "skipped";

/**
 * The instant a wall-clock "YYYY-MM-DD HH:MM" stands for in `timeZone`, or why there is none: not in
 * that shape, a date that doesn't exist (2027-02-30), or a time the clocks skip when summer time
 * starts (02:30 on 2027-03-28 in Rome). A time that happens twice (when it ends) is the first one.
 */
export function instantOfLocalTime(local: string, timeZone: string): Date | LocalTimeProblem {
  const m = LOCAL.exec(local.trim());
  if (!m) return "malformed";
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) {
    return "no-such-date";
  }
  // The zone's offset a day before and a day after covers both sides of any one change of the clocks.
  const offsets = new Set([offsetAt(wall - DAY_MS, timeZone), offsetAt(wall + DAY_MS, timeZone)]);
  const fits = [...offsets].map((o) => wall - o).filter((t) => wallClockOf(t, timeZone) === wall).sort((a, b) => a - b);
  return fits.length > 0 ? new Date(fits[0] as number) : "skipped";
}

/** An instant as "YYYY-MM-DD HH:MM" on the clocks of `timeZone`. */
export function localTimeOf(instant: Date, timeZone: string): string {
  return new Date(wallClockOf(instant.getTime(), timeZone)).toISOString().slice(0, 16).replace("T", " ");
}

/** The wall clock of `timeZone` at an instant, as milliseconds of a UTC date with the same fields. */
function wallClockOf(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, Number(p.value)]),
  ) as Record<string, number>;
  return Date.UTC(parts.year as number, (parts.month as number) - 1, parts.day, parts.hour, parts.minute, parts.second) + (instant % 1000 + 1000) % 1000;
}

/** How far `timeZone`'s clocks are ahead of UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  return wallClockOf(instant, timeZone) - instant;
}

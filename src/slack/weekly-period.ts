// Which week a weekly digest covers, on a territory's clocks.
import type { DigestMoment } from "../config/slack.ts";
import { instantOfLocalTime, localTimeOf } from "../meetings/local-time.ts";

/**
 * The latest weekly period that has ended by `now`: it ends at the last `at` (a weekday and time on the
 * clocks of `timeZone`) at or before now, and starts a week of that zone's days before.
 */
export function weeklyPeriod(now: Date, at: DigestMoment, timeZone: string): { from: Date; to: Date } {
  const today = localTimeOf(now, timeZone).slice(0, 10);
  const weekday = new Date(`${today}T00:00:00Z`).getUTCDay();
  const clock = `${String(at.hour).padStart(2, "0")}:${String(at.minute).padStart(2, "0")}`;
  const dayShift = (days: number) => new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  const instant = (date: string): Date => {
    const t = instantOfLocalTime(`${date} ${clock}`, timeZone);
    // A time the clocks skip (summer time) is the hour after.
    return t instanceof Date ? t : new Date((instantOfLocalTime(`${date} ${String(at.hour + 1).padStart(2, "0")}:00`, timeZone) as Date).getTime());
  };
  let back = (weekday - at.day + 7) % 7;
  let to = instant(dayShift(-back));
  if (to > now) {
    back += 7;
    to = instant(dayShift(-back));
  }
  return { from: instant(dayShift(-back - 7)), to };
}

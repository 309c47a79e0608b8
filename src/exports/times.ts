// Times of an export on one time zone's clocks: as a Date whose UTC fields are that wall clock, which
// is how a spreadsheet cell holds a time (it has no zone).

const DAY = 86_400_000;
// A zone's offset changes at most on a quarter hour (real zones change on the hour or half hour).
const QUARTER_HOUR = 900_000;

/** Instants turned into wall-clock times of a time zone. */
export function wallClock(timeZone: string): (at: Date) => Date {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  // The offset at an instant of whole seconds.
  const offsetAt = (t: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)])) as Record<string, number>;
    return Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second) - t;
  };
  // Intl is slow next to a row: the offset is looked up once per UTC day when it is the same at both
  // ends of the day (nearly always), else once per quarter hour of that day.
  const days = new Map<number, number | null>();
  const quarters = new Map<number, number>();
  return (at) => {
    const t = at.getTime();
    const day = Math.floor(t / DAY);
    let whole = days.get(day);
    if (whole === undefined) {
      const [start, end] = [offsetAt(day * DAY), offsetAt((day + 1) * DAY - 1000)];
      days.set(day, (whole = start === end ? start : null));
    }
    if (whole !== null) return new Date(t + whole);
    const quarter = Math.floor(t / QUARTER_HOUR);
    let offset = quarters.get(quarter);
    if (offset === undefined) quarters.set(quarter, (offset = offsetAt(quarter * QUARTER_HOUR)));
    return new Date(t + offset);
  };
}

// Times of an export on one time zone's clocks: as a Date whose UTC fields are that wall clock, which
// is how a spreadsheet cell holds a time (it has no zone).

// A zone's offset changes at most on a quarter hour (real zones change on the hour or half hour), so
// it is looked up once per quarter hour of the instants met: Intl is slow next to a page of rows.
const QUARTER_HOUR = 900_000;

/** Instants turned into wall-clock times of a time zone. */
export function wallClock(timeZone: string): (at: Date) => Date {
  const format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const offsets = new Map<number, number>();
  const offsetAt = (t: number) => {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)])) as Record<string, number>;
    return Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second) - (t - (((t % 1000) + 1000) % 1000));
  };
  return (at) => {
    const t = at.getTime();
    const bucket = Math.floor(t / QUARTER_HOUR);
    let offset = offsets.get(bucket);
    if (offset === undefined) {
      offset = offsetAt(bucket * QUARTER_HOUR);
      if (offsets.size > 100_000) offsets.clear();
      offsets.set(bucket, offset);
    }
    return new Date(t + offset);
  };
}

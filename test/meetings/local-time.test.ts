// Times on a territory's clocks across the changes of summer time, as coordinators write them.
import { describe, expect, it } from "vitest";
import { instantOfLocalTime, localTimeOf } from "../../src/meetings/local-time.ts";

const rome = (local: string) => {
  const t = instantOfLocalTime(local, "Europe/Rome");
  return t instanceof Date ? t.toISOString() : t;
};

describe("local times in Europe/Rome", () => {
  it("winter is UTC+1 and summer UTC+2, changing on the last Sunday of March", () => {
    expect(rome("2027-03-28 01:59")).toBe("2027-03-28T00:59:00.000Z");
    expect(rome("2027-03-28 03:00")).toBe("2027-03-28T01:00:00.000Z");
    expect(rome("2027-03-28 10:00")).toBe("2027-03-28T08:00:00.000Z");
  });

  it("an hour the clocks skip doesn't exist; one they repeat is its first occurrence", () => {
    expect(rome("2027-03-28 02:30")).toBe("skipped");
    expect(rome("2027-10-31 02:30")).toBe("2027-10-31T00:30:00.000Z");
    expect(localTimeOf(new Date("2027-10-31T01:30:00Z"), "Europe/Rome")).toBe("2027-10-31 02:30");
  });

  it("refuses what is not a date and time in the shape YYYY-MM-DD HH:MM", () => {
    expect(rome("2027-02-29 10:00")).toBe("no-such-date");
    expect(rome("2027-03-28 24:00")).toBe("no-such-date");
    expect(rome("2027-3-28 10:00")).toBe("malformed");
    expect(rome("28/03/2027 10:00")).toBe("malformed");
  });

  it("reads the same way in another zone", () => {
    const t = instantOfLocalTime("2027-03-14 02:30", "America/New_York");
    expect(t).toBe("skipped");
    expect(localTimeOf(new Date("2027-07-01T13:15:00Z"), "America/New_York")).toBe("2027-07-01 09:15");
  });
});

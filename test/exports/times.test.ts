// Times of an export on the configured zone's clocks, across the day the clocks change.
import { describe, expect, it } from "vitest";
import { wallClock } from "../../src/exports/times.ts";

describe("wall-clock times of an export", () => {
  it("follows Rome's clocks on both sides of the change to summer time, and in winter", () => {
    const rome = wallClock("Europe/Rome");
    const at = (iso: string) => rome(new Date(iso)).toISOString();
    // Summer time begins on 28 March 2027 at 01:00 UTC (02:00 becomes 03:00).
    expect(at("2027-03-28T00:59:59Z")).toBe("2027-03-28T01:59:59.000Z");
    expect(at("2027-03-28T01:00:00Z")).toBe("2027-03-28T03:00:00.000Z");
    expect(at("2027-03-28T22:30:00.250Z")).toBe("2027-03-29T00:30:00.250Z");
    expect(at("2027-01-15T23:30:00Z")).toBe("2027-01-16T00:30:00.000Z");
    // Asked again (from its cache), the same.
    expect(at("2027-03-28T00:59:59Z")).toBe("2027-03-28T01:59:59.000Z");
  });

  it("leaves UTC as it is", () => {
    expect(wallClock("UTC")(new Date("2027-03-28T01:00:00Z")).toISOString()).toBe("2027-03-28T01:00:00.000Z");
  });
});

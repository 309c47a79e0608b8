// Which week a weekly digest covers: it ends at the last "monday 09:00" (or whatever is set) on the
// territory's clocks, summer time included.
import { describe, expect, it } from "vitest";
import { readSlackSettings } from "../../src/config/slack.ts";
import { weeklyPeriod } from "../../src/slack/weekly-period.ts";

const MONDAY_9 = { day: 1, hour: 9, minute: 0 };

describe("weekly digest period", () => {
  it("ends at the last Monday 09:00 in Rome and starts a week before", () => {
    // Wednesday 2027-03-17, 12:00 in Rome (UTC+1).
    const p = weeklyPeriod(new Date("2027-03-17T11:00:00Z"), MONDAY_9, "Europe/Rome");
    expect(p).toEqual({ from: new Date("2027-03-08T08:00:00Z"), to: new Date("2027-03-15T08:00:00Z") });
  });

  it("on Monday before 09:00 it is still last week's", () => {
    const p = weeklyPeriod(new Date("2027-03-22T07:59:00Z"), MONDAY_9, "Europe/Rome");
    expect(p.to).toEqual(new Date("2027-03-15T08:00:00Z"));
    expect(weeklyPeriod(new Date("2027-03-22T08:00:00Z"), MONDAY_9, "Europe/Rome").to).toEqual(new Date("2027-03-22T08:00:00Z"));
  });

  it("a week across the change to summer time is a week of the territory's days (167 hours)", () => {
    // Clocks go forward on Sunday 2027-03-28 in Rome: Monday 29 09:00 is 07:00 UTC.
    const p = weeklyPeriod(new Date("2027-03-29T10:00:00Z"), MONDAY_9, "Europe/Rome");
    expect(p).toEqual({ from: new Date("2027-03-22T08:00:00Z"), to: new Date("2027-03-29T07:00:00Z") });
  });

  it("reads INLOCO_DIGEST_AT and refuses what isn't a day and a time", () => {
    expect(readSlackSettings({ INLOCO_DIGEST_AT: "Friday 17:30" }).INLOCO_DIGEST_AT).toEqual({ day: 5, hour: 17, minute: 30 });
    expect(readSlackSettings({}).INLOCO_DIGEST_AT).toEqual(MONDAY_9);
    expect(() => readSlackSettings({ INLOCO_DIGEST_AT: "mon 9" })).toThrow(/INLOCO_DIGEST_AT: a day and a time like "monday 09:00"/);
    expect(() => readSlackSettings({ SLACK_BOT_TOKEN: "xoxb-1" })).toThrow(/SLACK_SIGNING_SECRET/);
  });
});

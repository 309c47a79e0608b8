import { z } from "zod";
import { readSettings } from "./env.ts";

const csv = z.string().transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x.length > 0));
const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

/** When the weekly digest goes out: a day of the week and a time, on each task force's territory's clocks. */
export interface DigestMoment {
  /** 0 = Sunday … 6 = Saturday. */
  day: number;
  hour: number;
  minute: number;
}

/** The Slack app's settings. Without SLACK_BOT_TOKEN there is no Slack app (digests can still be previewed). */
export const SlackSettings = z
  .object({
    SLACK_BOT_TOKEN: z.string().startsWith("xoxb-", "a bot token, xoxb-…").optional().describe("the app's bot token (OAuth & Permissions); turns the Slack app on"),
    SLACK_SIGNING_SECRET: z.string().min(8, "the app's signing secret (Basic Information)").optional().describe("verifies requests to /slack/events"),
    SLACK_APP_TOKEN: z.string().startsWith("xapp-", "an app-level token, xapp-…").optional().describe("Socket Mode: no public address needed"),
    SLACK_API_URL: z.url("a URL like https://slack.com/api/").optional().describe("Slack's Web API (a local fake in tests)"),
    INLOCO_SLACK_COORDINATORS: csv
      .pipe(z.array(z.string().regex(/^[UW][A-Z0-9]+$/, "Slack user ids like U0123ABCD")))
      .default([])
      .describe("Slack user ids who may broadcast and create meetings"),
    INLOCO_SLACK_COORDINATOR_GROUP: z
      .string()
      .regex(/^S[A-Z0-9]+$/, "a Slack user group id like S0123ABCD")
      .optional()
      .describe("a user group whose members are coordinators too"),
    INLOCO_DIGEST_AT: z
      .string()
      .trim()
      .toLowerCase()
      .regex(new RegExp(`^(${DAYS.join("|")}) ([01]\\d|2[0-3]):[0-5]\\d$`), "a day and a time like \"monday 09:00\"")
      .transform((s): DigestMoment => {
        const [day, time] = s.split(" ") as [string, string];
        const [hour, minute] = time.split(":").map(Number) as [number, number];
        return { day: DAYS.indexOf(day as (typeof DAYS)[number]), hour, minute };
      })
      .prefault("monday 09:00")
      .describe("when weekly digests go out, on each territory's clocks"),
    INLOCO_FEEDBACK_NOTICE_EVERY: z.coerce
      .number({ error: "seconds between two new-feedback notices to a task force, e.g. 600" })
      .int()
      .min(10)
      .default(600)
      .describe("seconds new feedback is gathered before one notice goes to its task force's channel"),
  })
  .superRefine((s, ctx) => {
    if (s.SLACK_BOT_TOKEN && !s.SLACK_SIGNING_SECRET && !s.SLACK_APP_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["SLACK_SIGNING_SECRET"], message: "needed with SLACK_BOT_TOKEN to verify Slack's requests (or set SLACK_APP_TOKEN for Socket Mode)" });
    }
  });
export type SlackSettings = z.infer<typeof SlackSettings>;

/** Slack settings from the environment. */
export function readSlackSettings(env: NodeJS.ProcessEnv = process.env): SlackSettings {
  return readSettings(SlackSettings, env);
}

// The Slack app as the process runs it: its services built over this process's database and texts.
import type { SlackSettings } from "../config/slack.ts";
import type { Log } from "../log/log.ts";
import { createSlackApp, type SlackApp } from "../slack/slack-app.ts";
import type { SlackServices } from "../slack/services.ts";
import type { StakeholderDatabase } from "./database.ts";
import type { Runtime } from "./runtime.ts";

/** The services the Slack app calls, over one database. */
export function slackServices(database: StakeholderDatabase, runtime: Runtime, minCount: number, now: () => Date = () => new Date()): SlackServices {
  const sql = database.db.sql;
  const languages = runtime.settings.INLOCO_LANGUAGES;
  const flows = runtime.flows.ids();
  return {
    sql,
    meetings: { prisma: database.db.prisma, languages, now },
    broadcasts: { sql, languages, flows, timeZone: runtime.settings.INLOCO_TIME_ZONE, now },
    feedback: { sql, now },
    digests: { sql, texts: runtime.texts, minCount, now },
    languages,
    flows,
    timeZone: runtime.settings.INLOCO_TIME_ZONE,
    now,
  };
}

/** The Slack app when SLACK_BOT_TOKEN is set, else undefined. */
export function slackAppFor(o: { settings: SlackSettings; database: StakeholderDatabase; runtime: Runtime; minCount: number; log: Log; receive: boolean; schedule: boolean }): SlackApp | undefined {
  if (!o.settings.SLACK_BOT_TOKEN) return undefined;
  return createSlackApp({ settings: o.settings, services: slackServices(o.database, o.runtime, o.minCount), log: o.log, receive: o.receive, schedule: o.schedule });
}

// Socket Mode, for an installation without a public address: with SLACK_APP_TOKEN the app opens a
// WebSocket through apps.connections.open (on the fake Slack) and answers commands sent over it; no
// HTTP route is mounted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSlackSettings } from "../../src/config/slack.ts";
import { silentLog } from "../../src/log/log.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { createSlackApp, type SlackApp } from "../../src/slack/slack-app.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { testContext } from "../support/engine.ts";
import { FakeSlack } from "./fake-slack.ts";

let db: TestDatabase;
let slack: FakeSlack;
let app: SlackApp;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
  slack = await FakeSlack.start();
  const engine = testContext();
  const now = () => new Date();
  const settings = readSlackSettings({ SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_APP_TOKEN: "xapp-test-token", SLACK_API_URL: slack.url, INLOCO_SLACK_COORDINATORS: "U0COORD" });
  app = createSlackApp({
    settings,
    services: {
      sql: db.sql,
      meetings: { prisma: db.prisma, languages: engine.languages, now },
      broadcasts: { sql: db.sql, languages: engine.languages, flows: ["needs"], timeZone: "Europe/Rome", now },
      feedback: { sql: db.sql, now },
      digests: { sql: db.sql, texts: engine.texts, minCount: 5, now },
      languages: engine.languages,
      flows: ["needs"],
      timeZone: "Europe/Rome",
      now,
    },
    log: silentLog,
    receive: true,
    schedule: false,
  });
  await app.start();
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
  await db?.drop();
});

describe("Socket Mode", () => {
  it("needs no signing secret and mounts no HTTP route", () => {
    expect(app.transport).toBe("socket");
    expect(app.route).toBeUndefined();
    expect(slack.callsOf("apps.connections.open")).toHaveLength(1);
  });

  it("answers /inloco over the socket, with the same permissions", { timeout: 30_000 }, async () => {
    const command = (text: string, user: string) =>
      slack.envelope("slash_commands", { command: "/inloco", text, user_id: user, channel_id: "C0VALSUSA", team_id: "T0INLOCO", trigger_id: "trig.1", response_url: slack.responseUrl(), api_app_id: "A0INLOCO" });
    expect(String((await command("help", "U0SOMEONE")).text)).toContain("/inloco digest");
    expect(String((await command("broadcast", "U0SOMEONE")).text)).toMatch(/^Sorry — only the project's coordinators/);
  });
});

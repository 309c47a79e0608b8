// The Slack app as task forces and coordinators use it: signed requests to /slack/events on the app's
// own HTTP server, the Web API answered by a local fake Slack (SLACK_API_URL), the real services on a
// real PostgreSQL, and newcomers on the real Telegram channel against a fake Bot API (the World).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpServer, type HttpServer } from "../../src/app/http.ts";
import { readSlackSettings } from "../../src/config/slack.ts";
import { createSlackApp, type SlackApp } from "../../src/slack/slack-app.ts";
import type { SlackServices } from "../../src/slack/services.ts";
import { findTaskForce } from "../../src/repos/task-forces.ts";
import { openWorld, type World } from "../broadcasts/world.ts";
import { createTestDatabase, type TestDatabase } from "../support/db.ts";
import { testContext } from "../support/engine.ts";
import { FakeSlack, postToApp, type SlackMessage } from "./fake-slack.ts";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const COORDINATOR = "U0COORD";
const MEMBER = "U0MEMBER"; // in Val di Susa's channel
const STRANGER = "U0STRANGER";
const CHANNEL = "C0VALSUSA";
const AR = 3001;
const EN = 3002;

let db: TestDatabase;
let w: World;
let slack: FakeSlack;
let app: SlackApp;
let http: HttpServer;
let url = "";
let services: SlackServices;

beforeAll(async () => {
  db = await createTestDatabase();
  // Tuesday 2027-03-23, 10:00 in Rome.
  w = await openWorld(db, { start: new Date("2027-03-23T09:00:00Z") });
  await w.newcomer(AR, "ar");
  await w.newcomer(EN, "en");
  // Val di Susa's task force works in Italian.
  await db.sql.query("UPDATE task_forces SET language = 'it' WHERE territory_id = 'valsusa'");
  slack = await FakeSlack.start({ members: { [CHANNEL]: [MEMBER, "U0BOT"] } });
  const engine = testContext();
  services = {
    sql: db.sql,
    meetings: w.meetings,
    broadcasts: w.broadcasts,
    feedback: { sql: db.sql, now: w.clock.now },
    digests: { sql: db.sql, texts: engine.texts, minCount: 5, now: w.clock.now },
    languages: engine.languages,
    flows: ["needs", "feedback"],
    timeZone: "Europe/Rome",
    now: w.clock.now,
  };
  const settings = readSlackSettings({ SLACK_BOT_TOKEN: "xoxb-test-token", SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: slack.url, INLOCO_SLACK_COORDINATORS: COORDINATOR });
  app = createSlackApp({ settings, services, log: (await import("../../src/log/log.ts")).silentLog, receive: true, schedule: false });
  http = await startHttpServer({ port: 0, host: "127.0.0.1" });
  if (app.route) http.mount(app.route.path, app.route.handle);
  const address = http.server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/slack/events`;
}, 90_000);

afterAll(async () => {
  await app?.stop();
  await http?.close();
  await slack?.close();
  await w?.close();
  await db?.drop();
});

/** A slash command as Slack posts it. */
const command = (text: string, user: string, channel = CHANNEL) =>
  postToApp(
    url,
    { command: { command: "/inloco", text, user_id: user, user_name: user.toLowerCase(), channel_id: channel, team_id: "T0INLOCO", trigger_id: `trig.${Math.random()}`, response_url: slack.responseUrl(), api_app_id: "A0INLOCO" } },
    { secret: SECRET },
  );

/** A button click on a message, as Slack posts it. */
const click = (user: string, message: SlackMessage, actionId: string, value: string) => {
  const block = message.blocks.find((b) => Array.isArray(b.elements) && (b.elements as Array<{ action_id?: string; value?: string }>).some((e) => e.action_id === actionId && e.value === value));
  return postToApp(
    url,
    {
      payload: {
        type: "block_actions",
        team: { id: "T0INLOCO" },
        api_app_id: "A0INLOCO",
        user: { id: user },
        trigger_id: `trig.${Math.random()}`,
        response_url: slack.responseUrl(),
        container: { type: "message", message_ts: message.ts, channel_id: message.channel },
        channel: { id: message.channel },
        message: { ts: message.ts, text: message.text, blocks: message.blocks },
        actions: [{ type: "button", action_id: actionId, block_id: block?.block_id ?? "x", value, action_ts: "1" }],
      },
    },
    { secret: SECRET },
  );
};

/** A modal submitted with these values (block id → action "v" or the given action → state). */
const submit = (user: string, callbackId: string, values: Record<string, Record<string, unknown>>, privateMetadata = "") =>
  postToApp(
    url,
    {
      payload: {
        type: "view_submission",
        team: { id: "T0INLOCO" },
        api_app_id: "A0INLOCO",
        user: { id: user },
        trigger_id: `trig.${Math.random()}`,
        view: { id: "V0SUBMIT", type: "modal", callback_id: callbackId, private_metadata: privateMetadata, state: { values } },
      },
    },
    { secret: SECRET },
  );

const contactOf = async (language: string) => (await db.sql.query<{ id: string }>("SELECT id FROM contacts WHERE language = $1", [language])).rows[0]?.id as string;

async function feedback(language: string, text: string, contactBack: boolean, minutesAgo: number): Promise<string> {
  const contact = await contactOf(language);
  const tf = await findTaskForce(db.sql, "valsusa");
  const { rows } = await db.sql.query<{ id: string }>(
    `INSERT INTO feedback (id, source_event_id, contact_id, text, category, language, territory_id, task_force_id, contact_back, created_at)
     VALUES (gen_random_uuid(), gen_random_uuid()::text, $1, $2, 'housing', $3, 'valsusa', $4, $5, $6) RETURNING id`,
    [contact, text, language, tf?.id, contactBack, new Date(w.clock.now().getTime() - minutesAgo * 60_000)],
  );
  return rows[0]?.id as string;
}

describe("requests to /slack/events", () => {
  it("answers a signed request, and 401 to a bad signature or a stale timestamp", async () => {
    expect((await command("help", MEMBER)).status).toBe(200);
    const forged = await postToApp(url, { command: { command: "/inloco", text: "help", user_id: MEMBER } }, { secret: SECRET, signature: "v0=deadbeef" });
    expect(forged.status).toBe(401);
    const stale = await postToApp(url, { command: { command: "/inloco", text: "help", user_id: MEMBER } }, { secret: SECRET, at: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    const otherSecret = await postToApp(url, { command: { command: "/inloco", text: "help", user_id: MEMBER } }, { secret: "not-the-app-secret" });
    expect(otherSecret.status).toBe(401);
  });

  it("/inloco help lists the subcommands", async () => {
    const r = await command("help", STRANGER);
    expect(JSON.parse(r.body).text).toMatch(/\/inloco digest.*\n.*\/inloco event.*\n.*\/inloco broadcast.*\n.*\/inloco status/s);
  });
});

describe("who may do what", () => {
  it("refuses a broadcast or a meeting to someone who is not a coordinator, politely, and opens nothing", async () => {
    const before = slack.callsOf("views.open").length;
    for (const sub of ["broadcast", "event", "status"]) {
      const r = await command(sub, MEMBER);
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ response_type: "ephemeral", text: expect.stringMatching(/^Sorry — only the project's coordinators/) });
    }
    expect(slack.callsOf("views.open").length).toBe(before);
  });
});

describe("feedback triage", () => {
  let notice: SlackMessage;
  let housing = "";
  let replyable = "";

  it("gathers new feedback into one notice in the task force's channel, each item with its buttons, no person named", async () => {
    housing = await feedback("en", "The reception centre in Susa has no heating, call me on +39 333 123 4567", false, 6);
    replyable = await feedback("ar", "لا أجد سكنًا في بوسولينو", true, 5);
    const tf = await findTaskForce(db.sql, "valsusa");
    // Slack refuses the first try (the app was removed from the channel, say): nothing is lost.
    slack.failNext("chat.postMessage", "not_in_channel");
    expect(await app.scheduler.notice(tf!, w.clock.now())).toBe(0);
    expect(slack.channelMessages(CHANNEL)).toHaveLength(0);
    expect((await db.sql.query("SELECT 1 FROM feedback WHERE noticed_at IS NULL")).rowCount).toBe(2);
    expect(await app.scheduler.notice(tf!, w.clock.now())).toBe(2);
    expect(await app.scheduler.notice(tf!, w.clock.now())).toBe(0); // shown once
    const posted = slack.channelMessages(CHANNEL);
    expect(posted).toHaveLength(1);
    notice = posted[0] as SlackMessage;
    const json = JSON.stringify(notice.blocks);
    expect(json).not.toContain("333 123 4567");
    expect(json).not.toContain(await contactOf("ar"));
    const actions = notice.blocks.filter((b) => b.type === "actions").map((b) => (b.elements as Array<{ action_id: string }>).map((e) => e.action_id));
    expect(actions).toEqual([
      ["triage_forwarded", "triage_resolved", "triage_not_for_us"],
      ["triage_forwarded", "triage_resolved", "triage_not_for_us", "triage_reply"],
    ]);
  });

  it("a channel member's click sets the status, edits the message to say who and when, and writes an audit row", async () => {
    const r = await click(MEMBER, notice, "triage_forwarded", housing);
    expect(r.status).toBe(200);
    await slack.until(() => notice.edits > 0);
    const row = (await db.sql.query<{ status: string; triaged_by: string }>("SELECT status::text, triaged_by FROM feedback WHERE id = $1", [housing])).rows[0];
    expect(row).toEqual({ status: "forwarded", triaged_by: `slack:${MEMBER}` });
    const outcome = notice.blocks.find((b) => JSON.stringify(b).includes(`<@${MEMBER}>`));
    expect(outcome?.type).toBe("context");
    // In the task force's working language (Val di Susa works in Italian), on its clock.
    expect(JSON.stringify(outcome)).toContain("Inoltrata da <@U0MEMBER> · 23 mar 10:00");
    expect(notice.blocks.some((b) => b.block_id === `triage:${housing}`)).toBe(false);
    expect(notice.blocks.some((b) => b.block_id === `triage:${replyable}`)).toBe(true);
    const audit = (await db.sql.query<{ actor: string; details: unknown }>("SELECT actor, details FROM audit_log WHERE action = 'feedback_triage' AND subject = $1", [housing])).rows;
    expect(audit).toEqual([{ actor: `slack:${MEMBER}`, details: { from: "new", to: "forwarded" } }]);
  });

  it("someone outside the channel is refused and nothing changes", async () => {
    const edits = notice.edits;
    await click(STRANGER, notice, "triage_resolved", replyable);
    await slack.until(() => slack.responses.find((x) => String(x.text).startsWith("Sorry — only members")));
    expect((await db.sql.query<{ status: string }>("SELECT status::text FROM feedback WHERE id = $1", [replyable])).rows[0]?.status).toBe("new");
    expect(notice.edits).toBe(edits);
  });

  it("Reply opens a modal at once, says the text goes as written, and refuses an empty reply inline", async () => {
    const opened = slack.callsOf("views.open").length;
    await click(MEMBER, notice, "triage_reply", replyable);
    const form = await slack.until(() => [...slack.views.values()].find((v) => v.view.callback_id === "feedback_reply"));
    expect(slack.callsOf("views.open").length).toBe(opened + 1);
    expect(JSON.stringify(form.view)).toMatch(/your text itself goes exactly as you write it/);
    expect(JSON.stringify(form.view)).toContain("Arabic");
    const empty = await submit(MEMBER, "feedback_reply", { reply: { text: { type: "plain_text_input", value: "  " } } }, String(form.view.private_metadata));
    expect(JSON.parse(empty.body)).toEqual({ response_action: "errors", errors: { reply: "write the reply" } });
  });

  it("a reply reaches the person through the bot, framed in their language", async () => {
    const form = [...slack.views.values()].find((v) => v.view.callback_id === "feedback_reply");
    const before = w.seen(AR).length;
    const r = await submit(MEMBER, "feedback_reply", { reply: { text: { type: "plain_text_input", value: "We found a room for you: come Thursday at 10" } } }, String(form?.view.private_metadata));
    expect(r.status).toBe(200);
    expect(r.body).toBe("");
    await w.settle();
    const got = w.seen(AR).slice(before).map((m) => m.text);
    expect(got).toHaveLength(1);
    expect(got[0]).toContain("ردّ من");
    expect(got[0]).toContain("We found a room for you: come Thursday at 10");
    expect(w.seen(EN).some((m) => m.text.includes("We found a room"))).toBe(false);
    const audit = (await db.sql.query<{ details: Record<string, unknown> }>("SELECT details FROM audit_log WHERE action = 'feedback_reply' AND subject = $1", [replyable])).rows;
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]?.details)).not.toContain("room");
  });
});

describe("digests on demand", () => {
  it("/inloco digest in a task force's channel posts its digest there, the chart uploaded in the thread, waiting out a 429", async () => {
    // Someone started the needs survey this week: there is a chart to draw.
    await db.sql.query("INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at) VALUES ('run-slack-1', $1, 'needs', '1', 'in_progress', $2)", [
      await contactOf("ar"),
      new Date(w.clock.now().getTime() - 86_400_000),
    ]);
    const before = slack.channelMessages(CHANNEL).length;
    const calls = slack.calls.length;
    slack.rateLimit("chat.postMessage", 1, 1);
    const r = await command("digest", MEMBER);
    expect(JSON.parse(r.body)).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("Making the digest of Task force Val di Susa") });
    await slack.until(() => slack.responses.find((x) => String(x.text).startsWith("Posted in <#C0VALSUSA>")), 30_000);
    const posted = slack.channelMessages(CHANNEL).slice(before);
    expect(posted).toHaveLength(1);
    const digest = posted[0] as SlackMessage;
    expect(digest.blocks.length).toBeLessThanOrEqual(50);
    expect(digest.metadata?.event_type).toBe("inloco_digest");
    // The 429 was waited out (Retry-After: 1 s) and the message posted once.
    const tries = slack.calls.slice(calls).filter((c) => c.method === "chat.postMessage" && c.args.channel === CHANNEL);
    expect(tries).toHaveLength(2);
    expect((tries[1] as { at: number }).at - (tries[0] as { at: number }).at).toBeGreaterThanOrEqual(950);
    // files.uploadV2: ask for a URL, upload the bytes there, complete it into the digest's thread.
    const upload = slack.calls.slice(calls).map((c) => c.method).filter((m) => m.startsWith("files."));
    expect(upload).toEqual(["files.getUploadURLExternal", "files.completeUploadExternal"]);
    const file = [...slack.files.values()].find((f) => f.thread_ts === digest.ts);
    expect(file).toMatchObject({ channel: CHANNEL, completed: true });
    expect(file?.bytes.subarray(1, 4).toString()).toBe("PNG");
  });

  it("someone outside a task force's channel can't have its digest posted", async () => {
    const r = await command("digest valsusa", STRANGER, "C0ELSEWHERE");
    expect(JSON.parse(r.body).text).toMatch(/^Sorry — only members/);
  });
});

describe("the coordinator console", () => {
  it("/inloco event opens a modal at once and fills it; a bad field comes back inline; a good one creates the meeting", async () => {
    const opened = slack.callsOf("views.open").length;
    const r = await command("event", COORDINATOR);
    expect(r.status).toBe(200);
    const form = await slack.until(() => [...slack.views.values()].find((v) => v.view.callback_id === "meeting_create"));
    expect(slack.callsOf("views.open").length).toBe(opened + 1);
    // Opened as "loading", then filled by views.update.
    expect(slack.callsOf("views.open").at(-1)?.args.view).toMatchObject({ callback_id: "loading" });
    expect(form.how).toBe("views.update");
    const good = {
      title_en: { v: { type: "plain_text_input", value: "Task force on housing" } },
      date: { v: { type: "datepicker", selected_date: "2027-03-30" } },
      starts: { v: { type: "timepicker", selected_time: "18:00" } },
      place: { v: { type: "plain_text_input", value: "Municipio, Susa" } },
      territory: { v: { type: "static_select", selected_option: { value: "valsusa" } } },
      capacity: { v: { type: "number_input", value: "20" } },
    };
    const bad = await submit(COORDINATOR, "meeting_create", { ...good, starts: { v: { type: "timepicker", selected_time: "18:00" } }, date: { v: { type: "datepicker", selected_date: "2027-02-30" } } });
    const errors = JSON.parse(bad.body) as { response_action: string; errors: Record<string, string> };
    expect(errors.response_action).toBe("errors");
    expect(Object.keys(errors.errors)).toEqual(["starts"]);
    expect(await db.prisma.event.count({ where: { place: "Municipio, Susa" } })).toBe(0);
    const ok = await submit(COORDINATOR, "meeting_create", good);
    expect(ok.status).toBe(200);
    const meeting = await db.prisma.event.findFirst({ where: { place: "Municipio, Susa" } });
    expect(meeting).toMatchObject({ territoryId: "valsusa", capacity: 20, title: { en: "Task force on housing" } });
  });

  it("/inloco broadcast: the form, the preview counts, then Send sends it to the newcomers", async () => {
    await command("broadcast", COORDINATOR);
    await slack.until(() => [...slack.views.values()].find((v) => v.view.callback_id === "broadcast_create"));
    const empty = await submit(COORDINATOR, "broadcast_create", {});
    expect(JSON.parse(empty.body)).toMatchObject({ response_action: "errors", errors: { text_en: expect.stringMatching(/say what to send/) } });
    const r = await submit(COORDINATOR, "broadcast_create", {
      territories: { v: { type: "multi_static_select", selected_options: [{ value: "valsusa" }] } },
      text_en: { v: { type: "plain_text_input", value: "The Italian course opens Monday at 10" } },
    });
    const preview = JSON.parse(r.body) as { response_action: string; view: { callback_id: string; private_metadata: string; blocks: unknown[] } };
    expect(preview.response_action).toBe("update");
    expect(preview.view.callback_id).toBe("broadcast_confirm");
    const said = JSON.stringify(preview.view.blocks);
    expect(said).toContain("*2* people would get");
    expect(said).toMatch(/No text in ar \(1\)/);
    const before = w.seen(EN).length;
    const sent = await submit(COORDINATOR, "broadcast_confirm", {}, preview.view.private_metadata);
    expect(sent.status).toBe(200);
    await w.settle();
    expect(w.seen(EN).slice(before).map((m) => m.text)).toEqual(["The Italian course opens Monday at 10"]);
  });

  it("/inloco status lists what is running with pause and cancel; a click pauses it", async () => {
    const { createBroadcast, confirmBroadcast } = await import("../../src/broadcasts/index.ts");
    const later = new Date(w.clock.now().getTime() + 3 * 86_400_000);
    const { broadcast } = await createBroadcast(w.broadcasts, { texts: { en: "Later" }, at: later.toISOString(), createdBy: "cli:test" });
    await confirmBroadcast(w.broadcasts, broadcast.id, "cli:test");
    const r = await command("status", COORDINATOR);
    expect(r.status).toBe(200);
    const status = await slack.until(() => slack.responses.find((x) => JSON.stringify(x.blocks ?? []).includes(`broadcast:${broadcast.id}`)));
    const message = { channel: CHANNEL, ts: "1.1", text: String(status.text), blocks: status.blocks as SlackMessage["blocks"], edits: 0 };
    await click(COORDINATOR, message, "broadcast_pause", broadcast.id);
    const statusOf = async () => (await db.sql.query<{ status: string }>("SELECT status::text FROM broadcasts WHERE id = $1", [broadcast.id])).rows[0]?.status;
    for (let i = 0; i < 200 && (await statusOf()) !== "paused"; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await statusOf()).toBe("paused");
    // The list is drawn again, now offering Resume.
    await slack.until(() => slack.responses.find((x) => x.replace_original === true && JSON.stringify(x.blocks ?? []).includes("broadcast_resume")));
  });

  it("App Home shows coordinators the coming meetings and broadcasts, and others a polite page", async () => {
    await postToApp(url, { event: { type: "app_home_opened", user: COORDINATOR, channel: "D0HOME", tab: "home" } }, { secret: SECRET });
    const home = await slack.until(() => [...slack.views.values()].find((v) => v.how === "views.publish" && v.user === COORDINATOR));
    const text = JSON.stringify(home.view.blocks);
    expect(text).toContain("Coming meetings");
    expect(text).toContain("Task force on housing");
    expect(text).toContain("Later");
    await postToApp(url, { event: { type: "app_home_opened", user: STRANGER, channel: "D0HOME2", tab: "home" } }, { secret: SECRET });
    const other = await slack.until(() => [...slack.views.values()].find((v) => v.how === "views.publish" && v.user === STRANGER));
    expect(JSON.stringify(other.view.blocks)).not.toContain("Coming meetings");
  });
});

// Last: it erases the Arabic speaker the tests above talk to.
describe("erasure", () => {

  it("erasing the person takes the reply's text with them", async () => {
    const { eraseContact } = await import("../../src/repos/erase.ts");
    const contact = await contactOf("ar");
    const replies = async () => (await db.sql.query("SELECT 1 FROM broadcasts WHERE kind = 'feedback_reply' AND messages::text LIKE '%found a room%'")).rowCount;
    expect(await replies()).toBe(1);
    await db.sql.transaction((tx) => eraseContact(tx, contact, "cli:test"));
    expect(await replies()).toBe(0);
  });
});

// `/inloco broadcast`: a modal to choose who (territories, languages, channels, seen lately), what
// (a message per language, a meeting's invitation, or a survey) and when (a time, an expiry). Its
// submission makes a draft and shows the preview counts; only "Send" there confirms it, and closing
// the preview cancels the draft.
import type { App, ViewClosedAction, ViewSubmitAction } from "@slack/bolt";
import type { KnownBlock, View } from "@slack/types";
import { BroadcastInputError, cancelBroadcast, confirmBroadcast, createBroadcast, type Preview } from "../broadcasts/index.ts";
import { listMeetings } from "../meetings/index.ts";
import { listTerritories } from "../repos/territories.ts";
import type { Log } from "../log/log.ts";
import { REFUSALS, type Permissions } from "./permissions.ts";
import type { SlackServices } from "./services.ts";
import { context, formValues, header, modal, option, plain, section } from "./views.ts";

const CHANNELS = ["telegram", "whatsapp"] as const;

/** The new-broadcast modal. */
export async function broadcastForm(services: SlackServices): Promise<View> {
  const [territories, meetings] = await Promise.all([listTerritories(services.sql), listMeetings(services.meetings)]);
  const input = (blockId: string, label: string, element: Record<string, unknown>, hint?: string): KnownBlock =>
    ({ type: "input", block_id: blockId, label: plain(label), optional: true, element: { action_id: "v", ...element }, ...(hint ? { hint: plain(hint) } : {}) }) as KnownBlock;
  const scheduled = meetings.filter((m) => m.status === "scheduled");
  return modal({
    callbackId: "broadcast_create",
    title: "New broadcast",
    submit: "Preview",
    blocks: [
      header("Who"),
      input("territories", "Territories", { type: "multi_static_select", options: territories.map((t) => option(t.name, t.id)) }, "None chosen: every territory"),
      input("languages", "Languages", { type: "multi_static_select", options: services.languages.map((l) => option(l, l)) }, "None chosen: every language"),
      input("channels", "Channels", { type: "multi_static_select", options: CHANNELS.map((c) => option(c, c)) }, "None chosen: both"),
      input("seenWithinDays", "Seen within (days)", { type: "number_input", is_decimal_allowed: false, min_value: "1" }),
      context("Only people who agreed and asked for news (contact preference “all”) are reached; never anyone who wrote STOP."),
      header("What — one of"),
      ...services.languages.map((l, i) =>
        input(`text_${l}`, `Message (${l})`, { type: "plain_text_input", multiline: true, max_length: 3500 }, i === 0 ? "People whose language has no message get the first one written" : undefined),
      ),
      input("meeting", "…or a meeting's invitation", { type: "static_select", options: scheduled.length > 0 ? scheduled.slice(0, 100).map((m) => option(`${m.title[m.baseLanguage] ?? "?"} — ${m.starts}`, m.id)) : [option("(no meeting coming)", "none")] }),
      input("flow", "…or a survey", { type: "static_select", options: services.flows.map((f) => option(f, f)) }),
      header("When"),
      input("at", "Send at", { type: "datetimepicker" }, "Empty: now (quiet hours on each person's clock still hold it)"),
      input("expires", "Expires at", { type: "datetimepicker" }, "What is unsent by then is dropped; a meeting's invitation expires when it starts"),
    ],
  });
}

/** Register the broadcast modal's two steps (make the draft, then confirm or cancel it). */
export function registerBroadcastForm(app: App, services: SlackServices, permissions: Permissions, log: Log): void {
  app.view<ViewSubmitAction>("broadcast_create", async ({ ack, view, body }) => {
    const first = `text_${services.languages[0] ?? "en"}`;
    if (!(await permissions.isCoordinator(body.user.id))) return void (await ack({ response_action: "errors", errors: { [first]: REFUSALS.coordinator } }));
    const v = formValues(view.state);
    const texts = Object.fromEntries(services.languages.flatMap((l) => (typeof v[`text_${l}`] === "string" && (v[`text_${l}`] as string).trim() ? [[l, v[`text_${l}`] as string]] : [])));
    const list = (k: string) => (Array.isArray(v[k]) ? (v[k] as string[]) : []);
    try {
      const { broadcast, preview } = await createBroadcast(services.broadcasts, {
        ...(Object.keys(texts).length > 0 ? { texts } : {}),
        ...(v.meeting && v.meeting !== "none" ? { meeting: v.meeting as string } : {}),
        ...(v.flow ? { flow: v.flow as string } : {}),
        territories: list("territories"),
        languages: list("languages"),
        channels: list("channels") as Array<(typeof CHANNELS)[number]>,
        ...(v.seenWithinDays ? { seenWithinDays: Number(v.seenWithinDays) } : {}),
        ...(v.at ? { at: v.at as string } : {}),
        ...(v.expires ? { expires: v.expires as string } : {}),
        createdBy: `slack:${body.user.id}`,
      });
      await ack({ response_action: "update", view: previewView(broadcast.id, broadcast.what, preview) });
    } catch (e) {
      if (!(e instanceof BroadcastInputError)) throw e;
      const errors: Record<string, string> = {};
      for (const p of e.problems) {
        const block = FIELD_BLOCKS[p.field] ?? first;
        errors[block] = errors[block] ? `${errors[block]}; ${p.message}` : p.message;
      }
      log.info(`slack: a broadcast form came back with ${e.problems.length} problem(s)`);
      await ack({ response_action: "errors", errors });
    }
  });

  // By type as well: Bolt matches a callback id alone for both submission and closing.
  app.view<ViewSubmitAction>({ callback_id: "broadcast_confirm", type: "view_submission" }, async ({ ack, view, body, client }) => {
    // Confirmed before the modal closes: what the coordinator sees closing has happened.
    const b = await confirmBroadcast(services.broadcasts, view.private_metadata, `slack:${body.user.id}`);
    await ack();
    await client.chat.postMessage({ channel: body.user.id, text: `Broadcast confirmed: ${b.at ? `it goes out at ${b.at.toISOString()}` : "it is going out now"}. Follow it with \`/inloco status\`.` });
  });

  app.view<ViewClosedAction>({ callback_id: "broadcast_confirm", type: "view_closed" }, async ({ ack, view, body }) => {
    await ack();
    await cancelBroadcast(services.broadcasts, view.private_metadata, `slack:${body.user.id}`).catch(() => undefined);
  });
}

/** The preview: how many people, by language and channel, and who gets the base language. */
export function previewView(id: string, what: string, p: Preview): View {
  const lines = [
    `*${p.total}* ${p.total === 1 ? "person" : "people"} would get: _${what.slice(0, 300)}_`,
    p.byLanguage.length > 0 ? `By language: ${p.byLanguage.map((l) => `${l.language} ${l.people}`).join(" · ")}` : "",
    p.byChannel.length > 0 ? `By channel: ${p.byChannel.map((c) => `${c.channel} ${c.people}`).join(" · ")}` : "",
    p.missing.length > 0 ? `:warning: No text in ${p.missing.map((m) => `${m.language} (${m.people})`).join(", ")}: they get the base language.` : "",
  ].filter(Boolean);
  return modal({
    callbackId: "broadcast_confirm",
    title: "Send it?",
    submit: "Send",
    close: "Cancel",
    metadata: id,
    notifyOnClose: true,
    blocks: [section(lines.join("\n")), context("Nothing has gone out yet. *Send* confirms it; *Cancel* drops this draft.")],
  });
}

// The broadcasts service's fields, as the form's blocks.
const FIELD_BLOCKS: Record<string, string> = { territories: "territories", languages: "languages", channels: "channels", meeting: "meeting", flow: "flow", at: "at", expires: "expires" };

// `/inloco event`: a modal to create a task-force meeting (titles per language, date and time pickers,
// place, territory, task force, capacity). What the meetings service refuses shows at its field.
import type { App, ViewSubmitAction } from "@slack/bolt";
import type { KnownBlock, View } from "@slack/types";
import { createMeeting, MeetingInputError } from "../meetings/index.ts";
import { listTaskForces } from "../repos/task-forces.ts";
import { listTerritories } from "../repos/territories.ts";
import type { Log } from "../log/log.ts";
import { REFUSALS, type Permissions } from "./permissions.ts";
import type { SlackServices } from "./services.ts";
import { context, formValues, modal, option, plain } from "./views.ts";

/** The new-meeting modal. */
export async function meetingForm(services: SlackServices): Promise<View> {
  const [territories, forces] = await Promise.all([listTerritories(services.sql), listTaskForces(services.sql)]);
  const input = (blockId: string, label: string, element: Record<string, unknown>, optional = false, hint?: string): KnownBlock =>
    ({ type: "input", block_id: blockId, label: plain(label), optional, element: { action_id: "v", ...element }, ...(hint ? { hint: plain(hint) } : {}) }) as KnownBlock;
  return modal({
    callbackId: "meeting_create",
    title: "New meeting",
    submit: "Create",
    blocks: [
      ...services.languages.map((l, i) =>
        input(`title_${l}`, `Title (${l})`, { type: "plain_text_input", max_length: 150 }, i > 0, i === 0 ? "The first title given is the one people without their language see" : undefined),
      ),
      input("date", "Date", { type: "datepicker" }),
      input("starts", "Starts at", { type: "timepicker" }),
      input("ends", "Ends at", { type: "timepicker" }, true),
      input("place", "Place", { type: "plain_text_input", max_length: 300, placeholder: plain("Biblioteca civica, Via Roma 12, Susa") }),
      input("territory", "Territory", { type: "static_select", options: territories.map((t) => option(t.name, t.id)) }),
      input("taskForce", "Task force", { type: "static_select", options: forces.map((f) => option(`${f.name} (${f.territory_name})`, f.id)) }, true),
      input("capacity", "Capacity", { type: "number_input", is_decimal_allowed: false, min_value: "1" }, true, "How many can come; empty: no limit"),
      context("Times are on the territory's clocks. The meeting is not announced yet: use `/inloco broadcast` for its invitation."),
    ],
  });
}

/** Register the new-meeting modal's submission. */
export function registerMeetingForm(app: App, services: SlackServices, permissions: Permissions, log: Log): void {
  app.view<ViewSubmitAction>("meeting_create", async ({ ack, view, body, client }) => {
    if (!(await permissions.isCoordinator(body.user.id))) return void (await ack({ response_action: "errors", errors: { [firstTitle(services)]: REFUSALS.coordinator } }));
    const v = formValues(view.state);
    const title = Object.fromEntries(services.languages.flatMap((l) => (typeof v[`title_${l}`] === "string" ? [[l, v[`title_${l}`] as string]] : [])));
    const date = v.date as string | undefined;
    try {
      const meeting = await createMeeting(services.meetings, {
        territory: (v.territory as string | undefined) ?? "",
        title,
        starts: `${date ?? ""} ${(v.starts as string | undefined) ?? ""}`,
        ...(v.ends ? { ends: `${date ?? ""} ${v.ends as string}` } : {}),
        place: (v.place as string | undefined) ?? "",
        ...(v.taskForce ? { taskForce: v.taskForce as string } : {}),
        ...(v.capacity ? { capacity: Number(v.capacity) } : {}),
      });
      await ack();
      await client.chat.postMessage({
        channel: body.user.id,
        text: `Meeting created: ${meeting.title[meeting.baseLanguage] ?? ""}, ${meeting.starts} (${meeting.timeZone}) at ${meeting.place}. Invite people with \`/inloco broadcast\` (choose the meeting).`,
      });
    } catch (e) {
      if (!(e instanceof MeetingInputError)) throw e;
      const errors: Record<string, string> = {};
      for (const p of e.problems) {
        const block = FIELD_BLOCKS[p.field] ?? (p.field === "title" || p.field === "baseLanguage" ? firstTitle(services) : "place");
        errors[block] = errors[block] ? `${errors[block]}; ${p.message}` : p.message;
      }
      log.info(`slack: a meeting form came back with ${e.problems.length} problem(s)`);
      await ack({ response_action: "errors", errors });
    }
  });
}

// The meetings service's fields, as the form's blocks.
const FIELD_BLOCKS: Record<string, string> = { territory: "territory", starts: "starts", ends: "ends", place: "place", taskForce: "taskForce", capacity: "capacity" };
const firstTitle = (services: SlackServices) => `title_${services.languages[0] ?? "en"}`;

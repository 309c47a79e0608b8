// The coordinators' console: `/inloco digest|event|broadcast|status|help`. Each subcommand answers
// within Slack's 3 seconds (an acknowledgement, or a modal opened at once and filled after).
import type { App, SlashCommand } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import { findTaskForce, listTaskForces, taskForcesOfChannel } from "../repos/task-forces.ts";
import type { Log } from "../log/log.ts";
import { broadcastForm } from "./broadcast-form.ts";
import type { DigestPoster } from "./digest-poster.ts";
import { meetingForm } from "./meeting-form.ts";
import { REFUSALS, type Permissions } from "./permissions.ts";
import type { SlackServices } from "./services.ts";
import { statusMessage } from "./status.ts";
import { openThenFill } from "./views.ts";

export const HELP = [
  "*In Loco* — what you can ask here:",
  "• `/inloco digest [task force]` — post a task force's digest of the last 7 days now (default: this channel's task force)",
  "• `/inloco event` — create a task-force meeting (coordinators)",
  "• `/inloco broadcast` — send a message, a meeting's invitation or a survey to newcomers (coordinators)",
  "• `/inloco status` — running and scheduled broadcasts, with pause and cancel (coordinators)",
  "• `/inloco help` — this list",
  "Feedback buttons (Forwarded, Resolved, Not for us, Reply) work for the members of the task force's channel.",
].join("\n");

/** Register `/inloco` on `app`. */
export function registerConsole(app: App, services: SlackServices, permissions: Permissions, poster: DigestPoster, log: Log): void {
  app.command("/inloco", async ({ command, ack, client, respond }) => {
    const [sub = "help", ...rest] = command.text.trim().split(/\s+/).filter((w) => w.length > 0);
    const user = command.user_id;
    const coordinatorOnly = async (): Promise<boolean> => {
      if (await permissions.isCoordinator(user)) return true;
      await ack({ response_type: "ephemeral", text: REFUSALS.coordinator });
      return false;
    };
    switch (sub.toLowerCase()) {
      case "event":
        if (!(await coordinatorOnly())) return;
        await ack();
        return openThenFill(client, command.trigger_id, "New meeting", () => meetingForm(services));
      case "broadcast":
        if (!(await coordinatorOnly())) return;
        await ack();
        return openThenFill(client, command.trigger_id, "New broadcast", () => broadcastForm(services));
      case "status":
        if (!(await coordinatorOnly())) return;
        await ack();
        return void (await respond({ response_type: "ephemeral", ...(await statusMessage(services)) }));
      case "digest":
        return digest(command, rest.join(" "), { ack, client, respond }, services, permissions, poster, log);
      default:
        await ack({ response_type: "ephemeral", text: HELP });
    }
  });
}

async function digest(
  command: SlashCommand,
  which: string,
  io: { ack: (r?: { response_type: "ephemeral"; text: string }) => Promise<void>; client: WebClient; respond: (r: { response_type: "ephemeral"; text: string }) => Promise<unknown> },
  services: SlackServices,
  permissions: Permissions,
  poster: DigestPoster,
  log: Log,
): Promise<void> {
  const here = which ? [] : await taskForcesOfChannel(services.sql, command.channel_id);
  const taskForce = which ? await findTaskForce(services.sql, which) : here.length === 1 ? here[0] : undefined;
  if (!taskForce) {
    const known = (await listTaskForces(services.sql)).map((t) => `\`${t.name}\``).join(", ");
    const why = which ? `No task force "${which}".` : here.length > 1 ? "This channel has several task forces: say which." : "This channel is not a task force's.";
    return io.ack({ response_type: "ephemeral", text: `${why} Try \`/inloco digest <task force>\` with one of: ${known}.` });
  }
  if (!(await permissions.mayActIn(command.user_id, taskForce.slack_channel))) return io.ack({ response_type: "ephemeral", text: REFUSALS.member });
  if (!taskForce.slack_channel) {
    return io.ack({ response_type: "ephemeral", text: `${taskForce.name} has no Slack channel yet: \`inloco task-force set-channel "${taskForce.name}" <channel id>\`.` });
  }
  await io.ack({ response_type: "ephemeral", text: `Making the digest of ${taskForce.name}…` });
  try {
    const to = services.now();
    await poster.post(taskForce, { kind: "on_demand", from: new Date(to.getTime() - 7 * 86_400_000), to, requestedBy: `slack:${command.user_id}` });
    await io.respond({ response_type: "ephemeral", text: `Posted in <#${taskForce.slack_channel}>.` });
  } catch (e) {
    log.warn(`slack: an on-demand digest of task force ${taskForce.id} failed: ${(e as Error).message}`);
    await io.respond({ response_type: "ephemeral", text: `The digest could not be posted: ${(e as Error).message}` });
  }
}

// `/inloco status`: the running, scheduled and paused broadcasts with their progress, each with
// pause / resume / cancel buttons; a click acts and redraws the list.
import type { App, BlockButtonAction } from "@slack/bolt";
import type { KnownBlock } from "@slack/types";
import { broadcastProgress, cancelBroadcast, listBroadcasts, pauseBroadcast, resumeBroadcast, BroadcastStateError, type Progress } from "../broadcasts/index.ts";
import { REFUSALS, type Permissions } from "./permissions.ts";
import type { SlackServices } from "./services.ts";
import { context, plain, section } from "./views.ts";

const ACTIVE = new Set(["scheduled", "sending", "paused"]);
const ACTIONS = { broadcast_pause: pauseBroadcast, broadcast_resume: resumeBroadcast, broadcast_cancel: cancelBroadcast } as const;

/** The broadcasts still going, with progress and buttons (at most 15, within Slack's 50 blocks). */
export async function statusMessage(services: SlackServices): Promise<{ text: string; blocks: KnownBlock[] }> {
  const active = (await listBroadcasts(services.broadcasts)).filter((b) => ACTIVE.has(b.status));
  if (active.length === 0) return { text: "No broadcast is running or scheduled.", blocks: [section("No broadcast is running or scheduled.")] };
  const shown = active.slice(0, 15);
  const blocks: KnownBlock[] = [];
  for (const b of shown) {
    const p = await broadcastProgress(services.broadcasts, b.id);
    blocks.push(section(progressLine(p)));
    const buttons = [
      b.status === "paused" ? button("Resume", "broadcast_resume", b.id) : button("Pause", "broadcast_pause", b.id),
      { ...button("Cancel", "broadcast_cancel", b.id), style: "danger" as const, confirm: { title: plain("Cancel this broadcast?"), text: plain("What is unsent will not go out."), confirm: plain("Cancel it"), deny: plain("Keep it") } },
    ];
    blocks.push({ type: "actions", block_id: `broadcast:${b.id}`, elements: buttons });
  }
  if (active.length > shown.length) blocks.push(context(`… ${active.length - shown.length} more: \`inloco broadcast list\` shows them all.`));
  return { text: `${active.length} broadcast(s) running or scheduled`, blocks };
}

/** One broadcast's line: what, status, a bar, the counts. */
export function progressLine(p: Progress): string {
  const b = p.broadcast;
  const total = p.recipients ?? 0;
  const skipped = Object.values(p.skipped).reduce((a, n) => a + n, 0);
  const bar = total > 0 ? `${"▰".repeat(Math.round((10 * p.done) / total))}${"▱".repeat(10 - Math.round((10 * p.done) / total))} ${p.done}/${total}` : b.at ? `at ${b.at.toISOString().slice(0, 16).replace("T", " ")} UTC` : "starting";
  return `*${b.what.slice(0, 200)}* — _${b.status}_\n${bar} · sent ${p.sent} · failed ${p.failed} · blocked ${p.blocked} · skipped ${skipped}`;
}

const button = (text: string, actionId: string, value: string) => ({ type: "button" as const, text: plain(text, 75), action_id: actionId, value });

/** Register the status buttons. */
export function registerStatus(app: App, services: SlackServices, permissions: Permissions): void {
  app.action<BlockButtonAction>(/^broadcast_(pause|resume|cancel)$/, async ({ ack, body, action, respond }) => {
    await ack();
    if (!(await permissions.isCoordinator(body.user.id))) return void (await respond({ response_type: "ephemeral", replace_original: false, text: REFUSALS.coordinator }));
    const act = ACTIONS[action.action_id as keyof typeof ACTIONS];
    try {
      await act(services.broadcasts, action.value ?? "", `slack:${body.user.id}`);
    } catch (e) {
      if (!(e instanceof BroadcastStateError)) throw e;
      await respond({ response_type: "ephemeral", replace_original: false, text: e.message });
    }
    await respond({ response_type: "ephemeral", replace_original: true, ...(await statusMessage(services)) });
  });
}

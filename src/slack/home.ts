// The App Home tab: for coordinators, the coming meetings, the broadcasts running or scheduled, and
// this week's numbers; for everyone else, what the app is and where to find their task force's digests.
import type { App } from "@slack/bolt";
import type { KnownBlock, View } from "@slack/types";
import { listBroadcasts, broadcastProgress } from "../broadcasts/index.ts";
import { countText } from "../digests/index.ts";
import { listMeetings } from "../meetings/index.ts";
import { overview } from "../repos/overview.ts";
import type { Log } from "../log/log.ts";
import type { Permissions } from "./permissions.ts";
import type { SlackServices } from "./services.ts";
import { progressLine } from "./status.ts";
import { context, header, section } from "./views.ts";

/** The Home tab a user sees. */
export async function homeView(services: SlackServices, coordinator: boolean, minCount: number): Promise<View> {
  if (!coordinator) {
    return {
      type: "home",
      blocks: [
        header("In Loco"),
        section(
          "In Loco talks with newcomers on Telegram and WhatsApp, in their language, and brings what they need to the task forces.\n" +
            "Your task force's weekly digest and new feedback arrive in its channel. Type `/inloco help` to see what you can ask.",
        ),
      ],
    };
  }
  const now = services.now();
  const weekAgo = new Date(now.getTime() - 7 * 86_400_000);
  const [meetings, broadcasts, numbers] = await Promise.all([listMeetings(services.meetings), listBroadcasts(services.broadcasts), overview(services.sql, weekAgo, now)]);
  const shown = (n: number) => countText(n, minCount, "en");
  const blocks: KnownBlock[] = [header("This week (last 7 days)")];
  blocks.push(
    section(
      `People who wrote: *${shown(numbers.peopleSeen)}* (new: ${shown(numbers.newPeople)}) · surveys started: *${shown(numbers.surveysStarted)}*, completed: *${shown(numbers.surveysCompleted)}* · feedback: *${shown(numbers.feedback)}*`,
    ),
  );
  blocks.push(header("Coming meetings"));
  const coming = meetings.filter((m) => m.status === "scheduled").slice(0, 10);
  if (coming.length === 0) blocks.push(context("None. `/inloco event` creates one."));
  for (const m of coming) {
    const r = m.rsvps;
    blocks.push(
      section(
        `*${m.title[m.baseLanguage] ?? "?"}* — ${m.starts} (${m.territory.name})${m.capacity ? ` · ${m.capacity} places` : ""}\nyes ${shown(r.yes)} · maybe ${shown(r.maybe)} · no ${shown(r.no)}${r.waitlist ? ` · waiting ${shown(r.waitlist)}` : ""}`,
      ),
    );
  }
  blocks.push(header("Broadcasts running or scheduled"));
  const active = broadcasts.filter((b) => ["scheduled", "sending", "paused"].includes(b.status)).slice(0, 10);
  if (active.length === 0) blocks.push(context("None. `/inloco broadcast` sends one; `/inloco status` pauses or cancels."));
  for (const b of active) blocks.push(section(progressLine(await broadcastProgress(services.broadcasts, b.id))));
  blocks.push(context(`Updated ${now.toISOString().slice(0, 16).replace("T", " ")} UTC. Numbers below ${minCount} show as “< ${minCount}”.`));
  return { type: "home", blocks: blocks.slice(0, 100) };
}

/** Register the Home tab. */
export function registerHome(app: App, services: SlackServices, permissions: Permissions, log: Log): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    try {
      const view = await homeView(services, await permissions.isCoordinator(event.user), services.digests.minCount);
      await client.views.publish({ user_id: event.user, view });
    } catch (e) {
      log.warn(`slack: the Home tab could not be drawn: ${(e as Error).message}`);
    }
  });
}

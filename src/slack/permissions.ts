// Who may do what from Slack: coordinators (configured user ids, or members of a user group) broadcast
// and create meetings; members of a task force's channel triage its feedback. Memberships are looked up
// through the Web API and kept a minute, so a button click does not wait on Slack each time.
import type { WebClient } from "@slack/web-api";

const KEEP_MS = 60_000;

export interface PermissionSettings {
  coordinators: readonly string[];
  coordinatorGroup?: string | undefined;
}

export class Permissions {
  private readonly cache = new Map<string, { at: number; members: Promise<ReadonlySet<string>> }>();

  constructor(
    private readonly client: WebClient,
    private readonly settings: PermissionSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a Slack user is a coordinator. */
  async isCoordinator(user: string): Promise<boolean> {
    if (this.settings.coordinators.includes(user)) return true;
    const group = this.settings.coordinatorGroup;
    if (!group) return false;
    return (await this.members(`group:${group}`, async () => (await this.client.usergroups.users.list({ usergroup: group })).users ?? [])).has(user);
  }

  /** Whether a Slack user is in a channel (or a coordinator, who may act for every task force). */
  async mayActIn(user: string, channel: string | null): Promise<boolean> {
    if (await this.isCoordinator(user)) return true;
    if (!channel) return false;
    return (await this.members(`channel:${channel}`, () => this.channelMembers(channel))).has(user);
  }

  private async channelMembers(channel: string): Promise<string[]> {
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.members({ channel, limit: 1000, ...(cursor ? { cursor } : {}) });
      all.push(...(page.members ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return all;
  }

  private members(key: string, load: () => Promise<string[]>): Promise<ReadonlySet<string>> {
    const hit = this.cache.get(key);
    if (hit && this.now() - hit.at < KEEP_MS) return hit.members;
    const members = load().then((list) => new Set(list));
    // A failed lookup is not kept: the next click asks again.
    members.catch(() => this.cache.delete(key));
    this.cache.set(key, { at: this.now(), members });
    return members;
  }
}

/** What a person without the right is told. */
export const REFUSALS = {
  coordinator: "Sorry — only the project's coordinators can do this. If you should be one, ask a coordinator to add your Slack id to INLOCO_SLACK_COORDINATORS.",
  member: "Sorry — only members of this task force's channel can act on its feedback.",
} as const;

// Posting a digest to a task force's channel: the message (blocks, with the feedback's triage buttons),
// then the chart in its thread (files.uploadV2). The ledger (src/repos/digest-posts.ts) makes a weekly
// digest go out once across processes and restarts: each step is recorded when done, and a retry after
// a crash first looks in the channel for the message (it carries the digest's id in its metadata).
import type { WebClient } from "@slack/web-api";
import { buildDigest, digestMessage, needsChart, type DigestsContext } from "../digests/index.ts";
import { claimDigest, digestAttemptFailed, digestChartPosted, digestMessagePosted, endDigest, type DigestPostRow } from "../repos/digest-posts.ts";
import type { TaskForceRow } from "../repos/task-forces.ts";
import type { Log } from "../log/log.ts";
import type { ChannelPace } from "./pace.ts";

/** A poster silent this long has died: another process takes its digest over. */
const STALE_MS = 10 * 60_000;
/** After this many attempts a digest is given up (marked failed, with the last error). */
const MAX_ATTEMPTS = 5;
const METADATA_TYPE = "inloco_digest";

export interface DigestRequest {
  kind: "weekly" | "on_demand";
  from: Date;
  to: Date;
  requestedBy: string;
}

export class DigestPoster {
  constructor(
    private readonly o: { client: WebClient; digests: DigestsContext; pace: ChannelPace; log: Log; now?: () => Date },
  ) {}

  /** Post a task force's digest for a period; false when another process has (or had) it. */
  async post(tf: TaskForceRow, r: DigestRequest): Promise<boolean> {
    if (!tf.slack_channel) throw new Error(`task force ${tf.name} has no Slack channel`);
    const now = this.now();
    const claim = await claimDigest(this.o.digests.sql, { taskForceId: tf.id, kind: r.kind, from: r.from, to: r.to, channel: tf.slack_channel, requestedBy: r.requestedBy }, now, STALE_MS);
    if (!claim) return false;
    try {
      await this.complete(claim, tf.slack_channel);
      await endDigest(this.o.digests.sql, claim.id, "posted", this.now());
      return true;
    } catch (e) {
      const message = (e as Error).message;
      if (claim.attempts >= MAX_ATTEMPTS || r.kind === "on_demand") await endDigest(this.o.digests.sql, claim.id, "failed", this.now(), message);
      else await digestAttemptFailed(this.o.digests.sql, claim.id, message);
      throw e;
    }
  }

  private async complete(claim: DigestPostRow, channel: string): Promise<void> {
    const digest = await buildDigest(this.o.digests, { taskForceId: claim.task_force_id, from: claim.period_start, to: claim.period_end });
    let ts = claim.message_ts ?? (claim.attempts > 1 ? await this.findPosted(channel, claim) : undefined);
    if (!ts) {
      const message = digestMessage(digest, { exportHint: "`inloco report` or `inloco export` for everything" });
      await this.o.pace.turn(channel);
      const posted = await this.o.client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        metadata: { event_type: METADATA_TYPE, event_payload: { digest: claim.id } },
      });
      ts = posted.ts as string;
    }
    if (!claim.message_ts) await digestMessagePosted(this.o.digests.sql, claim.id, ts);
    if (!claim.chart_posted) {
      const chart = await needsChart(digest);
      if (chart) {
        await this.o.pace.turn(channel);
        await this.o.client.filesUploadV2({ channel_id: channel, thread_ts: ts, file: chart.png, filename: "needs.png", title: chart.title, alt_text: chart.alt });
      }
      await digestChartPosted(this.o.digests.sql, claim.id);
    }
  }

  /** The ts of this digest's message if an earlier attempt posted it before it could say so. */
  private async findPosted(channel: string, claim: DigestPostRow): Promise<string | undefined> {
    const oldest = String(Math.floor(claim.period_end.getTime() / 1000) - 60);
    const history = await this.o.client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 });
    const found = history.messages?.find((m) => m.metadata?.event_type === METADATA_TYPE && (m.metadata.event_payload as { digest?: string } | undefined)?.digest === claim.id);
    return found?.ts;
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}

import type { Channel, ChannelName, Receiver, Sender } from "../channel/contract.ts";
import { plannedChannels, readChannelSettings } from "../config/channels.ts";
import { readPipelineSettings } from "../config/pipeline.ts";
import { openBroker, openSendRates, readQueueSettings } from "../config/queue.ts";
import { Conversations } from "../conversation/conversations.ts";
import type { PlanSettings } from "../effects/effect.ts";
import { outboxPlanner } from "../effects/registry.ts";
import { eventsForStart } from "../repos/events-for-start.ts";
import { myDataReplies } from "../rights/my-data.ts";
import { Pipeline } from "../pipeline/pipeline.ts";
import { Broadcaster, BULK_PACE } from "../pipeline/broadcaster.ts";
import { readBroadcastSettings } from "../config/broadcasts.ts";
import { readDigestSettings } from "../config/digests.ts";
import { readSlackSettings } from "../config/slack.ts";
import { DatabaseConversationStore } from "../repos/conversations.ts";
import { RetentionSweeper } from "../retention/retention.ts";
import type { Broker } from "../queue/types.ts";
import { openStakeholderDatabase, serverIdentityKeys, type StakeholderDatabase } from "./database.ts";
import { channelsFor } from "./channels.ts";
import { appHealthRoute } from "./health.ts";
import { listeningOn, startHttpServer } from "./http.ts";
import { loadRuntime, type Runtime } from "./runtime.ts";
import { createLog, type Log } from "../log/log.ts";
import { databaseAnswers } from "../repos/health.ts";

/** A running process: what it started, and how to stop it gracefully. */
export interface RunningApp {
  runtime: Runtime;
  database: StakeholderDatabase;
  broker: Broker;
  pipeline: Pipeline;
  /** What receives in this process (the extra channels included), for health. */
  receivers: Receiver[];
  /** Stop receiving, finish the jobs in hand, close everything. */
  stop(): Promise<void>;
}

export interface AppOptions {
  /** `start`: channels and workers; `worker`: workers only (no channel receives); `chat`: only the extra (terminal) channel. */
  mode: "start" | "worker" | "chat";
  env?: NodeJS.ProcessEnv;
  /** Where the app logs (default: JSON lines on standard output). */
  log?: Log;
  /** Extra channels to run (the terminal chat): sent on here, started by their owner. */
  extraChannels?: Channel[];
  /** Serve /healthz (default true). */
  health?: boolean;
  /** Apply pending migrations at start (default true). */
  migrate?: boolean;
  /** Flows, texts and engine already loaded by the caller (else loaded here). */
  runtime?: Runtime;
}

const ALL_CHANNELS: readonly ChannelName[] = ["telegram", "whatsapp", "terminal"];

/** Assemble and start the app: settings checked first, then queues, database, workers, channels. */
export async function startApp(o: AppOptions): Promise<RunningApp> {
  const env = o.env ?? process.env;
  const log = o.log ?? createLog();
  // Every setting is read (and refused with a clear message) before anything is opened.
  const runtime = o.runtime ?? loadRuntime({ env });
  const pipelineSettings = readPipelineSettings(env);
  const queueSettings = readQueueSettings(env);
  const channelSettings = readChannelSettings(env);
  const broadcastSettings = readBroadcastSettings(env);
  const slackSettings = readSlackSettings(env);
  const digestSettings = readDigestSettings(env);
  const plan = plannedChannels(channelSettings);
  // With DATABASE_URL the identity keys come from the environment: checked now, like every other setting.
  serverIdentityKeys({ env });

  // Redis first: it fails fast, before the (slower) database is opened and migrated.
  const broker = await openBroker(queueSettings, { log });
  const cleanup: Array<() => Promise<void>> = [() => broker.close()];
  try {
    // attach: false: the app never shares its embedded folder with another app (commands may attach to it).
    const database = await openStakeholderDatabase({ env, migrate: o.migrate !== false, attach: false });
    cleanup.push(() => database.close());
    if (broker.kind === "memory" && o.mode === "worker") log.warn("inloco: REDIS_URL is not set: queues live inside this process, so nothing else can hand work to this worker");

    const reminders: PlanSettings = {
      reminderAfterSeconds: pipelineSettings.INLOCO_REMINDER_AFTER,
      entryFlow: runtime.settings.INLOCO_ENTRY_FLOW,
      now: () => new Date(),
      flows: runtime.engine.flows,
    };
    // With Redis the queues keep the jobs: outbox items are written done (the relay at start is for the in-process queues).
    const store = new DatabaseConversationStore(database.db.sql, database.vault, { pendingOutbox: broker.kind === "memory", log });
    const conversations = new Conversations(runtime.engine, store, outboxPlanner(reminders), eventsForStart(database.db.prisma, undefined, runtime.engine.languages), myDataReplies(database.db.sql, runtime.texts, runtime.engine.flows));
    const pipeline = new Pipeline({
      broker,
      sql: database.db.sql,
      vault: database.vault,
      conversations,
      rules: runtime.texts,
      channels: ALL_CHANNELS,
      shards: pipelineSettings.INLOCO_SHARDS,
      reminders,
      log,
    });
    await pipeline.declare();
    // In-process queues: what was accepted or committed before the last stop goes back on them first.
    const relayed = await pipeline.relay();
    if (relayed && relayed.messages + relayed.outbox + relayed.timers > 0) {
      log.info(`inloco: queued again from the database: ${relayed.messages} accepted messages, ${relayed.outbox} outbox items, ${relayed.timers} timers`);
    }

    // Telegram's flood control counts here: in Redis with the queues, so every process keeps one limit per bot.
    const sendRates = await openSendRates(queueSettings, log);
    cleanup.push(() => sendRates.close());
    const planned = channelsFor(plan, o.mode, runtime.texts, log, sendRates.store);
    const receivers: Receiver[] = [...(o.extraChannels ?? []), ...planned.receivers];
    const senders = new Map<ChannelName, Sender>([...planned.senders, ...(o.extraChannels ?? [])].map((s) => [s.channel, s]));
    await pipeline.work({ inbound: true, ingest: true, timers: true, outbound: senders, concurrency: pipelineSettings.INLOCO_WORKER_CONCURRENCY, ingestConcurrency: pipelineSettings.INLOCO_INGEST_CONCURRENCY });
    cleanup.unshift(() => pipeline.close());
    // Broadcasts and meeting notices, handed to the queues of the channels this process sends on.
    const broadcaster = new Broadcaster({
      sql: database.db.sql,
      broker,
      channels: [...senders.keys()],
      shards: pipelineSettings.INLOCO_SHARDS,
      quiet: broadcastSettings.INLOCO_QUIET_HOURS,
      defaultZone: runtime.settings.INLOCO_TIME_ZONE,
      pace: { whatsapp: { ...BULK_PACE.whatsapp, gapMs: broadcastSettings.INLOCO_WHATSAPP_BULK_GAP * 1000 } },
      queuesLostAtStart: broker.kind === "memory",
      log,
    });
    broadcaster.start();
    cleanup.unshift(() => broadcaster.stop());
    if (o.mode !== "chat") {
      const retention = new RetentionSweeper({ sql: database.db.sql, keepSeconds: pipelineSettings.INLOCO_DELIVERY_RECORDS_KEEP, answersKeepSeconds: pipelineSettings.INLOCO_ANSWERS_KEEP, log });
      retention.start();
      cleanup.unshift(() => retention.stop());
    }
    log.info(`inloco: workers running (${broker.kind === "bullmq" ? "BullMQ on Redis" : "in-process queues"}, ${pipelineSettings.INLOCO_SHARDS} inbound shards; sending on ${[...senders.keys()].join(", ") || "no channel"})`);

    // Slack: requests received where the channels are (`start`); digests and notices posted by every process.
    // Loaded only when configured: Bolt and its Web API client are memory a pilot without Slack doesn't need.
    const slack = o.mode === "chat" || !slackSettings.SLACK_BOT_TOKEN ? undefined : (await import("./slack.ts")).slackAppFor({ settings: slackSettings, database, runtime, minCount: digestSettings.INLOCO_DIGEST_MIN_COUNT, log, receive: o.mode === "start", schedule: true });
    if (slack) {
      await slack.start();
      cleanup.unshift(() => slack.stop());
      log.info(`inloco: Slack app on (${slack.transport === "socket" ? "Socket Mode" : slack.transport === "http" ? "requests at /slack/events" : "posting only"})`);
    }

    // One HTTP server per process: /healthz and the routes receivers need (Telegram's webhook, Slack's requests).
    const routes = [...receivers.flatMap((r) => r.routes?.() ?? []), ...(slack?.route ? [slack.route] : [])];
    if (o.health !== false || routes.length > 0) {
      const http = await startHttpServer({ port: channelSettings.PORT, host: channelSettings.HOST });
      cleanup.unshift(() => http.close());
      if (o.health !== false) {
        http.mount(
          "/healthz",
          appHealthRoute({
            database: () => databaseAnswers(database.db.prisma),
            queue: async () => (broker.kind === "memory" ? "in-process" : (await broker.queues(), true)),
            channels: () => receivers.map((r) => r.health()),
          }),
        );
      }
      for (const route of routes) http.mount(route.path, route.handle);
      log.info(`inloco: HTTP server on ${listeningOn(http.server)} (${http.paths().join(", ")})`);
    }

    if (queueSettings.INLOCO_DASHBOARD_PORT !== undefined && o.mode !== "chat") {
      // Loaded only when asked for: it brings express.
      const [{ startDashboard }, { BullmqBroker }] = await Promise.all([import("../queue/dashboard.ts"), import("../queue/bullmq-broker.ts")]);
      if (broker instanceof BullmqBroker) {
        const dashboard = await startDashboard({
          broker,
          port: queueSettings.INLOCO_DASHBOARD_PORT,
          host: queueSettings.INLOCO_DASHBOARD_HOST,
          user: queueSettings.INLOCO_DASHBOARD_USER,
          password: queueSettings.INLOCO_DASHBOARD_PASSWORD,
        });
        cleanup.unshift(() => dashboard.close());
        log.info(`inloco: queue dashboard on ${dashboard.url}`);
      }
    }
    for (const receiver of planned.receivers) {
      await receiver.start((inbound) => pipeline.accept(inbound));
      cleanup.unshift(() => receiver.stop());
    }
    if (o.mode === "start") {
      const started = planned.receivers.map((r) => r.channel);
      log.info(`inloco: channels started: ${started.length ? started.join(", ") : "none"}`);
      for (const reason of plan.notStarting) log.warn(`inloco: not started: ${reason}`);
    }
    let stopping: Promise<void> | undefined;
    return {
      runtime,
      database,
      broker,
      pipeline,
      receivers,
      stop: () => (stopping ??= runAll(cleanup, log)),
    };
  } catch (e) {
    await runAll(cleanup, log);
    throw e;
  }
}

// In order: channels first (nothing new comes in), then workers drain, then queues and the database.
async function runAll(steps: Array<() => Promise<void>>, log: Log): Promise<void> {
  for (const step of steps) await step().catch((e: unknown) => log.warn(`inloco: while stopping: ${(e as Error).message}`));
}

// The Slack app: Bolt's App with the transport kept apart — an HTTP receiver whose request listener
// the process's one server mounts at /slack/events (requests verified with the signing secret: a bad
// signature or a timestamp over 5 minutes old gets 401), or Socket Mode when SLACK_APP_TOKEN is set
// (no public address needed). Handlers call services; the scheduler posts digests and notices.
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Receiver } from "@slack/bolt";
import type { RequestListener } from "node:http";
import type { SlackSettings } from "../config/slack.ts";
import type { Log } from "../log/log.ts";
import { registerBroadcastForm } from "./broadcast-form.ts";
import { registerConsole } from "./console.ts";
import { DigestPoster } from "./digest-poster.ts";
import { registerHome } from "./home.ts";
import { boltLogger } from "./logger.ts";
import { registerMeetingForm } from "./meeting-form.ts";
import { ChannelPace } from "./pace.ts";
import { Permissions } from "./permissions.ts";
import { SlackScheduler } from "./scheduler.ts";
import type { SlackServices } from "./services.ts";
import { registerStatus } from "./status.ts";
import { registerTriage } from "./triage.ts";

/** The path Slack posts to (the manifest's request URLs). */
export const SLACK_EVENTS_PATH = "/slack/events";

export interface SlackAppOptions {
  settings: SlackSettings;
  services: SlackServices;
  log: Log;
  /** Receive Slack's requests (commands, buttons, modals, Home): only the process serving HTTP does. */
  receive: boolean;
  /** Post weekly digests and feedback notices (every process may: the database settles who). */
  schedule: boolean;
  /** Scheduler tick (tests). */
  tickMs?: number;
}

export interface SlackApp {
  /** HTTP mode: what to mount on the app's server. */
  route?: { path: string; handle: RequestListener };
  /** Socket Mode or HTTP. */
  transport: "socket" | "http" | "none";
  poster: DigestPoster;
  scheduler: SlackScheduler;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Make the Slack app (nothing connects or runs before `start`). */
export function createSlackApp(o: SlackAppOptions): SlackApp {
  const s = o.settings;
  if (!s.SLACK_BOT_TOKEN) throw new Error("createSlackApp: SLACK_BOT_TOKEN is not set");
  const logger = boltLogger(o.log);
  const clientOptions = { ...(s.SLACK_API_URL ? { slackApiUrl: s.SLACK_API_URL.endsWith("/") ? s.SLACK_API_URL : `${s.SLACK_API_URL}/` } : {}), logger, logLevel: LogLevel.WARN };
  const transport = !o.receive ? "none" : s.SLACK_APP_TOKEN ? "socket" : "http";
  const http =
    transport === "http"
      ? new HTTPReceiver({ signingSecret: s.SLACK_SIGNING_SECRET ?? "", endpoints: SLACK_EVENTS_PATH, logger, logLevel: LogLevel.WARN, unhandledRequestTimeoutMillis: 2_900 })
      : undefined;
  // Socket Mode's own client opens the connection through the same Web API (SLACK_API_URL included).
  const socket = transport === "socket" ? new SocketModeReceiver({ appToken: s.SLACK_APP_TOKEN ?? "", logger, logLevel: LogLevel.WARN, installerOptions: { clientOptions } }) : undefined;
  const app = new App({ token: s.SLACK_BOT_TOKEN, logger, logLevel: LogLevel.WARN, clientOptions, receiver: http ?? socket ?? idleReceiver() });
  app.error(async (e) => {
    o.log.warn(`slack: a request failed: ${e.message}`);
  });

  const permissions = new Permissions(app.client, { coordinators: s.INLOCO_SLACK_COORDINATORS, coordinatorGroup: s.INLOCO_SLACK_COORDINATOR_GROUP });
  const pace = new ChannelPace();
  const poster = new DigestPoster({ client: app.client, digests: o.services.digests, pace, log: o.log, now: o.services.now });
  const scheduler = new SlackScheduler({
    client: app.client,
    digests: o.services.digests,
    poster,
    pace,
    digestAt: s.INLOCO_DIGEST_AT,
    noticeEverySeconds: s.INLOCO_FEEDBACK_NOTICE_EVERY,
    log: o.log,
    now: o.services.now,
    ...(o.tickMs ? { tickMs: o.tickMs } : {}),
  });
  registerTriage(app, o.services.feedback, permissions, o.log);
  registerConsole(app, o.services, permissions, poster, o.log);
  registerMeetingForm(app, o.services, permissions, o.log);
  registerBroadcastForm(app, o.services, permissions, o.log);
  registerStatus(app, o.services, permissions);
  registerHome(app, o.services, permissions, o.log);

  return {
    ...(http ? { route: { path: SLACK_EVENTS_PATH, handle: http.requestListener } } : {}),
    transport,
    poster,
    scheduler,
    async start() {
      if (transport === "socket") await app.start();
      if (o.schedule) scheduler.start();
    },
    async stop() {
      await scheduler.stop();
      if (transport === "socket") await app.stop();
    },
  };
}

/** A receiver that receives nothing: a process that only posts (a worker, `inloco digest send`). */
function idleReceiver(): Receiver {
  return { init: () => undefined, start: () => Promise.resolve(), stop: () => Promise.resolve() };
}

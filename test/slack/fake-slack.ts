// A local fake of Slack's Web API, at the HTTP boundary: the app's own WebClient talks to it through
// SLACK_API_URL, exactly as it would to slack.com. It keeps the channels' messages, the views opened,
// the files uploaded, and can answer 429 with Retry-After. Also: signed requests to /slack/events.
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

/** One Web API call as received. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

/** A message in a channel (or an ephemeral one, with `user`). */
export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Ephemeral: only this user saw it. */
  user?: string;
  /** Updated by chat.update this many times. */
  edits: number;
}

/** A file uploaded with files.uploadV2 (the three calls). */
export interface SlackFile {
  id: string;
  filename: string;
  bytes: Buffer;
  channel?: string;
  thread_ts?: string;
  title?: string;
  completed: boolean;
}

export interface FakeSlackOptions {
  /** Members of each channel, for conversations.members. */
  members?: Record<string, string[]>;
  /** Members of each user group, for usergroups.users.list. */
  groups?: Record<string, string[]>;
}

export class FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly messages: SlackMessage[] = [];
  readonly files = new Map<string, SlackFile>();
  /** Views opened, updated, pushed or published, by view id (the latest of each). */
  readonly views = new Map<string, { id: string; user?: string; view: Record<string, unknown>; how: string }>();
  readonly limited: Array<{ method: string; at: number }> = [];
  /** What the app sent to response URLs (`respond()`), in order. */
  readonly responses: Array<Record<string, unknown>> = [];
  private readonly rateLimits = new Map<string, { times: number; retryAfter: number }>();
  private readonly failures = new Map<string, { error: string; times: number }>();
  /** Socket Mode: the app's WebSocket, once it connected (apps.connections.open, then the socket). */
  private socket: WebSocket | undefined;
  private readonly acks = new Map<string, (payload: Record<string, unknown>) => void>();
  private nextTs = 1_700_000_000;
  private nextId = 1;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly o: FakeSlackOptions,
  ) {}

  /** Listening on a free loopback port. */
  static async start(o: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const fake = new FakeSlack(server, typeof address === "object" && address ? address.port : 0, o);
    server.on("request", (req, res) => void fake.handle(req, res));
    const sockets = new WebSocketServer({ server, path: "/socket" });
    sockets.on("connection", (ws) => {
      fake.socket = ws;
      ws.on("message", (data) => {
        const m = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
        if (m.envelope_id) fake.acks.get(m.envelope_id)?.(m.payload ?? {});
      });
      ws.send(JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A0INLOCO" }, debug_info: { host: "fake" } }));
    });
    return fake;
  }

  /** What SLACK_API_URL is set to. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** The next `times` calls of `method` are answered `{ ok: false, error }` (a channel gone, the app removed…). */
  failNext(method: string, error: string, times = 1): void {
    this.failures.set(method, { error, times });
  }

  /** The next `times` calls of `method` are answered 429 with Retry-After. */
  rateLimit(method: string, times: number, retryAfter = 1): void {
    this.rateLimits.set(method, { times, retryAfter });
  }

  /** Socket Mode: send an envelope (a slash command, an interaction) and wait for the app's ack payload. */
  async envelope(type: "slash_commands" | "interactive" | "events_api", payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ws = await this.until(() => this.socket);
    const id = `env-${this.nextId++}`;
    const acked = new Promise<Record<string, unknown>>((resolve) => this.acks.set(id, resolve));
    ws.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: type !== "events_api" }));
    return acked;
  }

  /** A response URL for a command or an action, as Slack gives one. */
  responseUrl(): string {
    return `http://127.0.0.1:${this.port}/response/${this.nextId++}`;
  }

  /** The calls of one method, in order. */
  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The channel's messages (not ephemeral, not in threads unless asked). */
  channelMessages(channel: string, o: { threads?: boolean } = {}): SlackMessage[] {
    return this.messages.filter((m) => m.channel === channel && !m.user && (o.threads || !m.thread_ts));
  }

  /** Ephemeral messages a user saw. */
  ephemeral(user: string): SlackMessage[] {
    return this.messages.filter((m) => m.user === user);
  }

  /** Wait until `check` holds (the app works in the background); throws after `ms`. */
  async until<T>(check: () => T | undefined | false, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > end) throw new Error("fake Slack: waited in vain");
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    this.socket?.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith("/upload/")) {
      const file = this.files.get(path.slice("/upload/".length));
      if (!file) return void res.writeHead(404).end();
      file.bytes = fileBytes(body, String(req.headers["content-type"] ?? ""));
      return void res.writeHead(200, { "content-type": "text/plain" }).end("OK - " + body.length);
    }
    if (path.startsWith("/response/")) {
      this.responses.push(JSON.parse(body.toString("utf8")) as Record<string, unknown>);
      return void res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    }
    if (!path.startsWith("/api/")) return void res.writeHead(404).end();
    const method = path.slice("/api/".length);
    const args = parseArgs(body.toString("utf8"), String(req.headers["content-type"] ?? ""));
    this.calls.push({ method, args, at: Date.now() });
    const limit = this.rateLimits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      this.limited.push({ method, at: Date.now() });
      return void res.writeHead(429, { "content-type": "application/json", "retry-after": String(limit.retryAfter) }).end(JSON.stringify({ ok: false, error: "ratelimited" }));
    }
    const reply = (data: Record<string, unknown>) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, ...data }));
    const fail = (error: string) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: false, error }));
    const failure = this.failures.get(method);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      return void fail(failure.error);
    }
    const auth = String(req.headers.authorization ?? "");
    if (method === "apps.connections.open") {
      if (!auth.startsWith("Bearer xapp-")) return void fail("not_allowed_token_type");
      return void reply({ url: `ws://127.0.0.1:${this.port}/socket` });
    }
    if (!auth.startsWith("Bearer xoxb-")) return void fail("not_authed");
    switch (method) {
      case "auth.test":
        return void reply({ url: "https://inloco.slack.com/", team: "In Loco", user: "inloco", team_id: "T0INLOCO", user_id: "U0BOT", bot_id: "B0BOT" });
      case "chat.postMessage": {
        const m = this.message(args);
        this.messages.push(m);
        return void reply({ channel: m.channel, ts: m.ts, message: { text: m.text, blocks: m.blocks } });
      }
      case "chat.postEphemeral": {
        const m = { ...this.message(args), user: String(args.user) };
        this.messages.push(m);
        return void reply({ message_ts: m.ts });
      }
      case "chat.update": {
        const m = this.messages.find((x) => x.channel === args.channel && x.ts === args.ts);
        if (!m) return void fail("message_not_found");
        if (args.text !== undefined) m.text = String(args.text);
        if (args.blocks !== undefined) m.blocks = args.blocks as SlackMessage["blocks"];
        m.edits += 1;
        return void reply({ channel: m.channel, ts: m.ts });
      }
      case "conversations.members":
        return void reply({ members: this.o.members?.[String(args.channel)] ?? [], response_metadata: { next_cursor: "" } });
      case "conversations.history": {
        const oldest = Number(args.oldest ?? 0);
        const found = this.channelMessages(String(args.channel)).filter((m) => Number(m.ts) >= oldest);
        return void reply({ messages: found.reverse().map((m) => ({ ts: m.ts, text: m.text, metadata: m.metadata })), has_more: false });
      }
      case "usergroups.users.list":
        return void reply({ users: this.o.groups?.[String(args.usergroup)] ?? [] });
      case "views.open":
      case "views.push":
      case "views.update":
      case "views.publish": {
        const id = method === "views.update" ? String(args.view_id ?? "") : `V${this.nextId++}`;
        if (method === "views.update" && !this.views.has(id)) return void fail("not_found");
        if ((method === "views.open" || method === "views.push") && !args.trigger_id) return void fail("invalid_arguments");
        const view = args.view as Record<string, unknown>;
        const previous = this.views.get(id);
        this.views.set(id, { id, user: (args.user_id as string | undefined) ?? previous?.user, view, how: method });
        return void reply({ view: { id, ...view } });
      }
      case "files.getUploadURLExternal": {
        const id = `F${this.nextId++}`;
        this.files.set(id, { id, filename: String(args.filename), bytes: Buffer.alloc(0), completed: false });
        return void reply({ upload_url: `http://127.0.0.1:${this.port}/upload/${id}`, file_id: id });
      }
      case "files.completeUploadExternal": {
        const list = args.files as Array<{ id: string; title?: string }>;
        for (const f of list) {
          const file = this.files.get(f.id);
          if (!file) return void fail("file_not_found");
          Object.assign(file, { completed: true, title: f.title, channel: args.channel_id as string | undefined, thread_ts: args.thread_ts as string | undefined });
        }
        return void reply({ files: list.map((f) => ({ id: f.id, title: f.title })) });
      }
      default:
        return void fail("unknown_method");
    }
  }

  private message(args: Record<string, unknown>): SlackMessage {
    const metadata = args.metadata as SlackMessage["metadata"] | undefined;
    return {
      channel: String(args.channel),
      ts: `${this.nextTs++}.000100`,
      text: String(args.text ?? ""),
      blocks: (args.blocks as SlackMessage["blocks"] | undefined) ?? [],
      ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
      ...(metadata ? { metadata } : {}),
      edits: 0,
    };
  }
}

/** The file in an upload: the body itself, or the one part of a multipart form. */
function fileBytes(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return body;
  const mark = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf("\r\n\r\n", body.indexOf(mark)) + 4;
  const end = body.indexOf(mark, start) - 2;
  return body.subarray(start, end);
}

/** The Web API's form body (complex values JSON-encoded) or a JSON body. */
function parseArgs(body: string, contentType: string): Record<string, unknown> {
  if (body.length === 0) return {};
  if (contentType.includes("json")) return JSON.parse(body) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    out[k] = /^[[{]/.test(v) ? safeJson(v) : v;
  }
  return out;
}

function safeJson(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Slack's request signature headers for a body, as Slack would sign it at `at` (seconds). */
export function slackSignature(body: string, secret: string, at = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac("sha256", secret).update(`v0:${at}:${body}`).digest("hex")}`;
  return { "x-slack-request-timestamp": String(at), "x-slack-signature": signature };
}

/** POST an interaction, a command or an event to the app's /slack/events as Slack does (signed unless told). */
export async function postToApp(
  url: string,
  what: { payload: Record<string, unknown> } | { command: Record<string, string> } | { event: Record<string, unknown> },
  o: { secret: string; at?: number; signature?: string },
): Promise<{ status: number; body: string }> {
  let body: string;
  let type: string;
  if ("payload" in what) {
    body = new URLSearchParams({ payload: JSON.stringify(what.payload) }).toString();
    type = "application/x-www-form-urlencoded";
  } else if ("command" in what) {
    body = new URLSearchParams(what.command).toString();
    type = "application/x-www-form-urlencoded";
  } else {
    body = JSON.stringify({ type: "event_callback", team_id: "T0INLOCO", api_app_id: "A0INLOCO", event_id: `Ev${Math.random().toString(36).slice(2)}`, event_time: Math.floor(Date.now() / 1000), event: what.event });
    type = "application/json";
  }
  const headers: Record<string, string> = { "content-type": type, ...slackSignature(body, o.secret, o.at) };
  if (o.signature !== undefined) headers["x-slack-signature"] = o.signature;
  const res = await fetch(url, { method: "POST", headers, body });
  return { status: res.status, body: await res.text() };
}

// The WhatsApp channel's wiring: the only file that touches whatsapp-web.js. A browser (Chromium, driven
// by puppeteer) runs WhatsApp Web for one linked phone number; messages are converted (inbound.ts) and
// handed over in the order they arrive, and our messages are sent as numbered text (outbound.ts).
import { accessSync, constants } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import QRCode from "qrcode";
import { RecipientGoneError, type Channel, type ChannelHealth, type InboundHandler } from "../../src/channel/contract.ts";
import type { Message } from "../../src/engine/index.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { DEFAULT_PATIENCE, describe, handOverPatiently, type Patience } from "../handover.ts";
import { isIgnored } from "../ignored.ts";
import { whatsappInbound, type WhatsAppMessage } from "./inbound.ts";
import { whatsappOutbound } from "./outbound.ts";
import { processLog } from "../../src/log/log.ts";

/** The part of whatsapp-web.js's `Client` we use: its events and three methods. */
export interface WhatsAppClient {
  on(event: "qr", listener: (qr: string) => void): unknown;
  on(event: "ready", listener: () => void): unknown;
  on(event: "message", listener: (message: WhatsAppMessage) => void): unknown;
  on(event: "auth_failure", listener: (message: string) => void): unknown;
  on(event: "disconnected", listener: (reason: string) => void): unknown;
  initialize(): Promise<void>;
  destroy(): Promise<void>;
  /** Resolves with the sent message, or undefined when WhatsApp has no such chat. */
  sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } } | undefined>;
}

/** Makes a fresh client: at start and after each disconnection (a disconnected client can't be reused). */
export type WhatsAppClientFactory = () => WhatsAppClient | Promise<WhatsAppClient>;

/** Chromium isn't where CHROMIUM_PATH says: found before anything is launched. */
export class ChromiumMissingError extends Error {
  override readonly name = "ChromiumMissingError";
  constructor(readonly path: string) {
    super(
      `whatsapp: no Chromium at ${path}. Install it (Debian/Ubuntu: apt-get install chromium) ` +
        `or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
    );
  }
}

/** Flags for a headless Chromium on a server, possibly as root, in a container with a small /dev/shm. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-setuid-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-extensions",
  "--disable-default-apps",
  "--disable-sync",
  "--no-first-run",
  "--no-default-browser-check",
  "--mute-audio",
];

export interface WhatsAppWebSettings {
  /** The data folder (INLOCO_DATA_DIR); the session is kept in its `whatsapp` subfolder. */
  dataDir: string;
  /** The browser binary (CHROMIUM_PATH). */
  chromiumPath: string;
}

/** The folder of the WhatsApp session, its web cache and the login QR code. */
export const whatsappFolder = (dataDir: string): string => resolve(dataDir, "whatsapp");

/** The real client: WhatsApp Web in the system's Chromium, the session kept in the data folder. */
export function whatsappWebClient(settings: WhatsAppWebSettings): WhatsAppClientFactory {
  return async () => {
    assertExecutable(settings.chromiumPath);
    // Loaded only here, so nothing else pays for puppeteer.
    const { default: wwebjs } = await import("whatsapp-web.js");
    const folder = whatsappFolder(settings.dataDir);
    const client = new wwebjs.Client({
      authStrategy: new wwebjs.LocalAuth({ dataPath: folder }),
      webVersionCache: { type: "local", path: join(folder, "web-cache") },
      puppeteer: { executablePath: settings.chromiumPath, headless: true, args: CHROMIUM_ARGS },
    });
    return client as unknown as WhatsAppClient;
  };
}

function assertExecutable(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ChromiumMissingError(path);
  }
}

export interface WhatsAppChannelOptions {
  texts: Texts;
  createClient: WhatsAppClientFactory;
  /** The data folder: the login QR code is written to its `whatsapp` subfolder. */
  dataDir: string;
  /** Waits between reconnection attempts: doubling from `initialMs`, at most `maxMs`. */
  reconnect?: Patience;
  /** When handing a message over fails: retry after this long, doubling up to `maxMs`. */
  retry?: Patience;
  /** How to wait (tests pass a fake); default a timer that stop() cancels. */
  sleep?: (ms: number) => Promise<void>;
  /** Where the QR code is drawn for whoever links the phone (default stdout). */
  terminal?: Writable;
  now?: () => Date;
  log?: (line: string) => void;
}

const DEFAULT_RECONNECT: Patience = { initialMs: 2_000, maxMs: 5 * 60_000 };

/** WhatsApp (through WhatsApp Web) as a channel. */
export class WhatsAppChannel implements Channel {
  readonly channel = "whatsapp" as const;
  private client: WhatsAppClient | undefined;
  private onInbound: InboundHandler | undefined;
  private state: ChannelHealth["state"] = "stopped";
  private detail: string | undefined;
  private attempts = 0;
  private reconnecting = false;
  private stopping = new AbortController();
  // Messages are handed over one after the other, in the order WhatsApp delivered them.
  private chain: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WhatsAppChannelOptions) {
    this.log = options.log ?? processLog;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined));
  }

  /** Where the login QR code is written while the phone is not linked. */
  get qrFile(): string {
    return join(whatsappFolder(this.options.dataDir), "login-qr.png");
  }

  async start(onInbound: InboundHandler): Promise<void> {
    this.onInbound = onInbound;
    this.stopping = new AbortController();
    this.state = "starting";
    try {
      await this.connect();
    } catch (e) {
      // A missing browser is a setting to fix; anything else (WhatsApp Web unreachable) may pass.
      if (e instanceof ChromiumMissingError) {
        this.fail(e);
        throw e;
      }
      void this.reconnect(this.client, `could not connect: ${describe(e)}`);
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    const client = this.client;
    this.client = undefined;
    await this.idle();
    await client?.destroy().catch((e: unknown) => this.log(`whatsapp: closing the browser: ${describe(e)}`));
    this.state = "stopped";
  }

  /** Resolves once every message received so far has been handed over. */
  idle(): Promise<void> {
    return this.chain;
  }

  health(): ChannelHealth {
    return { channel: "whatsapp", state: this.state, ...(this.detail ? { detail: this.detail } : {}) };
  }

  async send(address: string, message: Message): Promise<{ providerMessageId: string }> {
    const client = this.client;
    // Not a verdict on the person: the pipeline tries again once we are back.
    if (!client || this.state !== "ready") throw new Error(`whatsapp: not connected (${this.state})`);
    let sent: Awaited<ReturnType<WhatsAppClient["sendMessage"]>>;
    try {
      sent = await client.sendMessage(address, whatsappOutbound(message, this.options.texts));
    } catch (e) {
      if (/invalid wid|wid error|no lid for user|not a whatsapp user/i.test(describe(e))) throw new RecipientGoneError("whatsapp", describe(e));
      throw e;
    }
    if (!sent) throw new RecipientGoneError("whatsapp", `no chat ${address}`);
    return { providerMessageId: sent.id._serialized };
  }

  private async connect(): Promise<void> {
    const client = await this.options.createClient();
    this.client = client;
    client.on("qr", (qr) => void this.showQr(qr).catch((e: unknown) => this.log(`whatsapp: showing the QR code: ${describe(e)}`)));
    client.on("ready", () => {
      if (client !== this.client) return;
      this.state = "ready";
      this.detail = undefined;
      this.attempts = 0;
      this.log("whatsapp: ready");
      void rm(this.qrFile, { force: true });
    });
    client.on("auth_failure", (message) => {
      this.detail = `authentication failed: ${message}`;
      this.log(`whatsapp: the saved session could not be restored (${message}); scan the new QR code to link the phone again`);
    });
    client.on("disconnected", (reason) => void this.reconnect(client, `disconnected: ${reason}`));
    client.on("message", (m) => this.receive(m));
    await client.initialize();
  }

  private receive(m: WhatsAppMessage): void {
    const result = whatsappInbound(m, this.now());
    if (isIgnored(result)) return;
    const onInbound = this.onInbound;
    if (!onInbound) return;
    this.chain = this.chain
      .then(() => handOverPatiently(onInbound, result, { patience: this.options.retry ?? DEFAULT_PATIENCE, signal: this.stopping.signal, log: this.log }))
      .catch((e: unknown) => this.log(`whatsapp: message ${result.messageId} lost while stopping: ${describe(e)}`));
  }

  /** A disconnected client is finished: make a new one, waiting longer after each failed attempt. */
  private async reconnect(from: WhatsAppClient | undefined, why: string): Promise<void> {
    if (from !== this.client || this.stopping.signal.aborted || this.reconnecting) return;
    this.reconnecting = true;
    this.client = undefined;
    this.state = "reconnecting";
    this.detail = why;
    await from?.destroy().catch(() => undefined);
    const { initialMs, maxMs } = this.options.reconnect ?? DEFAULT_RECONNECT;
    try {
      while (!this.stopping.signal.aborted) {
        this.attempts += 1;
        const wait = Math.min(initialMs * 2 ** (this.attempts - 1), maxMs);
        this.log(`whatsapp: ${why}; reconnecting in ${wait} ms (attempt ${this.attempts})`);
        await this.sleep(wait);
        if (this.stopping.signal.aborted) return;
        try {
          await this.connect();
          return;
        } catch (e) {
          why = `could not connect: ${describe(e)}`;
          if (e instanceof ChromiumMissingError) return this.fail(e);
          const half = this.client as WhatsAppClient | undefined;
          this.client = undefined;
          await half?.destroy().catch(() => undefined);
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }

  /** Draw the QR code in the terminal and save it as a PNG, for whoever links the phone. */
  private async showQr(qr: string): Promise<void> {
    await mkdir(whatsappFolder(this.options.dataDir), { recursive: true });
    await QRCode.toFile(this.qrFile, qr, { type: "png", width: 512, margin: 2 });
    const drawing = await QRCode.toString(qr, { type: "terminal", small: true });
    (this.options.terminal ?? process.stdout).write(`${drawing}\n`);
    this.log(
      `whatsapp: link the phone: in WhatsApp open Settings → Linked devices → Link a device and scan the QR code above ` +
        `(also saved as ${this.qrFile}; it changes every few seconds)`,
    );
  }

  private fail(e: unknown): void {
    this.state = "failed";
    this.detail = describe(e);
  }
}

// Messages in from WhatsApp: the WhatsApp Web client's events (web-client.ts), converted (inbound.ts) and
// handed over in the order they arrive. The client is reconnected when it drops, and linked by QR code.
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import QRCode from "qrcode";
import type { ChannelHealth, InboundHandler, Receiver } from "../../src/channel/contract.ts";
import { silentLog, type Log } from "../../src/log/log.ts";
import { DEFAULT_PATIENCE, describe, handOverPatiently, type Patience } from "../handover.ts";
import { isIgnored } from "../ignored.ts";
import { whatsappInbound, type WhatsAppMessage } from "./inbound.ts";
import { ChromiumMissingError, whatsappFolder, type WhatsAppClient, type WhatsAppClientFactory } from "./web-client.ts";

export interface WhatsAppReceiverOptions {
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
  log?: Log;
}

const DEFAULT_RECONNECT: Patience = { initialMs: 2_000, maxMs: 5 * 60_000 };

/** Messages in from WhatsApp Web: owns the client (connecting, reconnecting, linking by QR code) that the sender uses. */
export class WhatsAppReceiver implements Receiver {
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
  private readonly log: Log;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: WhatsAppReceiverOptions) {
    this.log = options.log ?? silentLog;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined));
  }

  /** Where the login QR code is written while the phone is not linked. */
  get qrFile(): string {
    return join(whatsappFolder(this.options.dataDir), "login-qr.png");
  }

  /** Connect (a missing browser fails the start; anything else is retried in the background) and hand messages over. */
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

  /** Finish handing over what was received, then close the browser. */
  async stop(): Promise<void> {
    this.stopping.abort();
    const client = this.client;
    this.client = undefined;
    await this.idle();
    await client?.destroy().catch((e: unknown) => this.log.warn(`whatsapp: closing the browser: ${describe(e)}`));
    this.state = "stopped";
  }

  /** Resolves once every message received so far has been handed over. */
  idle(): Promise<void> {
    return this.chain;
  }

  /** Starting (not linked yet), ready, reconnecting, stopped or failed, with why. */
  health(): ChannelHealth {
    return { channel: "whatsapp", state: this.state, ...(this.detail ? { detail: this.detail } : {}) };
  }

  /** The client while it is connected and ready; undefined otherwise (connecting, reconnecting, stopped). */
  readyClient(): WhatsAppClient | undefined {
    return this.state === "ready" ? this.client : undefined;
  }

  private async connect(): Promise<void> {
    const client = await this.options.createClient();
    this.client = client;
    client.on("qr", (qr) => void this.showQr(qr).catch((e: unknown) => this.log.warn(`whatsapp: showing the QR code: ${describe(e)}`)));
    client.on("ready", () => {
      if (client !== this.client) return;
      this.state = "ready";
      this.detail = undefined;
      this.attempts = 0;
      this.log.info("whatsapp: ready");
      void rm(this.qrFile, { force: true });
    });
    client.on("auth_failure", (message) => {
      this.detail = `authentication failed: ${message}`;
      this.log.warn(`whatsapp: the saved session could not be restored (${message}); scan the new QR code to link the phone again`);
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
      .catch((e: unknown) => this.log.warn(`whatsapp: message ${result.messageId} lost while stopping: ${describe(e)}`));
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
        this.log.warn(`whatsapp: ${why}; reconnecting in ${wait} ms (attempt ${this.attempts})`);
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
    this.log.warn(
      `whatsapp: link the phone: in WhatsApp open Settings → Linked devices → Link a device and scan the QR code above ` +
        `(also saved as ${this.qrFile}; it changes every few seconds)`,
    );
  }

  private fail(e: unknown): void {
    this.state = "failed";
    this.detail = describe(e);
  }
}

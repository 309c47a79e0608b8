// A fake whatsapp-web.js client: an EventEmitter with the events and methods the channel uses,
// recording what was sent. Each instance is one browser session; the factory counts them.
import { EventEmitter } from "node:events";
import type { WhatsAppClient, WhatsAppClientFactory } from "../../bots/whatsapp/web-client.ts";
import type { WhatsAppMessage } from "../../bots/whatsapp/inbound.ts";

export class FakeWhatsAppClient extends EventEmitter implements WhatsAppClient {
  readonly sent: Array<{ chatId: string; content: string }> = [];
  destroyed = false;
  initialized = false;

  constructor(
    private readonly world: FakeWhatsApp,
    private readonly startup: "ready" | "qr" | "fail",
  ) {
    super();
  }

  async initialize(): Promise<void> {
    if (this.startup === "fail") throw new Error("net::ERR_NAME_NOT_RESOLVED at https://web.whatsapp.com/");
    this.initialized = true;
    // Like the real client: events come after initialize() has set things up.
    setImmediate(() => {
      if (this.startup === "qr") this.emit("qr", "2@fakeQrCodeOfTheTest,abc=,def=,ghi=");
      else this.emit("ready");
    });
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  async sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } } | undefined> {
    // WhatsApp Web finds no chat for a person who can't be reached: sendMessage gives nothing back.
    if (this.world.unreachable.has(chatId)) return undefined;
    this.sent.push({ chatId, content });
    this.world.sent.push({ chatId, content });
    return { id: { _serialized: `true_${chatId}_OUT${this.world.sent.length}` } };
  }
}

/** The platform side: every client made, what the person sends, who can't be reached. */
export class FakeWhatsApp {
  readonly clients: FakeWhatsAppClient[] = [];
  readonly sent: Array<{ chatId: string; content: string }> = [];
  readonly unreachable = new Set<string>();
  /** How each next client starts, in order; then "ready". */
  readonly startups: Array<"ready" | "qr" | "fail"> = [];
  private nextId = 1;

  readonly factory: WhatsAppClientFactory = () => {
    const client = new FakeWhatsAppClient(this, this.startups.shift() ?? "ready");
    this.clients.push(client);
    return client;
  };

  get current(): FakeWhatsAppClient {
    const client = this.clients.at(-1);
    if (!client) throw new Error("no client made yet");
    return client;
  }

  /** A message as whatsapp-web.js would report it. */
  message(from: string, fields: Partial<WhatsAppMessage> = {}): WhatsAppMessage {
    const fromMe = fields.fromMe ?? false;
    return {
      id: { _serialized: `${fromMe}_${from}_MSG${this.nextId++}` },
      from,
      fromMe,
      type: "chat",
      body: "",
      isStatus: from === "status@broadcast",
      ...fields,
    };
  }

  /** The current client receives a message (emitted as whatsapp-web.js does). */
  receive(message: WhatsAppMessage): void {
    this.current.emit("message", message);
  }

  textsTo(chatId: string): string[] {
    return this.sent.filter((s) => s.chatId === chatId).map((s) => s.content);
  }
}

// The WhatsApp Web client: whatsapp-web.js driving the system's Chromium (puppeteer) for one linked phone
// number. Only the part we use is typed here, so tests can play it with a fake.
import { accessSync, constants } from "node:fs";
import { join, resolve } from "node:path";
import type { WhatsAppMessage } from "./inbound.ts";

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
export const SERVER_CHROMIUM_ARGS = [
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

/**
 * What the app launches: the server flags, and fewer processes (one renderer, the GPU and audio work
 * inside the browser process, no zygote): 5 processes instead of 9 (`npm run bench -- memory` measures
 * both with a local page; README, "What server do I need?").
 */
export const CHROMIUM_ARGS = [
  ...SERVER_CHROMIUM_ARGS,
  "--renderer-process-limit=1",
  "--disable-features=site-per-process,IsolateOrigins,AudioServiceOutOfProcess",
  "--disable-site-isolation-trials",
  "--in-process-gpu",
  "--disable-software-rasterizer",
  "--no-zygote",
  "--disable-component-update",
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

/** Throw ChromiumMissingError unless `path` is an executable file. */
function assertExecutable(path: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new ChromiumMissingError(path);
  }
}

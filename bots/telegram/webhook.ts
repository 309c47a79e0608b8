// Telegram's webhook as an HTTP route, served by grammY's own webhookCallback: it checks the secret
// (401) before the body is read, runs the update through the bot's middleware and answers 200. What it
// can't do itself sits around it: a method check (405), a body capped at 1 MB (413) and read as one
// update (400) by our adapter, and a 500 when the update could not be handed over, so Telegram retries.
import type { IncomingMessage, ServerResponse } from "node:http";
import { BotError, webhookCallback, type Bot } from "grammy";
import type { Update } from "grammy/types";
import type { HttpRoute } from "../../src/channel/contract.ts";
import { describe } from "../handover.ts";
import type { Log } from "../../src/log/log.ts";

// A Telegram update is a few kilobytes at most.
const MAX_BODY_BYTES = 1024 * 1024;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

export interface TelegramWebhookRouteOptions {
  /** The path Telegram posts to (the webhook URL's). */
  path: string;
  /** What Telegram sends in X-Telegram-Bot-Api-Secret-Token. */
  secret: string;
  /** Whether updates can be handed over yet (the receiver has started): until then Telegram is asked to retry. */
  accepting: () => boolean;
  log: Log;
}

/** A body that is not one update: answered with this status, and grammY never sees it. */
class RefusedBody extends Error {
  constructor(readonly status: 400 | 413) {
    super(status === 413 ? "body too large" : "not an update");
  }
}

/** The webhook route: the bot's middleware receives each update (the bot must not also poll). */
export function telegramWebhookRoute(bot: Bot, o: TelegramWebhookRouteOptions): HttpRoute {
  // No time limit, as before: an update is answered once it is handed over (or not).
  const callback = webhookCallback(bot, nodeAdapter, { secretToken: o.secret, timeoutMilliseconds: Infinity });
  return {
    path: o.path,
    handle: (req, res) => {
      if (req.method !== "POST") return refuse(req, res, 405);
      // Before start nothing takes updates: a 5xx makes Telegram deliver them again later.
      if (!o.accepting()) return refuse(req, res, 500);
      void callback(req, res).catch((e: unknown) => {
        if (e instanceof RefusedBody) return refuse(req, res, e.status);
        // Not handed over: a 5xx makes Telegram deliver the update again later.
        if (e instanceof BotError) o.log.warn(`telegram: update ${e.ctx.update.update_id} not handed over: ${describe(e.error)}`);
        else o.log.warn(`telegram: webhook request failed: ${describe(e)}`);
        if (!res.headersSent) res.writeHead(500).end();
      });
    },
  };
}

/**
 * grammY's "http" adapter, with the body capped and checked: its own reads any size, and a body that is
 * not JSON escapes as an error. The body is read only once grammY asks for the update, after the secret.
 */
function nodeAdapter(req: IncomingMessage, res: ServerResponse) {
  const header = req.headers[SECRET_HEADER];
  return {
    get update(): Promise<Update> {
      return readUpdate(req);
    },
    header: Array.isArray(header) ? header[0] : header,
    end: () => void res.writeHead(200, { "content-type": "application/json" }).end("{}"),
    respond: (json: string) => void res.writeHead(200, { "content-type": "application/json" }).end(json),
    // Nothing of the body is read or kept.
    unauthorized: () => refuse(req, res, 401),
    // Nothing to hand back: the response is written above.
    handlerReturn: undefined,
  };
}

/** The request's body as one update, or RefusedBody. */
function readUpdate(req: IncomingMessage): Promise<Update> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) return void chunks.push(chunk);
      // The rest is drained unread, so the 413 still reaches the sender.
      req.off("data", onData).off("end", onEnd);
      req.resume();
      reject(new RefusedBody(413));
    };
    const onEnd = () => {
      try {
        const update: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        if (typeof update !== "object" || update === null || typeof (update as { update_id?: unknown }).update_id !== "number") throw new Error("no update_id");
        resolve(update as Update);
      } catch {
        reject(new RefusedBody(400));
      }
    };
    req.on("data", onData).once("end", onEnd).once("error", reject);
  });
}

function refuse(req: IncomingMessage, res: ServerResponse, status: number): void {
  req.resume();
  // A refused body may still be arriving: the connection is not kept for another request.
  if (!res.headersSent) res.writeHead(status, status === 413 ? { connection: "close" } : {}).end();
}

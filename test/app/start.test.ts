// `inloco start` as deployed: PostgreSQL, Redis (BullMQ), Telegram by long polling against a local
// fake Bot API server. A person taps through onboarding into the survey; /healthz reports every part.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type RunningApp } from "../../src/app/app.ts";
import { generateKey } from "../../src/db/index.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { BOT_TOKEN, FakeBotApi } from "../bots/fake-bot-api.ts";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "../support/db.ts";
import { freePort } from "../support/free-port.ts";
import { silentLog } from "../../src/log/log.ts";

let db: TestDatabase;
let api: FakeBotApi;
let app: RunningApp;
let port: number;

beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
  api = await FakeBotApi.start();
  port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    INLOCO_QUEUE_PREFIX: `test-${randomUUID()}`,
    INLOCO_HASH_KEY: generateKey(),
    INLOCO_ENCRYPTION_KEY: generateKey(),
    INLOCO_SHARDS: "4",
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: api.url,
    PORT: String(port),
  };
  app = await startApp({ mode: "start", env, log: silentLog });
}, 60_000);
afterAll(async () => {
  await app?.stop();
  await api?.close();
  await db?.drop();
});

async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** No job waits, runs or is delayed on any queue (timers, set a day ahead, aside). */
async function quietQueues(): Promise<boolean> {
  const names = await app.broker.queues();
  const counts = await Promise.all(names.map((q) => app.broker.counts(q)));
  return counts.every((c, i) => c.waiting + c.active + (names[i] === "timers" ? 0 : c.delayed) === 0);
}

describe("inloco start", () => {
  it("runs a conversation from Telegram through the queues into the database", async () => {
    const chat = 4242;
    const replies = () => api.messages(chat).length;
    api.push(api.textUpdate(chat, "/start", { language_code: "it" }));
    await until(replies, (n) => n >= 1, "the language menu");
    expect(api.messages(chat)[0]?.text).toMatch(/lingua/i); // Telegram says the app is in Italian
    api.push(api.tapUpdate(chat, "Italiano"));
    await until(replies, (n) => n >= 3, "welcome and consent");
    api.push(api.tapUpdate(chat, "Sì"));
    await until(replies, (n) => n >= 4, "the territory question");
    // The same update delivered twice (Telegram retrying): processed once.
    const update = api.push(api.tapUpdate(chat, (b) => "callback_data" in b && b.callback_data.endsWith(":valsusa")));
    api.push({ ...update });
    await until(replies, (n) => n >= 5, "the contact question");
    api.push(api.textUpdate(chat, "1"));
    await until(replies, (n) => n >= 7, "the menu");
    const contact = await until(() => db.prisma.contact.findFirst({ include: { identities: true } }), (c) => c?.territoryId === "valsusa", "the contact");
    expect(contact).toMatchObject({ language: "it", consentVersion: "2026-11", contactPreference: "all" });
    expect(await db.prisma.answer.count({ where: { resultName: "territory" } })).toBe(1);
    // Every queue quiet (a second reply to the repeated update would have been sent by now): exactly these replies, once each.
    await until(quietQueues, (q) => q, "the queues to be quiet");
    // As the chat shows them: a tapped question is edited to show the choice (✔).
    expect(api.messages(chat).map((m) => m.text)).toEqual([
      "🌐 Scegli la tua lingua – scrivi il numero:\n\n✔ Italiano",
      "Ciao! Sono l'assistente di In Loco, un progetto che aiuta chi è arrivato da poco e gli abitanti della tua città a fare cose insieme. 👋",
      [
        "Prima di iniziare, leggi qui, per favore:",
        "• Ti facciamo domande su cosa ti serve: casa, lavoro, lingua, salute, documenti, scuola.",
        "• Perché: così i gruppi locali e il comune possono aiutare dove c'è più bisogno.",
        "• Chi vede le risposte: il team di In Loco e i gruppi di lavoro locali, senza il tuo nome e senza il tuo numero. I ricercatori vedono solo i totali.",
        "• Puoi saltare qualsiasi domanda, scrivere STOP per non ricevere più messaggi, o CANCELLA per cancellare i tuoi dati, in qualsiasi momento.",
        "Sei d'accordo?",
        "",
        "✔ Sì",
      ].join("\n"),
      "Dove abiti?\n\n✔ Val di Susa",
      "Possiamo scriverti qui per darti notizie e promemoria che ti riguardano?",
      "Grazie! È tutto pronto. 🙏",
      "Che cosa vuoi fare?",
    ]);
  });

  it("/healthz reports the database, Redis and the Telegram channel", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: "ok", queue: "ok", channels: [{ channel: "telegram", state: "ready" }] });
  });
});

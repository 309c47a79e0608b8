// Channel settings from the environment: defaults, what each variable should look like, and which
// channels can start.
import { describe, expect, it } from "vitest";
import { ChannelSettings, describeChannelSettings, plannedChannels, readChannelSettings } from "../../src/config/channels.ts";
import { ConfigError } from "../../src/config/env.ts";

const TOKEN = "123456789:AAHfakeTokenForTests_0123456789abcdef";

function problems(env: NodeJS.ProcessEnv): Record<string, string> {
  try {
    readChannelSettings(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return Object.fromEntries((e as ConfigError).problems.map((p) => [p.variable, p.message]));
  }
  throw new Error("no ConfigError");
}

describe("channel settings", () => {
  it("with nothing set, no channel starts and each says why", () => {
    const s = readChannelSettings({});
    expect(s).toMatchObject({ PORT: 8080, HOST: "127.0.0.1", WHATSAPP_ENABLED: false, CHROMIUM_PATH: "/usr/bin/chromium", INLOCO_DATA_DIR: "data" });
    expect(plannedChannels(s)).toEqual({
      notStarting: ["telegram: TELEGRAM_BOT_TOKEN not set", "whatsapp: WHATSAPP_ENABLED is not true"],
    });
  });

  it("a token starts Telegram by long polling; a webhook URL and secret switch it to webhook mode", () => {
    expect(plannedChannels(readChannelSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "" })).telegram).toEqual({ token: TOKEN, flood: { perSecond: 30, chatBurst: 3 } });
    const webhook = readChannelSettings({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_URL: "https://bot.example.org/telegram",
      TELEGRAM_WEBHOOK_SECRET: "a_long-secret_42",
      PORT: "3000",
      TELEGRAM_API_ROOT: "http://localhost:8081/",
      TELEGRAM_BOT_USERNAME: "@InLocoBot",
      WHATSAPP_ENABLED: "true",
      CHROMIUM_PATH: "/opt/chrome/chrome",
      WHATSAPP_NUMBER: "393331234567",
      INLOCO_DATA_DIR: "/var/lib/inloco",
    });
    expect(webhook.TELEGRAM_BOT_USERNAME).toBe("InLocoBot");
    expect(plannedChannels(webhook)).toEqual({
      telegram: {
        token: TOKEN,
        apiRoot: "http://localhost:8081",
        webhook: { url: "https://bot.example.org/telegram", secret: "a_long-secret_42", port: 3000 },
        flood: { perSecond: 30, chatBurst: 3 },
      },
      whatsapp: { dataDir: "/var/lib/inloco", chromiumPath: "/opt/chrome/chrome" },
      notStarting: [],
    });
  });

  it("names every malformed variable with what it should look like", () => {
    expect(
      problems({
        TELEGRAM_BOT_TOKEN: "not-a-token",
        PORT: "eighty",
        TELEGRAM_API_ROOT: "localhost:8081",
        TELEGRAM_BOT_USERNAME: "in loco",
        WHATSAPP_ENABLED: "yes",
        WHATSAPP_NUMBER: "+39 333 123 4567",
      }),
    ).toEqual({
      TELEGRAM_BOT_TOKEN: expect.stringContaining("digits, a colon and about 35 letters"),
      PORT: "a port number, e.g. 8080",
      TELEGRAM_API_ROOT: expect.stringContaining("http(s) URL"),
      TELEGRAM_BOT_USERNAME: expect.stringContaining("ending in 'bot'"),
      WHATSAPP_ENABLED: "true or false",
      WHATSAPP_NUMBER: expect.stringContaining("international format, digits only"),
    });
    expect(problems({ PORT: "70000" })).toEqual({ PORT: "a port number from 1 to 65535" });
  });

  it("HOST is an address of this machine, loopback by default", () => {
    for (const host of ["0.0.0.0", "::", "::1", "10.0.0.5", "localhost", "inloco.internal"]) expect(readChannelSettings({ HOST: host }).HOST).toBe(host);
    expect(readChannelSettings({ HOST: "" }).HOST).toBe("127.0.0.1");
    for (const host of ["http://0.0.0.0", "0.0.0.0:8080", "two words", "-bad-"]) {
      expect(problems({ HOST: host })).toEqual({ HOST: expect.stringContaining("e.g. 127.0.0.1 (this machine only), 0.0.0.0") });
    }
  });

  it("a webhook needs an https URL and a secret Telegram can send", () => {
    expect(problems({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "http://bot.example.org/hook", TELEGRAM_WEBHOOK_SECRET: "ok" })).toEqual({
      TELEGRAM_WEBHOOK_URL: expect.stringContaining("must be an https:// URL"),
    });
    expect(problems({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://bot.example.org/hook" })).toEqual({
      TELEGRAM_WEBHOOK_SECRET: expect.stringContaining("required with TELEGRAM_WEBHOOK_URL"),
    });
    expect(problems({ TELEGRAM_WEBHOOK_URL: "https://bot.example.org/hook", TELEGRAM_WEBHOOK_SECRET: "has spaces in it" })).toEqual({
      TELEGRAM_WEBHOOK_SECRET: expect.stringContaining("1 to 256 characters of A-Z a-z 0-9 _ -"),
    });
    expect(problems({ TELEGRAM_WEBHOOK_URL: "https://x.org/h", TELEGRAM_WEBHOOK_SECRET: "x".repeat(257) })).toHaveProperty("TELEGRAM_WEBHOOK_SECRET");
  });

  it("Telegram's flood control: 30 messages a second and bursts of 3 to a chat unless set, within what Telegram can take", () => {
    expect(plannedChannels(readChannelSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_MAX_PER_SECOND: "25", TELEGRAM_CHAT_BURST: "1" })).telegram?.flood).toEqual({
      perSecond: 25,
      chatBurst: 1,
    });
    expect(problems({ TELEGRAM_MAX_PER_SECOND: "thirty" })).toEqual({ TELEGRAM_MAX_PER_SECOND: "a whole number of messages a second, e.g. 30" });
    expect(problems({ TELEGRAM_MAX_PER_SECOND: "0" })).toEqual({ TELEGRAM_MAX_PER_SECOND: "at least 1 message a second" });
    expect(problems({ TELEGRAM_CHAT_BURST: "2.5" })).toEqual({ TELEGRAM_CHAT_BURST: "a whole number of messages, e.g. 3" });
    expect(problems({ TELEGRAM_CHAT_BURST: "50" })).toHaveProperty("TELEGRAM_CHAT_BURST");
  });

  it("describes every variable", () => {
    const described = describeChannelSettings();
    expect(described.map((d) => d.variable).sort()).toEqual(Object.keys(ChannelSettings.shape).sort());
    for (const d of described) expect(d.description, d.variable).not.toBe("");
  });
});

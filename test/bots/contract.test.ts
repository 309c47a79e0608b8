// Every channel passes the same contract: terminal, Telegram (long polling and webhook), WhatsApp.
import { describe } from "vitest";
import { channelContract } from "./contract.ts";
import { telegramHarness, terminalHarness, whatsappHarness } from "./harnesses.ts";

describe("terminal", () => channelContract(terminalHarness));
describe("telegram, long polling", () => channelContract(telegramHarness("polling")));
describe("telegram, webhook", () => channelContract(telegramHarness("webhook")));
describe("whatsapp", () => channelContract(whatsappHarness));

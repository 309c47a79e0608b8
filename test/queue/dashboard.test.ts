// The operators' dashboard: bull-board over the queues in Redis, only behind basic auth.
import { afterEach, describe, expect, it } from "vitest";
import { BullmqBroker } from "../../src/queue/bullmq-broker.ts";
import { startDashboard, type Dashboard } from "../../src/queue/dashboard.ts";
import { DashboardConfigError } from "../../src/queue/errors.ts";
import { testRedisUrl } from "../support/db.ts";
import { deleteKeys, testPrefix } from "./helpers.ts";

describe("queue dashboard", () => {
  const url = testRedisUrl();
  const prefix = testPrefix();
  let broker: BullmqBroker;
  let dashboard: Dashboard | undefined;
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
    await broker?.close();
    await deleteKeys(url, prefix);
  });

  it("refuses to start without credentials", async () => {
    broker = new BullmqBroker({ url, prefix });
    await expect(startDashboard({ broker, port: 0, user: "ops", password: undefined })).rejects.toBeInstanceOf(DashboardConfigError);
    await expect(startDashboard({ broker, port: 0, user: "", password: "long-enough-secret" })).rejects.toBeInstanceOf(DashboardConfigError);
  });

  it("asks for the password, then shows every queue under the prefix", async () => {
    broker = new BullmqBroker({ url, prefix });
    await broker.declare("inbound.0", { ordered: true });
    await broker.declare("outbound.telegram");
    await broker.put("outbound.telegram", "send", { text: "hi" }, { id: "out-1" });
    dashboard = await startDashboard({ broker, port: 0, user: "ops", password: "long-enough-secret", basePath: "/queues" });
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/queues\/$/);

    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` });
    const anonymous = await fetch(dashboard.url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Basic realm=/);
    expect((await fetch(dashboard.url, { headers: basic("ops", "wrong") })).status).toBe(401);
    expect((await fetch(`${dashboard.url}api/queues`)).status).toBe(401);

    const page = await fetch(dashboard.url, { headers: basic("ops", "long-enough-secret") });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    const api = await fetch(`${dashboard.url}api/queues`, { headers: basic("ops", "long-enough-secret") });
    expect(api.status).toBe(200);
    const body = (await api.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    expect(body.queues.map((q) => q.name).sort()).toEqual(["inbound.0", "outbound.telegram"]);
    expect(body.queues.find((q) => q.name === "outbound.telegram")?.counts).toMatchObject({ waiting: 1 });
  });
});

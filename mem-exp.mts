import { FakeBotApi } from "./test/bots/fake-bot-api.ts";
import { embeddedRun, serverRun } from "./test/bench/memory.ts";
const api = await FakeBotApi.start(0);
const r = process.env.PART === "server" ? await serverRun(api) : await embeddedRun(api);
console.log(process.env.BENCH_MEMORY_NODE_FLAGS, JSON.stringify(r, (k, v) => (typeof v === "number" ? Math.round(v * 10) / 10 : v)));
await api.close();

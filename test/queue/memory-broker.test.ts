// The shared behaviour, in memory (the zero-setup demo's broker).
import { MemoryBroker } from "../../src/queue/index.ts";
import { brokerBehaviour } from "./behaviour.ts";

brokerBehaviour("memory", async () => {
  const broker = new MemoryBroker();
  return { broker, peer: async () => broker, cleanup: () => broker.close() };
});

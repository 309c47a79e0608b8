// WhatsApp's share: the Chromium whatsapp-web.js launches (through puppeteer, as bots/whatsapp/web-client.ts
// configures it), measured without WhatsApp (tests can't reach it) on a local page that does what a web
// app such as WhatsApp Web does at the least: a service worker, a web worker, IndexedDB, a few thousand
// elements. Launched once with the flags the app used before (BASE_ARGS) and once with CHROMIUM_ARGS;
// memory is read from /proc for the browser's whole process tree: RSS summed (what `ps` adds up;
// it counts the pages the processes share once per process) and PSS (each shared page split among its
// sharers: what the machine really gives them). Skipped, saying so, when there is no Chromium.
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CHROMIUM_ARGS, SERVER_CHROMIUM_ARGS } from "../../bots/whatsapp/web-client.ts";
import { fmt, table } from "./measure.ts";

/** The flags the app passed before the memory work (the server flags alone): the comparison's baseline. */
export const BASE_ARGS = SERVER_CHROMIUM_ARGS;

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>chats</title></head><body><ul id="list"></ul><script>
const list = document.getElementById("list");
for (let i = 0; i < 3000; i++) { const li = document.createElement("li"); li.textContent = "chat " + i + " — last message " + "x".repeat(40); list.appendChild(li); }
window.state = Array.from({ length: 100000 }, (_, i) => ({ id: i, text: "message " + i }));
const worker = new Worker(URL.createObjectURL(new Blob(["onmessage = (e) => postMessage(e.data * 2)"], { type: "text/javascript" })));
const workerAnswered = new Promise((r) => { worker.onmessage = (e) => r(e.data === 42); worker.postMessage(21); });
const swReady = navigator.serviceWorker.register("/sw.js").then(() => navigator.serviceWorker.ready).then(() => true);
const idb = new Promise((resolve, reject) => {
  const open = indexedDB.open("store", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("messages", { keyPath: "id" });
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const tx = open.result.transaction("messages", "readwrite");
    for (let i = 0; i < 5000; i++) tx.objectStore("messages").put({ id: i, text: "message " + i });
    tx.oncomplete = () => resolve(true);
    tx.onerror = () => reject(tx.error);
  };
});
window.ready = Promise.all([workerAnswered, swReady, idb]).then((r) => r.every(Boolean));
</script></body></html>`;
const SW = `self.addEventListener("install", () => self.skipWaiting()); self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim())); self.addEventListener("fetch", () => {});`;

function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${all[i]}/task`)) {
        const children = readFileSync(`/proc/${all[i]}/task/${task}/children`, "utf8").trim();
        if (children) all.push(...children.split(" ").map(Number));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return all;
}

/** Processes, RSS and PSS (MB) of a process tree. */
function treeMemory(pid: number): { processes: number; rss: number; pss: number } {
  let rss = 0;
  let pss = 0;
  let processes = 0;
  for (const p of processTree(pid)) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
      processes++;
    } catch {
      // Gone meanwhile.
    }
  }
  return { processes, rss: rss / 1024, pss: pss / 1024 };
}

interface Launch {
  processes: number;
  rss: number;
  pss: number;
  works: boolean;
  seconds: number;
}

async function measure(executablePath: string, args: readonly string[], url: string): Promise<Launch> {
  const { default: puppeteer } = await import("puppeteer");
  const t0 = performance.now();
  // As whatsapp-web.js launches it (it adds this flag to the ones given).
  const browser = await puppeteer.launch({ executablePath, headless: true, args: [...args, "--disable-blink-features=AutomationControlled"] });
  try {
    const page = (await browser.pages())[0] ?? (await browser.newPage());
    await page.goto(url, { waitUntil: "load" });
    const works = (await page.evaluate("window.ready")) === true;
    const seconds = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 5000)); // settled
    const pid = browser.process()?.pid;
    const m = pid === undefined ? { processes: 0, rss: Number.NaN, pss: Number.NaN } : treeMemory(pid);
    return { ...m, works, seconds };
  } finally {
    await browser.close();
  }
}

/** Prints the section; returns the trimmed launch (undefined without Chromium). */
export async function chromiumSection(executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium"): Promise<Launch | undefined> {
  console.log(`\n--- WhatsApp's Chromium (${executablePath}), with a local page (service worker, web worker, IndexedDB, 3,000 elements)\n`);
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    console.log(`No Chromium at ${executablePath} (CHROMIUM_PATH): not measured.`);
    return undefined;
  }
  const server: Server = createServer((req, res) => {
    if (req.url === "/sw.js") res.writeHead(200, { "content-type": "text/javascript" }).end(SW);
    else res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://localhost:${(server.address() as AddressInfo).port}/`;
  try {
    const runs: Array<[string, Launch]> = [];
    // Twice each, alternating: the machine's load changes under the runs.
    for (let i = 0; i < 2; i++) {
      runs.push(["flags before", await measure(executablePath, BASE_ARGS, url)]);
      runs.push(["CHROMIUM_ARGS (now)", await measure(executablePath, CHROMIUM_ARGS, url)]);
    }
    console.log(
      table(
        ["flags", "processes", "RSS summed MB", "PSS MB", "page ready s", "page worked"],
        runs.map(([label, r]) => [label, String(r.processes), fmt(r.rss, 0), fmt(r.pss, 0), fmt(r.seconds, 1), r.works ? "yes" : "NO"]),
      ),
    );
    return runs[runs.length - 1]?.[1];
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

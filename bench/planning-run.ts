// `npm run bench:planning -- [--skus 100000]`: only the replenishment planning bench (a local
// cloud of its own, N SKU-locations planned by one run of the planning workflow), table and JSON.
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { startLocalCloud } from "../local/cloud.js";
import { synth } from "../local/synth.js";
import { benchPlanning } from "./planning.js";

const { values } = parseArgs({ options: { skus: { type: "string", default: "100000" }, json: { type: "boolean", default: false } } });
const work = mkdtempSync(path.join(tmpdir(), "oms-bench-planning-"));
const cloud = await startLocalCloud({ assemblyDir: synth(path.join(work, "cdk.out")), dataDir: path.join(work, "data"), persist: false, seed: true });
try {
  const r = await benchPlanning(cloud, Number(values.skus));
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version };
  if (values.json) console.log(JSON.stringify({ machine, ...r }, null, 2));
  else {
    const c = r.nightlyRunOf1M.costUsd;
    console.log(`machine                     ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GiB, Node ${machine.node}
SKU-locations planned       ${r.skuLocations} in ${r.units} units: ${r.planSeconds.toFixed(1)} s → ${r.skuLocationsPerSecond.toFixed(1)} per second (${r.status}; seeding ${r.seedSeconds.toFixed(1)} s)
draft purchase order lines  ${r.draftLines}
per SKU-location            ${r.perSkuLocation.handlerMs.toFixed(2)} ms of function time, ${r.perSkuLocation.readUnits.toFixed(2)} RRU, ${r.perSkuLocation.writeUnits.toFixed(2)} WRU
nightly run of 1,000,000    $${(c.total ?? 0).toFixed(2)} (Lambda $${(c.lambda ?? 0).toFixed(2)}, Step Functions $${(c.stepFunctions ?? 0).toFixed(2)}, DynamoDB $${(c.dynamoDb ?? 0).toFixed(2)}), ~${r.nightlyRunOf1M.wallClockMinutesAtMaxConcurrency.toFixed(1)} min at 40 units at a time`);
    console.log(JSON.stringify(r));
  }
} finally {
  await cloud.stop();
}
process.exit(0);

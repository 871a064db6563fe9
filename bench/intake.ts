import { DynamoDBClient, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { SingleBar, Presets } from "cli-progress";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { signWebhook } from "../functions/adapters/channels/signature.js";
import { DynamoCatalog } from "../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../functions/adapters/dynamodb/client.js";
import { startLocalCloud } from "../local/cloud.js";
import { DynamoDbLocal } from "../local/dynamodb.js";
import { ensureJava } from "../local/java.js";
import { demoOrder } from "../local/seed.js";
import { ROOT, synth } from "../local/synth.js";
import { PRICES, costPerMillionOrders, type PerOrderUsage } from "./cost-model.js";
import { benchReturns } from "./returns.js";
import { benchInventory } from "./inventory.js";
import { benchChannels } from "./channels.js";
import { benchPlanning } from "./planning.js";
import { writeDemandFile } from "./demand-file.js";
import { backtestFile } from "../local/backtest.js";
import { quantile, runPool } from "./run-pool.js";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "500" },
    concurrency: { type: "string", default: "20" },
    json: { type: "boolean", default: false },
    reservations: { type: "string", default: "2000" },
    "no-synth": { type: "boolean", default: false },
    "plan-skus": { type: "string", default: "100000" },
  },
});
const N = Number(values.orders);
/** Unmeasured warm-up per phase: DynamoDB Local's JVM and the function instances start cold. */
const WARMUP = Math.min(100, N);
const C = Number(values.concurrency);
if (!Number.isInteger(N) || N < 1 || !Number.isInteger(C) || C < 1) throw new Error("--orders and --concurrency take positive integers");
const say = (line: string) => (values.json ? process.stderr.write(line + "\n") : console.log(line));

ensureJava();
const work = mkdtempSync(path.join(tmpdir(), "oms-bench-"));
const assemblyDir = values["no-synth"] ? path.join(ROOT, "cdk.out") : (say("Synthesizing..."), synth(path.join(work, "cdk.out")));
const cloud = await startLocalCloud({ assemblyDir, dataDir: path.join(work, "data"), persist: false, seed: true });
// Enough stock at the Berlin warehouse that every bench order is routed and reserved, none backordered.
const demoStock = new DynamoCatalog(documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "b", secretAccessKey: "b" } })), cloud.tableName);
for (const sku of ["TSHIRT-BLK-M", "MUG-LOGO"]) await demoStock.putStock({ sku, locationId: "WH-BER", onHand: 1_000_000, reserved: 0, safetyStock: 0, reorderPoint: 0 });
let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

try {
  const bar = (label: string) => {
    const b = new SingleBar({ format: `${label.padEnd(22)} [{bar}] {value}/{total} {duration}s`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    b.start(N, 0);
    return b;
  };

  // 1. Raw DynamoDB Local: the same number of transactions of the same size (dedupe + header + 2 lines), no Lambda, no HTTP.
  const raw = new DynamoDbLocal(Number(new URL(cloud.dynamoEndpoint).port), undefined);
  const rawTx = async (key: string) => {
    const item = (sk: string) => ({ Put: { TableName: cloud.tableName, Item: { PK: { S: `BENCH#${key}` }, SK: { S: sk }, type: { S: "Bench" }, payload: { S: "x".repeat(300) } }, ConditionExpression: "attribute_not_exists(PK)" } });
    await raw.client.send(new TransactWriteItemsCommand({ TransactItems: [item("A"), item("B"), item("C"), item("D")] }));
  };
  say(`Warming up DynamoDB Local (${WARMUP} transactions)...`);
  await runPool(WARMUP, C, (i) => rawTx(`warm-${i}`));
  const rawBar = bar("raw DynamoDB writes");
  const rawStart = performance.now();
  await runPool(N, C, (i) => rawTx(String(i)), () => rawBar.increment());
  const rawSeconds = (performance.now() - rawStart) / 1000;
  rawBar.stop();

  // 2. Intake: signed webhooks through the HTTP API at the same concurrency.
  const secret = cloud.channelSecrets.generic ?? "";
  const runId = Date.now().toString(36);
  const failures: string[] = [];
  const orderIds = new Map<string, string>();
  const post = async (externalId: string) => {
    const body = JSON.stringify(demoOrder(externalId));
    const res = await fetch(`${cloud.apiUrl}/webhooks/generic`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-oms-signature": signWebhook(secret, body) },
      body,
    });
    if (res.status !== 202) failures.push(`${res.status} ${await res.text()}`);
    else orderIds.set(externalId, ((await res.json()) as { orderId: string }).orderId);
  };
  // The locations and the carrier do their part: each released shipment is handed over, then delivered.
  const operator = { authorization: `Bearer ${cloud.operatorToken}`, "content-type": "application/json" };
  const carrierSecret = cloud.carrierSecrets.default ?? "";
  const shipmentsOf = async (orderId: string) =>
    ((await (await fetch(`${cloud.apiUrl}/orders/${orderId}`, { headers: operator })).json()) as { shipments: { shipmentId: string; status: string; carrierShipment?: { carrier: string; trackingNumber: string } }[] }).shipments;
  const handOver = async (orderId: string) => {
    for (const s of (await shipmentsOf(orderId)).filter((x) => x.status === "RELEASED")) {
      const res = await fetch(`${cloud.apiUrl}/fulfillments/${s.shipmentId}/events`, { method: "POST", headers: operator, body: JSON.stringify({ type: "shipped", carrier: "oms-post", weightGrams: 1100 }) });
      if (res.status !== 200) failures.push(`shipped ${res.status} ${await res.text()}`);
      else await res.arrayBuffer();
    }
  };
  const deliver = async (orderId: string) => {
    for (const s of (await shipmentsOf(orderId)).filter((x) => x.status === "SHIPPED" && x.carrierShipment)) {
      const raw = JSON.stringify({ trackingNumber: s.carrierShipment!.trackingNumber, status: "delivered" });
      const res = await fetch(`${cloud.apiUrl}/carriers/${s.carrierShipment!.carrier}/tracking`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(carrierSecret, raw) }, body: raw });
      if (res.status !== 200) failures.push(`delivered ${res.status} ${await res.text()}`);
      else await res.arrayBuffer();
    }
  };
  const toDelivery = async (prefix: string, count: number, label?: string) => {
    const ids = Array.from({ length: count }, (_, i) => orderIds.get(`${prefix}-${i}`)).filter((x): x is string => !!x);
    const b1 = label ? bar(`${label}: handover`) : undefined;
    await runPool(ids.length, C, (i) => handOver(ids[i]!), () => b1?.increment());
    b1?.stop();
    await cloud.idle();
    const b2 = label ? bar(`${label}: delivery`) : undefined;
    await runPool(ids.length, C, (i) => deliver(ids[i]!), () => b2?.increment());
    b2?.stop();
    await cloud.idle();
  };
  say(`Warming up the functions (${WARMUP} orders)...`);
  await runPool(WARMUP, C, (i) => post(`warm-${runId}-${i}`));
  await cloud.idle();
  await toDelivery(`warm-${runId}`, WARMUP);
  const warmColdStarts = Object.values(cloud.lambda.stats.coldStarts).reduce((a, b) => a + b, 0);
  // Each function's bundle, and its cold starts here (the warm-up starts every function the order path uses).
  const functions = [...cloud.lambda.functions.values()]
    .map((f) => {
      const init = cloud.lambda.stats.initMs[f.name] ?? [];
      return { function: f.logicalId.replace(/[0-9A-F]{8}$/, ""), bundleKb: Math.round(statSync(path.join(f.codeDir, "index.mjs")).size / 1024), coldStarts: init.length, initMsMedian: init.length ? quantile(init, 0.5) : null };
    })
    .sort((a, b) => b.bundleKb - a.bundleKb);
  cloud.resetStats();
  const warmLogBytes = readdirSync(path.join(work, "data", "logs")).reduce((s, f) => s + statSync(path.join(work, "data", "logs", f)).size, 0);
  const intakeBar = bar("intake (HTTP 202)");
  const intakeStart = performance.now();
  const latencies = await runPool(N, C, (i) => post(`bench-${runId}-${i}`), () => intakeBar.increment());
  const intakeSeconds = (performance.now() - intakeStart) / 1000;
  intakeBar.stop();

  // 3. Let every workflow run to its wait on the locations, then take each order to delivery.
  await cloud.idle();
  const end2endSeconds = (performance.now() - intakeStart) / 1000;
  const fulfillStart = performance.now();
  await toDelivery(`bench-${runId}`, N, "fulfillment");
  const fulfillSeconds = (performance.now() - fulfillStart) / 1000;
  const executions = [...cloud.sfn.executions.values()].filter((e) => !(JSON.parse(e.input) as { order?: { externalOrderId?: string } }).order?.externalOrderId?.startsWith("warm-"));
  const byStatus = executions.reduce<Record<string, number>>((acc, e) => ((acc[e.status] = (acc[e.status] ?? 0) + 1), acc), {});
  const lambdaStats = cloud.lambda.stats;
  // The bench's own reads (GET /orders/{id}, to find the shipments to hand over) are not the order's cost.
  const ours = (name: string) => !/-GetOrder[0-9A-F]{8}$/.test(name);
  const invocations = Object.entries(lambdaStats.invocations).reduce((a, [name, n]) => a + (ours(name) ? n : 0), 0);
  // Billed like Lambda: each handler's own duration (from its REPORT line), not the wall clock of a
  // call that also queued for one of the two cores; the wall-clock figure is kept beside it.
  const gbSecondsOf = (ms: Record<string, number>) => [...cloud.lambda.functions.values()].filter((f) => ours(f.name)).reduce((s, f) => s + ((ms[f.name] ?? 0) / 1000) * (f.memorySize / 1024), 0);
  const gbSeconds = gbSecondsOf(lambdaStats.handlerMs);
  const wallGbSeconds = gbSecondsOf(lambdaStats.durationMs);
  const logDir = path.join(work, "data", "logs");
  const logBytes = readdirSync(logDir).reduce((s, f) => s + statSync(path.join(logDir, f)).size, 0) - warmLogBytes;
  // The raw baseline's traffic went straight to DynamoDB Local, so the endpoint's counters are the functions' alone.
  const ddb = cloud.endpoint.dynamoStats;
  const usage: PerOrderUsage = {
    lambdaInvocations: invocations / N,
    lambdaGbSeconds: gbSeconds / N,
    stateTransitions: executions.reduce((s, e) => s + e.transitions, 0) / N,
    dynamoWriteUnits: ddb.writeCapacityUnits / N,
    dynamoReadUnits: ddb.readCapacityUnits / N,
    eventBridgeEntries: cloud.events.stats.entries / N,
    // The webhook, the location's `shipped` callback and the carrier's delivery scan.
    httpRequests: 3,
    logBytes: logBytes / N,
  };
  const cost = costPerMillionOrders(usage);
  // Snapshot before the inventory bench, whose stock changes invoke the stream consumer.
  const invocationsByFunction = { ...lambdaStats.invocations };
  const coldStartsDuringMeasurement = Object.values(lambdaStats.coldStarts).reduce((a, b) => a + b, 0);
  say(`Returns (${Math.min(N, 100)} ship-back, refunded in full)...`);
  const returns = await benchReturns(cloud, [...orderIds.entries()].filter(([k]) => k.startsWith(`bench-${runId}-`)).slice(0, Math.min(N, 100)).map(([, v]) => v), C, path.join(work, "data", "logs"));
  say(`Hot-SKU reservations (${values.reservations})...`);
  const inventory = await benchInventory(cloud, Number(values.reservations), C);
  const channelOrders = Math.min(N, 200);
  say(`Marketplace webhooks (${channelOrders} Shopify, ${channelOrders} WooCommerce)...`);
  const channels = await benchChannels(cloud, channelOrders, C);
  const planSkus = Number(values["plan-skus"]);
  say(`Replenishment planning (${planSkus} SKU-locations through the Distributed Map)...`);
  const planning = planSkus > 0 ? await benchPlanning(cloud, planSkus) : undefined;
  say("Backtest of the planner on the generated demand file (300 SKUs × 364 days: seasonal, intermittent, lumpy)...");
  const backtestStarted = performance.now();
  const backtest = { ...backtestFile(writeDemandFile(path.join(work, "demand.csv")), {}), seconds: (performance.now() - backtestStarted) / 1000 };
  const rawRate = N / rawSeconds;
  const intakeRate = N / intakeSeconds;
  const result = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", memoryGb: Math.round(totalmem() / 1024 ** 3), node: process.version },
    orders: N,
    concurrency: C,
    failures: failures.length,
    intake: {
      p50Ms: quantile(latencies, 0.5),
      p95Ms: quantile(latencies, 0.95),
      p99Ms: quantile(latencies, 0.99),
      ordersPerSecond: intakeRate,
      endToEndOrdersPerSecond: N / end2endSeconds,
    },
    fulfillment: { handoverToDeliverySeconds: fulfillSeconds, ordersPerSecond: N / fulfillSeconds },
    rawDynamoDb: { transactionsPerSecond: rawRate, itemsPerTransaction: 4 },
    intakeToRawRatio: intakeRate / rawRate,
    executions: byStatus,
    lambdaDuration: { billedAs: "the handler's own duration per invocation (REPORT Duration), summed", wallClockGbSecondsPerOrder: wallGbSeconds / N },
    functions,
    perOrder: { ...usage, lambdaByFunction: Object.fromEntries(Object.entries(invocationsByFunction).filter(([k]) => ours(k)).map(([k, v]) => [k.replace(/^Oms-\w+-Stateless-/, ""), v / N])) },
    coldStarts: { duringWarmup: warmColdStarts, duringMeasurement: coldStartsDuringMeasurement },
    warmup: WARMUP,
    peakRssMb: Math.round(peakRss / 1024 ** 2),
    costPerMillionOrdersUsd: cost,
    inventory,
    returns,
    channels,
    planning,
    backtest,
    pricesAsOf: PRICES.asOf,
  };

  mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(path.join(ROOT, "bench", "results", `intake-${new Date().toISOString().replace(/[:.]/g, "-")}.json`), JSON.stringify(result, null, 2));
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else {
    const f = (n: number, d = 1) => n.toFixed(d);
    const rows: [string, string][] = [
      ["machine", `${result.machine.cpus} × ${result.machine.cpuModel}, ${result.machine.memoryGb} GiB, Node ${result.machine.node}`],
      ["orders / concurrency", `${N} / ${C} (${failures.length} failed), after ${WARMUP} unmeasured warm-up orders`],
      ["intake latency p50/p95/p99", `${f(result.intake.p50Ms)} / ${f(result.intake.p95Ms)} / ${f(result.intake.p99Ms)} ms`],
      ["intake throughput", `${f(intakeRate)} orders/s (to release at the location, workflows included: ${f(result.intake.endToEndOrdersPerSecond)}/s)`],
      ["handover → delivered", `${f(result.fulfillment.ordersPerSecond)} orders/s (shipped callback, carrier booking, capture, delivery scan)`],
      ["raw DynamoDB Local", `${f(rawRate)} transactions/s of 4 items → intake is ${f(result.intakeToRawRatio * 100)}% of it`],
      ["executions", Object.entries(byStatus).map(([k, v]) => `${k} ${v}`).join(", ")],
      ["per order: Lambda", `${f(usage.lambdaInvocations, 2)} invocations, ${f(usage.lambdaGbSeconds * 1000, 1)} GB-ms billed (handler time; ${f((wallGbSeconds / N) * 1000, 1)} GB-ms wall clock with queueing)`],
      ["per order: DynamoDB", `${f(usage.dynamoWriteUnits, 2)} WRU, ${f(usage.dynamoReadUnits, 2)} RRU`],
      ["per order: Step Functions", `${f(usage.stateTransitions, 2)} state transitions, capture to delivery (target ≤ 10)`],
      ["per order: EventBridge", `${f(usage.eventBridgeEntries, 2)} entries`],
      ["per order: logs", `${f(usage.logBytes / 1024, 2)} KiB`],
      ["peak RSS (Node side)", `${result.peakRssMb} MiB`],
      ...Object.entries(cost).map(([k, v]): [string, string] => [`cost / 1M orders: ${k}`, `$${f(v, 2)}`]),
      ["prices as of", PRICES.asOf],
      ["returns", `${returns.returns} ship-back returns (${returns.closed} closed, ${returns.failures} failed calls), ${f(returns.returnsPerSecond)} returns/s request to refund`],
      ["per return", `${f(returns.perReturn.stateTransitions, 2)} state transitions (target ≤ 8), ${f(returns.perReturn.lambdaInvocations, 2)} Lambda invocations, ${f(returns.perReturn.dynamoWriteUnits, 2)} WRU, ${f(returns.perReturn.dynamoReadUnits, 2)} RRU, ${f(returns.perReturn.eventBridgeEntries, 2)} events`],
      ["cost / 1M returns: total", `$${f(returns.costPerMillionReturnsUsd.total ?? 0, 2)} (Step Functions $${f(returns.costPerMillionReturnsUsd.stepFunctions ?? 0, 2)}, Lambda $${f((returns.costPerMillionReturnsUsd.lambdaRequests ?? 0) + (returns.costPerMillionReturnsUsd.lambdaDuration ?? 0), 2)}, DynamoDB $${f((returns.costPerMillionReturnsUsd.dynamoWrites ?? 0) + (returns.costPerMillionReturnsUsd.dynamoReads ?? 0), 2)})`],
      ["hot-SKU reservations", `${f(inventory.hotSkuReservationsPerSecond)}/s vs raw conditional UpdateItem ${f(inventory.rawConditionalUpdatesPerSecond)}/s on one item → ${f(inventory.ratioToRaw, 2)} of raw (p50 ${f(inventory.reserveP50Ms)} ms, p99 ${f(inventory.reserveP99Ms)} ms)`],
      ["  vs a raw 2-item transaction", `${f(inventory.rawTransactionsPerSecond)}/s → ${f(inventory.ratioToRawTransaction, 2)} of it (the floor of any TransactWriteItems design here)`],
      ["write units", `${f(inventory.writeUnitsPerReserve, 2)} per single-line reserve, ${f(inventory.writeUnitsPerRelease, 2)} per release; drift after: ${inventory.drift}`],
      ...channels.webhooks.map((w): [string, string] => [w.label, `p50/p95/p99 ${f(w.p50Ms)} / ${f(w.p95Ms)} / ${f(w.p99Ms)} ms, ${f(w.ordersPerSecond)} orders/s`]),
      ["marketplace orders after", `${Object.entries(channels.statusesAfter).map(([k, v]) => `${k} ${v}`).join(", ")} (${channels.failures} failed webhooks)`],
      ["Shopify outbound per shipped order", `${f(channels.outbound.fulfillmentCallsPerShippedOrder)} calls (${f(channels.outbound.fulfillmentCreatePerShippedOrder)} fulfillmentCreate) over ${channels.outbound.shopifyOrdersShipped} shipped`],
      ...(planning
        ? ([
            ["planning", `${planning.skuLocations} SKU-locations in ${planning.units} units: ${f(planning.planSeconds)} s, ${f(planning.skuLocationsPerSecond)} SKU-locations/s (${planning.status}; seeding took ${f(planning.seedSeconds)} s; ${planning.draftLines} draft PO lines)`],
            ["planning per SKU-location", `${f(planning.perSkuLocation.handlerMs, 2)} ms of function time, ${f(planning.perSkuLocation.readUnits, 2)} RRU, ${f(planning.perSkuLocation.writeUnits, 2)} WRU`],
            ["nightly run of 1M SKU-locations", `$${f(planning.nightlyRunOf1M.costUsd.total ?? 0, 2)} (Lambda $${f(planning.nightlyRunOf1M.costUsd.lambda ?? 0, 2)}, Step Functions $${f(planning.nightlyRunOf1M.costUsd.stepFunctions ?? 0, 2)}, DynamoDB $${f(planning.nightlyRunOf1M.costUsd.dynamoDb ?? 0, 2)}), ~${f(planning.nightlyRunOf1M.wallClockMinutesAtMaxConcurrency)} min at 40 units at a time`],
          ] as [string, string][])
        : []),
      ...backtest.methods.map((m): [string, string] => [`backtest ${m.method}`, `MASE ${f(m.mase, 3)}, RMSSE ${f(m.rmsse, 3)} over ${m.series} forecasts`]),
      ...backtest.policies.map((p): [string, string] => [`backtest policy ${p.policy}`, `fill rate ${f(p.fillRate, 4)} (target ${backtest.targetFillRate}), average stock ${f(p.averageInventory)}, ${p.orders} orders, ${p.stockoutDays} stockout days`]),
      ["Shopify stock calls", `${f(channels.outbound.stockCallsPerShopifyOrder)} per Shopify order (coalesced; ${channels.outbound.stockCallsDuringIntake} during the intake burst)`],
    ];
    const w = Math.max(...rows.map(([k]) => k.length));
    console.log("\n" + rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n"));
    const fw = Math.max(...functions.map((x) => x.function.length));
    console.log(`\n${"function".padEnd(fw)}  bundle KB  cold starts  init ms (median, local)`);
    for (const x of functions) console.log(`${x.function.padEnd(fw)}  ${String(x.bundleKb).padStart(9)}  ${String(x.coldStarts).padStart(11)}  ${x.initMsMedian === null ? "-" : f(x.initMsMedian)}`);
    console.log("\nJSON:\n" + JSON.stringify(result));
  }
  if (failures.length) console.error(`First failures:\n${failures.slice(0, 5).join("\n")}`);
} finally {
  clearInterval(sampler);
  await cloud.stop();
  rmSync(work, { recursive: true, force: true });
}
// Everything the bench started is stopped by now. A handle a dependency leaves behind (seen: the
// exited DynamoDB Local child's pipe and two MessagePorts) must not keep the command waiting.
process.exit(process.exitCode ?? 0);

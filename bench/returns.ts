import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { signWebhook } from "../functions/adapters/channels/signature.js";
import type { LocalCloud } from "../local/cloud.js";
import { costPerMillionOrders, type PerOrderUsage } from "./cost-model.js";
import { runPool } from "./run-pool.js";

/**
 * The returns bench: every delivered order sends all units of its first line back (ship-back):
 * request, the carrier's in-transit scan, the location's receipt and inspection (restock), then
 * the refund. Measures per return what the order bench measures per order, and models the cost
 * per 1M returns with the same prices.
 */
export async function benchReturns(cloud: LocalCloud, orderIds: string[], concurrency: number, logDir: string) {
  const operator = { authorization: `Bearer ${cloud.operatorToken}`, "content-type": "application/json" };
  const failures: string[] = [];
  const call = async (method: string, url: string, body?: unknown, key?: string) => {
    const res = await fetch(`${cloud.apiUrl}${url}`, { method, headers: { ...operator, ...(key ? { "idempotency-key": key } : {}) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) failures.push(`${method} ${url} ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
    return json;
  };
  const logBytes = () => readdirSync(logDir).reduce((s, f) => s + statSync(path.join(logDir, f)).size, 0);
  const quantities = new Map<string, number>();
  await runPool(orderIds.length, concurrency, async (i) => {
    const order = await call("GET", `/orders/${orderIds[i]!}`);
    quantities.set(orderIds[i]!, (order.lines as { quantity: number }[])[0]!.quantity);
  });
  await cloud.idle();
  cloud.resetStats();
  const logsBefore = logBytes();
  const started = performance.now();
  const returnIds: string[] = [];
  await runPool(orderIds.length, concurrency, async (i) => {
    const r = await call("POST", `/orders/${orderIds[i]!}/returns`, { method: "ship-back", lines: [{ lineId: "001", quantity: quantities.get(orderIds[i]!), reason: "unwanted" }] }, `bench-${orderIds[i]!}`);
    if (typeof r.returnId === "string") returnIds.push(r.returnId);
  });
  await cloud.idle();
  const carrierSecret = cloud.carrierSecrets.default ?? "";
  await runPool(returnIds.length, concurrency, async (i) => {
    const r = await call("GET", `/returns/${returnIds[i]!}`);
    const label = r.label as { carrier: string; trackingNumber: string } | undefined;
    if (!label) return void failures.push(`${returnIds[i]!}: no label`);
    const raw = JSON.stringify({ trackingNumber: label.trackingNumber, status: "in_transit" });
    const res = await fetch(`${cloud.apiUrl}/carriers/${label.carrier}/tracking`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(carrierSecret, raw) }, body: raw });
    if (res.status !== 200) failures.push(`in_transit ${res.status}`);
    await res.arrayBuffer();
    const lines = (r.lines as { lineId: string; quantity: number }[]).map((l) => ({ lineId: l.lineId, quantity: l.quantity }));
    await call("POST", `/returns/${returnIds[i]!}/events`, { type: "received", lines }, `${returnIds[i]!}.received`);
    await call("POST", `/returns/${returnIds[i]!}/events`, { type: "inspected", lines: lines.map((l) => ({ lineId: l.lineId, dispositions: { restock: l.quantity } })) }, `${returnIds[i]!}.inspected`);
  });
  await cloud.idle();
  const seconds = (performance.now() - started) / 1000;
  const R = Math.max(1, returnIds.length);
  const executions = [...cloud.sfn.executions.values()].filter((e) => returnIds.some((id) => e.executionArn.endsWith(`:${id}`)));
  const closed = executions.filter((e) => e.status === "SUCCEEDED").length;
  // The bench's own reads (to find the label) are not the return's cost.
  const ours = (name: string) => !/-(GetOrder|OrderReturns)[0-9A-F]{8}$/.test(name);
  const stats = cloud.lambda.stats;
  const invocations = Object.entries(stats.invocations).reduce((a, [n, v]) => a + (ours(n) ? v : 0), 0);
  const gbSeconds = [...cloud.lambda.functions.values()].filter((f) => ours(f.name)).reduce((s, f) => s + ((stats.handlerMs[f.name] ?? 0) / 1000) * (f.memorySize / 1024), 0);
  const usage: PerOrderUsage = {
    lambdaInvocations: invocations / R,
    lambdaGbSeconds: gbSeconds / R,
    stateTransitions: executions.reduce((s, e) => s + e.transitions, 0) / R,
    dynamoWriteUnits: cloud.endpoint.dynamoStats.writeCapacityUnits / R,
    dynamoReadUnits: cloud.endpoint.dynamoStats.readCapacityUnits / R,
    eventBridgeEntries: cloud.events.stats.entries / R,
    // The request, the carrier's scan, the receipt and the inspection.
    httpRequests: 4,
    logBytes: (logBytes() - logsBefore) / R,
  };
  return { returns: returnIds.length, closed, failures: failures.length, firstFailures: failures.slice(0, 3), returnsPerSecond: returnIds.length / seconds, perReturn: usage, costPerMillionReturnsUsd: costPerMillionOrders(usage) };
}

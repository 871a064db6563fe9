import { BatchWriteItemCommand, DynamoDBClient, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { documentClient } from "../functions/adapters/dynamodb/client.js";
import { ITEM_TYPES, keys } from "../functions/adapters/dynamodb/keys.js";
import { DynamoPurchasing } from "../functions/adapters/dynamodb/purchasing-store.js";
import type { LocalCloud } from "../local/cloud.js";
import { PRICES } from "./cost-model.js";
import { runPool } from "./run-pool.js";

/** AWS Step Functions Express pricing (the Distributed Map's child executions), us-east-1, as last known (2025-11). */
const EXPRESS = { perMillionRequests: 1.0, perGbSecond: 0.00001667, minimumGb: 0.0625 };

export interface PlanningBench {
  skuLocations: number;
  units: number;
  seedSeconds: number;
  planSeconds: number;
  skuLocationsPerSecond: number;
  draftLines: number;
  perSkuLocation: { readUnits: number; writeUnits: number; handlerMs: number };
  nightlyRunOf1M: { units: number; wallClockMinutesAtMaxConcurrency: number; costUsd: Record<string, number> };
  status: string;
}

/**
 * Nightly planning at scale: N SKU-locations at one location, each with a supplier, a tenth with
 * 90 days of demand (so they forecast, and some reach their reorder point), planned by one run of
 * the replenishment-planning workflow (Distributed Map) on the local cloud. The cost of a run of
 * 1,000,000 is modelled from what this run measured per SKU-location.
 */
export async function benchPlanning(cloud: LocalCloud, n: number): Promise<PlanningBench> {
  const client = new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "b", secretAccessKey: "b" }, maxAttempts: 20 });
  const loc = `PLAN-${Date.now().toString(36)}`;
  const today = new Date(cloud.clock.now()).toISOString().slice(0, 10);
  const items: Record<string, unknown>[] = [
    { ...keys.location(loc), type: ITEM_TYPES.location, locationId: loc, name: "Planning bench", kind: "warehouse", country: "DE", lat: 50, lon: 10, capabilities: ["ship"], dailyCapacity: 1, handlingCost: { amount: 100, currency: "EUR" }, priority: 99, active: false, groups: [] },
    { ...keys.supplier("BENCH-SUP"), ...keys.supplierIndex("BENCH-SUP"), type: ITEM_TYPES.supplier, supplierId: "BENCH-SUP", name: "Bench supplier", contact: { email: "bench@example.com" }, currency: "EUR", leadTime: { meanDays: 7, sdDays: 2 }, orderDays: ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"], autoApproveBelow: 0, receiptTolerance: 0.05, skus: [], updatedAt: today, version: 1 },
  ];
  for (let i = 0; i < n; i++) {
    const sku = `PB-${String(i).padStart(7, "0")}`;
    items.push({ ...keys.stock(sku, loc), ...keys.stockIndex(sku, loc), type: ITEM_TYPES.stock, sku, locationId: loc, onHand: i % 50, reserved: 0, safetyStock: 0, reorderPoint: 0, available: i % 50, version: 1 });
    items.push({ ...keys.supply(sku, "BENCH-SUP"), type: ITEM_TYPES.supply, sku, supplierId: "BENCH-SUP", currency: "EUR", price: 100 + (i % 900), moq: 10, pack: 6, preference: 1, leadTimeDays: 7, leadTimeSdDays: 2 });
    if (i % 10 === 0) {
      // Three months of demand: about 2 a day, every third day none.
      for (let m = 1; m <= 3; m++) {
        const month = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1 - m, 1)).toISOString().slice(0, 7);
        const days: Record<string, number> = {};
        for (let d = 1; d <= 28; d++) if ((d + i) % 3) days[`d${String(d).padStart(2, "0")}`] = 1 + ((d * 7 + i) % 3);
        items.push({ ...keys.demandMonth(sku, loc, month), type: ITEM_TYPES.demand, sku, scope: loc, month, ...days, version: 1 });
      }
    }
  }
  const t0 = performance.now();
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item: marshall(Item, { removeUndefinedValues: true }) } })));
  await runPool(batches.length, 8, async (b) => {
    let pending: WriteRequest[] | undefined = batches[b];
    while (pending?.length) pending = (await client.send(new BatchWriteItemCommand({ RequestItems: { [cloud.tableName]: pending } }))).UnprocessedItems?.[cloud.tableName];
  });
  const seedSeconds = (performance.now() - t0) / 1000;

  const arn = cloud.stateMachineArns[Object.keys(cloud.stateMachineArns).find((k) => k.endsWith("replenishment-planning")) ?? ""] ?? "";
  const stats = cloud.lambda.stats;
  const fn = [...cloud.lambda.functions.values()].find((f) => /-Replenishment[0-9A-F]{8}$/.test(f.name));
  const msBefore = fn ? (stats.handlerMs[fn.name] ?? 0) : 0;
  const ddbBefore = { ...cloud.endpoint.dynamoStats };
  const t1 = performance.now();
  const execution = cloud.sfn.startExecution(arn, `bench-${loc}`, "{}");
  while (execution.status === "RUNNING") await new Promise((r) => setTimeout(r, 250));
  const planSeconds = (performance.now() - t1) / 1000;
  const handlerMs = fn ? (stats.handlerMs[fn.name] ?? 0) - msBefore : 0;
  const ddb = { reads: cloud.endpoint.dynamoStats.readCapacityUnits - ddbBefore.readCapacityUnits, writes: cloud.endpoint.dynamoStats.writeCapacityUnits - ddbBefore.writeCapacityUnits };
  const draft = await new DynamoPurchasing(documentClient(client), cloud.tableName).draftOf("BENCH-SUP", loc);
  const units = Math.ceil(n / 1000);
  const per = { readUnits: ddb.reads / n, writeUnits: ddb.writes / n, handlerMs: handlerMs / n };
  // A run of 1,000,000 SKU-locations: 1,000 units of 1,000 (each a child Express execution with one 1 GB call).
  const M = 1_000_000;
  const mUnits = M / 1000;
  const lambdaGbSeconds = (per.handlerMs * M) / 1000;
  const costUsd = {
    lambda: ((mUnits + 2) / 1e6) * PRICES.lambdaPerMillionRequests + lambdaGbSeconds * PRICES.lambdaArmPerGbSecond,
    stepFunctions: ((6 + mUnits) / 1000) * PRICES.stepFunctionsStandardPerThousandTransitions + (mUnits / 1e6) * EXPRESS.perMillionRequests + ((per.handlerMs * M) / 1000) * EXPRESS.minimumGb * EXPRESS.perGbSecond,
    dynamoDb: ((per.readUnits * M) / 1e6) * PRICES.dynamoOnDemandPerMillionReadUnits + ((per.writeUnits * M) / 1e6) * PRICES.dynamoOnDemandPerMillionWriteUnits,
  };
  return {
    skuLocations: n,
    units,
    seedSeconds,
    planSeconds,
    skuLocationsPerSecond: n / planSeconds,
    draftLines: draft?.lines.length ?? 0,
    perSkuLocation: per,
    // Forty units at a time (the Map's MaxConcurrency), each as long as this run's units took on average.
    nightlyRunOf1M: { units: mUnits, wallClockMinutesAtMaxConcurrency: (mUnits / 40) * ((per.handlerMs * 1000) / 1000) / 60, costUsd: { ...costUsd, total: costUsd.lambda + costUsd.stepFunctions + costUsd.dynamoDb } },
    status: execution.status,
  };
}

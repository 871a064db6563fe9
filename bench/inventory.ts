import { DynamoDBClient, PutItemCommand, TransactWriteItemsCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { documentClient } from "../functions/adapters/dynamodb/client.js";
import { checkInventoryDrift } from "../functions/adapters/dynamodb/inventory-drift.js";
import { DynamoReservations } from "../functions/adapters/dynamodb/reservations.js";
import { DynamoStockLedger } from "../functions/adapters/dynamodb/stock-ledger.js";
import type { LocalCloud } from "../local/cloud.js";
import { quantile, runPool } from "./run-pool.js";

export interface InventoryBench {
  reservations: number;
  concurrency: number;
  rawConditionalUpdatesPerSecond: number;
  /** The floor of any transactional design: a raw two-item TransactWriteItems (conditional update + conditional put). */
  rawTransactionsPerSecond: number;
  ratioToRawTransaction: number;
  hotSkuReservationsPerSecond: number;
  ratioToRaw: number;
  reserveP50Ms: number;
  reserveP99Ms: number;
  writeUnitsPerReserve: number;
  writeUnitsPerRelease: number;
  drift: number;
}

/**
 * Hot-SKU reservations: N single-line reservations of one SKU at one location (one stock item),
 * beside N raw conditional UpdateItems on one item, both through the local cloud's endpoint to
 * the same DynamoDB Local, at the same concurrency. Write units come from ConsumedCapacity.
 */
export async function benchInventory(cloud: LocalCloud, n: number, concurrency: number): Promise<InventoryBench> {
  const client = new DynamoDBClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "b", secretAccessKey: "b" }, maxAttempts: 10 });
  const db = documentClient(client);
  const inv = new DynamoReservations(db, cloud.tableName, { now: () => new Date().toISOString() });
  const sku = `HOT-${Date.now().toString(36)}`;
  // The stream consumer would otherwise share these 2 cores with the writes being measured; in AWS
  // it runs apart. Records wait in the stream and are published after the measurement.
  cloud.streams.pause();
  await new DynamoStockLedger(db, cloud.tableName, { now: () => new Date().toISOString() }, { next: () => crypto.randomUUID() }).putStock({ sku, locationId: "WH-BER", onHand: n * 10, reserved: 0, safetyStock: 0, reorderPoint: 0 });
  await client.send(new PutItemCommand({ TableName: cloud.tableName, Item: { PK: { S: `BENCH#RAW#${sku}` }, SK: { S: "COUNTER" }, n: { N: "0" } } }));
  const raw = async () => {
    await client.send(
      new UpdateItemCommand({
        TableName: cloud.tableName,
        Key: { PK: { S: `BENCH#RAW#${sku}` }, SK: { S: "COUNTER" } },
        UpdateExpression: "SET n = n + :one",
        ConditionExpression: "n < :max",
        ExpressionAttributeValues: { ":one": { N: "1" }, ":max": { N: String(n * 10) } },
      }),
    );
  };
  await runPool(Math.min(200, n), concurrency, raw); // warm-up
  let t0 = performance.now();
  await runPool(n, concurrency, raw);
  const rawRate = n / ((performance.now() - t0) / 1000);
  const rawTx = async (i: number) => {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Update: {
              TableName: cloud.tableName,
              Key: { PK: { S: `BENCH#RAW#${sku}` }, SK: { S: "COUNTER" } },
              UpdateExpression: "SET n = n + :one",
              ConditionExpression: "n < :max",
              ExpressionAttributeValues: { ":one": { N: "1" }, ":max": { N: String(n * 10) } },
            },
          },
          { Put: { TableName: cloud.tableName, Item: { PK: { S: `BENCH#RAW#${sku}` }, SK: { S: `TX#${i}` } }, ConditionExpression: "attribute_not_exists(PK)" } },
        ],
      }),
    );
  };
  await runPool(Math.min(200, n), concurrency, (i) => rawTx(n + i)); // warm-up
  t0 = performance.now();
  await runPool(n, concurrency, rawTx);
  const rawTxRate = n / ((performance.now() - t0) / 1000);

  await runPool(Math.min(200, n), concurrency, (i) => inv.reserve({ orderId: `warm-${sku}-${i}`, lines: [{ lineId: "1", sku, locationId: "WH-BER", quantity: 1 }] }).then(() => undefined));
  const before = { ...cloud.endpoint.dynamoStats };
  t0 = performance.now();
  const latencies = await runPool(n, concurrency, (i) => inv.reserve({ orderId: `bench-${sku}-${i}`, lines: [{ lineId: "1", sku, locationId: "WH-BER", quantity: 1 }] }).then(() => undefined));
  const hotRate = n / ((performance.now() - t0) / 1000);
  const afterReserve = { ...cloud.endpoint.dynamoStats };
  const releases = Math.min(200, n);
  await runPool(releases, concurrency, (i) => inv.close(`bench-${sku}-${i}`, [{ lineId: "1", sku, locationId: "WH-BER" }], "RELEASED").then(() => undefined));
  const afterRelease = { ...cloud.endpoint.dynamoStats };
  cloud.streams.resume();
  await cloud.idle();
  const report = await checkInventoryDrift(db, cloud.tableName);
  return {
    reservations: n,
    concurrency,
    rawConditionalUpdatesPerSecond: rawRate,
    hotSkuReservationsPerSecond: hotRate,
    ratioToRaw: hotRate / rawRate,
    rawTransactionsPerSecond: rawTxRate,
    ratioToRawTransaction: hotRate / rawTxRate,
    reserveP50Ms: quantile(latencies, 0.5),
    reserveP99Ms: quantile(latencies, 0.99),
    writeUnitsPerReserve: (afterReserve.writeCapacityUnits - before.writeCapacityUnits) / n,
    writeUnitsPerRelease: (afterRelease.writeCapacityUnits - afterReserve.writeCapacityUnits) / releases,
    drift: report.drift.length,
  };
}

import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from "@aws-sdk/client-sfn";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../functions/adapters/channels/signature.js";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { DynamoInventory } from "../../functions/adapters/dynamodb/inventory-repository.js";
import { DynamoPaymentStore } from "../../functions/adapters/dynamodb/payment-store.js";
import { startLocalCloud, type LocalCloud } from "../../local/cloud.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { cloud as shared } from "./helpers.js";

/**
 * A cloud of its own with faults in the workflow's task functions: before they run (nothing
 * done) and after (the work done, the answer lost). Every order must still end in a terminal,
 * consistent state: no leaked reservation, no authorization left on a failed order, no drift.
 */
let work: string;
let cloud: LocalCloud;
beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "oms-faults-"));
  cloud = await startLocalCloud({ assemblyDir: shared.assemblyDir, dataDir: work, persist: false, seed: true, faults: "ReserveAndRoute:error=0.1,crash=0.1;AuthorizePayment:crash=0.5" });
});
afterAll(async () => {
  await cloud?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("a hold nobody decides", () => {
  it("is cancelled when the 7-day wait runs out (on this cloud's own clock)", async () => {
    const body = JSON.stringify(genericOrderBody({ externalOrderId: "EXPIRE-1", lines: [{ sku: "MUG-LOGO", quantity: 1, unitPrice: { amount: 150_000, currency: "EUR" } }], discountTotal: undefined }));
    const res = await fetch(`${cloud.apiUrl}/webhooks/generic`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(cloud.channelSecrets.generic ?? "", body) }, body });
    const { orderId } = (await res.json()) as { orderId: string };
    const status = async () => ((await (await fetch(`${cloud.apiUrl}/orders/${orderId}`, { headers: { authorization: `Bearer ${cloud.operatorToken}` } })).json()) as { status: string; statusHistory: { reason?: string }[] });
    for (let i = 0; i < 100 && (await status()).status !== "ON_HOLD"; i++) await new Promise((r) => setTimeout(r, 100));
    // Let the workflow park its token before the clock jumps.
    await new Promise((r) => setTimeout(r, 1000));
    cloud.clock.advance(8 * 86_400_000);
    let after = await status();
    for (let i = 0; i < 100 && after.status === "ON_HOLD"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await status();
    }
    const sfnc = new SFNClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    const machine = Object.values(cloud.stateMachineArns)[0] ?? "";
    const h = await sfnc.send(new GetExecutionHistoryCommand({ executionArn: `${machine.replace(":stateMachine:", ":execution:")}:${orderId}` }));
    expect(after.status, JSON.stringify(h.events?.map((e) => [e.type, e.stateEnteredEventDetails?.name, e.taskFailedEventDetails?.error ?? e.executionFailedEventDetails?.cause]))).toBe("CANCELLED");
    expect(after.statusHistory.at(-1)?.reason).toBe("the hold was not released within 7 days");
  });
});

describe("faults in the task functions", () => {
  it("idempotent steps are retried; an order that still fails keeps no stock and no authorization; nothing drifts", async () => {
    const db = documentClient(new DynamoDBClient({ endpoint: cloud.dynamoEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } }));
    const inventory = new DynamoInventory(db, cloud.tableName, { now: () => new Date().toISOString() }, { next: () => crypto.randomUUID() });
    await new DynamoCatalog(db, cloud.tableName).putStock({ sku: "MUG-LOGO", locationId: "WH-BER", onHand: 10_000, reserved: 0, safetyStock: 0, reorderPoint: 0 });
    const ids: string[] = [];
    // Each step is retried twice: ReserveAndRoute's faults are absorbed; AuthorizePayment crashes
    // after authorizing on all three attempts for about one order in eight, which then fails and is undone.
    for (let i = 0; i < 60; i++) {
      const body = JSON.stringify(genericOrderBody({ externalOrderId: `FAULT-${i}`, lines: [{ sku: "MUG-LOGO", quantity: 1, unitPrice: { amount: 1250, currency: "EUR" } }], discountTotal: undefined, payment: { method: "card", token: "tok_visa" } }));
      const res = await fetch(`${cloud.apiUrl}/webhooks/generic`, { method: "POST", headers: { "content-type": "application/json", "x-oms-signature": signWebhook(cloud.channelSecrets.generic ?? "", body) }, body });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { orderId: string }).orderId);
    }
    await cloud.idle();
    const sfn = new SFNClient({ endpoint: cloud.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } });
    const machine = Object.values(cloud.stateMachineArns)[0] ?? "";
    const payments = new DynamoPaymentStore(db, cloud.tableName);
    const outcome: Record<string, number> = {};
    let expectedReserved = 0;
    for (const id of ids) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: `${machine.replace(":stateMachine:", ":execution:")}:${id}` }));
      expect(execution.status === "SUCCEEDED" || execution.status === "FAILED").toBe(true);
      const res = await fetch(`${cloud.apiUrl}/orders/${id}`, { headers: { authorization: `Bearer ${cloud.operatorToken}` } });
      const order = (await res.json()) as { status: string };
      outcome[order.status] = (outcome[order.status] ?? 0) + 1;
      const payment = await payments.get(id);
      if (order.status === "ALLOCATED") {
        expect(payment?.status).toBe("AUTHORIZED");
        expectedReserved++;
      } else {
        expect(order.status).toBe("FAILED");
        expect(payment?.status ?? "NONE").not.toBe("AUTHORIZED");
      }
    }
    // Both ends happened: the faults were felt, and orders still got through.
    expect(outcome.ALLOCATED).toBeGreaterThan(0);
    expect(outcome.FAILED).toBeGreaterThan(0);
    expect(Object.keys(outcome).sort()).toEqual(["ALLOCATED", "FAILED"]);
    const mugs = (await inventory.stockOf("MUG-LOGO")).find((s) => s.locationId === "WH-BER");
    expect(mugs?.reserved).toBe(expectedReserved);
    expect((await inventory.check()).drift).toEqual([]);
    expect(Object.values(cloud.lambda.stats.injectedFaults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  }, 180_000);
});

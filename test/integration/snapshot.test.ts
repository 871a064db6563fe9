import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, it } from "vitest";
import { admin, cloud, dynamo, readSnapshot, snapshot } from "./helpers.js";

const key = { PK: { S: "TEST#snapshot" }, SK: { S: "PROBE" } };
afterAll(() => dynamo.send(new DeleteItemCommand({ TableName: cloud.tableName, Key: key })));

describe("the suite's 'nothing was written' snapshot", () => {
  it("tells a silent overwrite of one attribute apart, though the item count is unchanged", async () => {
    await dynamo.send(new PutItemCommand({ TableName: cloud.tableName, Item: { ...key, type: { S: "Probe" }, total: { N: "1999" } } }));
    const before = await snapshot();
    await dynamo.send(new UpdateItemCommand({ TableName: cloud.tableName, Key: key, UpdateExpression: "SET #t = :t", ExpressionAttributeNames: { "#t": "total" }, ExpressionAttributeValues: { ":t": { N: "2000" } } }));
    const after = await snapshot();
    expect(after.items).toBe(before.items);
    expect(after).not.toEqual(before);
    const changed = Object.keys(after.records).filter((k) => after.records[k] !== before.records[k]);
    expect(changed).toEqual(["TEST#snapshot|PROBE"]);
  });

  it("is the same for the same content whatever the attribute order", async () => {
    const a = await readSnapshot();
    await dynamo.send(new PutItemCommand({ TableName: cloud.tableName, Item: { total: { N: "2000" }, type: { S: "Probe" }, ...key } }));
    expect(await readSnapshot()).toEqual(a);
  });

  it("waits on the local cloud's own idleness, which it reports through the AWS-compatible endpoint", async () => {
    const state = await admin("GetIdleState");
    expect(Object.keys(state).sort()).toEqual(["busDeliveriesInFlight", "executionsRunning", "executionsStepping", "idle", "invocationsInFlight", "queueBatchesInFlight", "streamBatchesInFlight"]);
    const settled = await admin("WaitForIdle", { timeoutMs: 20_000 });
    expect(settled).toMatchObject({ idle: true, executionsStepping: 0, invocationsInFlight: 0, streamBatchesInFlight: 0, busDeliveriesInFlight: 0, queueBatchesInFlight: 0 });
    await expect(admin("WaitForIdle", { timeoutMs: -1 })).rejects.toThrow(/ValidationException/);
  });
});

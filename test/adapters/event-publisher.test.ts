import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import "aws-sdk-client-mock-vitest/extend";
import { beforeEach, describe, expect, it } from "vitest";
import { EventBridgePublisher } from "../../functions/adapters/eventbridge/event-publisher.js";
import type { OutgoingEvent } from "../../functions/app/ports.js";

const eb = mockClient(EventBridgeClient);
const publisher = new EventBridgePublisher(new EventBridgeClient({ region: "us-east-1" }), "oms-dev");
const event = (n: number): OutgoingEvent => ({
  source: "oms.inventory",
  detailType: "InventoryLow",
  detail: { metadata: { eventId: `e${n}`, version: 1, occurredAt: "2026-11-22T00:00:00.000Z", correlationId: "c" }, data: { n } },
});

beforeEach(() => eb.reset());

describe("EventBridgePublisher", () => {
  it("sends at most 10 entries per PutEvents, to the bus, with the detail as JSON and the event's time", async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    expect(await publisher.publish(Array.from({ length: 23 }, (_, i) => event(i)))).toEqual([]);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 3);
    const first = eb.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(first).toHaveLength(10);
    expect(first[0]).toEqual({ EventBusName: "oms-dev", Source: "oms.inventory", DetailType: "InventoryLow", Detail: JSON.stringify(event(0).detail), Time: new Date("2026-11-22T00:00:00.000Z") });
    expect(eb.commandCalls(PutEventsCommand)[2]?.args[0].input.Entries).toHaveLength(3);
  });

  it("reports refused entries by their index in the whole list, and throws on a failed call", async () => {
    eb.on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 0, Entries: Array.from({ length: 10 }, () => ({ EventId: "x" })) })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: "y" }, { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }] });
    expect(await publisher.publish(Array.from({ length: 12 }, (_, i) => event(i)))).toEqual([11]);
    eb.reset();
    eb.on(PutEventsCommand).rejects(new Error("network"));
    await expect(publisher.publish([event(1)])).rejects.toThrow("network");
  });
});

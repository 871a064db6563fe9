import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EventPublisher, OutgoingEvent } from "../../app/ports.js";

/** PutEvents takes at most 10 entries per call. */
const PUT_EVENTS_LIMIT = 10;

/** Publishes to one bus, 10 entries per PutEvents; entries the bus refused are reported back, not thrown. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: OutgoingEvent[]): Promise<number[]> {
    const failed: number[] = [];
    for (let start = 0; start < events.length; start += PUT_EVENTS_LIMIT) {
      const chunk = events.slice(start, start + PUT_EVENTS_LIMIT);
      const out = await this.client.send(
        new PutEventsCommand({
          Entries: chunk.map((e) => ({ EventBusName: this.busName, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail), Time: new Date(e.detail.metadata.occurredAt) })),
        }),
      );
      if (out.FailedEntryCount) (out.Entries ?? []).forEach((entry, i) => entry.ErrorCode && failed.push(start + i));
    }
    return failed;
  }
}

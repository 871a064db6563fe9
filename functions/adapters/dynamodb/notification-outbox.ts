import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Notification } from "../../domain/notifications.js";
import { isConditionFailed } from "./client.js";
import { ITEM_TYPES, keys } from "./keys.js";
import type { NotificationOutbox } from "../../app/ports.js";

/** A recorded notification, as stored in the outbox. */
export interface OutboxEntry extends Notification {
  orderId: string;
  eventId: string;
  status: "PENDING";
  recordedAt: string;
}

/** Notifications wait here, one item each, under their order, until a sender delivers them. */
export class DynamoNotificationOutbox implements NotificationOutbox {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(orderId: string, eventId: string, notifications: Notification[], at: string): Promise<number> {
    let recorded = 0;
    // One conditional put each: a redelivered event or a retried invocation writes nothing twice.
    for (const n of notifications) {
      const entry: OutboxEntry = { ...n, orderId, eventId, status: "PENDING", recordedAt: at };
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...keys.notification(orderId, eventId, n.channel, n.template), type: ITEM_TYPES.notification, ...entry, version: 1 },
            ConditionExpression: "attribute_not_exists(PK)",
            ReturnConsumedCapacity: "TOTAL",
          }),
        );
        recorded++;
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
      }
    }
    return recorded;
  }

  /** Every notification recorded for an order, oldest event first. */
  async forOrder(orderId: string): Promise<OutboxEntry[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": keys.orderPartition(orderId), ":prefix": keys.notificationPrefix },
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    return (out.Items ?? []).map(
      ({ PK: _pk, SK: _sk, type: _t, version: _v, ...rest }) => rest as OutboxEntry,
    );
  }
}

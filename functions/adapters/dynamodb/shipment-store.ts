import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Shipment } from "../../domain/shipment.js";
import { failedConditionAt, isConditionFailed, writeIf } from "./client.js";
import { ITEM_TYPES, keys } from "./keys.js";
import type { ShipmentStore, StoredShipment } from "../../app/ports.js";

/** Task tokens are top-level attributes (an empty map would not survive every stream reader). */
const TOKEN_ATTRIBUTES = { release: "releaseToken", delivery: "deliveryToken" } as const;

const shipmentOf = (item: Record<string, unknown>): StoredShipment => {
  const { PK: _a, SK: _b, type: _t, releaseToken, deliveryToken, ...rest } = item;
  const tokens = { ...(typeof releaseToken === "string" ? { release: releaseToken } : {}), ...(typeof deliveryToken === "string" ? { delivery: deliveryToken } : {}) };
  return { ...(rest as unknown as StoredShipment), ...(Object.keys(tokens).length ? { tokens } : {}) };
};

/** The shipment's item (its task tokens as top-level attributes). */
export const shipmentItem = ({ tokens, ...shipment }: StoredShipment) => ({
  ...keys.shipment(shipment.orderId, shipment.shipmentId),
  type: ITEM_TYPES.shipment,
  ...shipment,
  ...(tokens?.release ? { releaseToken: tokens.release } : {}),
  ...(tokens?.delivery ? { deliveryToken: tokens.delivery } : {}),
});

/** The shipments of an order, beside the order in its partition; tracking numbers point back to them. */
export class DynamoShipmentStore implements ShipmentStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(orderId: string, shipmentId: string): Promise<StoredShipment | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.shipment(orderId, shipmentId), ConsistentRead: true }));
    return out.Item ? shipmentOf(out.Item) : undefined;
  }

  async ofOrder(orderId: string): Promise<StoredShipment[]> {
    const out = await this.db.send(
      new QueryCommand({ TableName: this.tableName, KeyConditionExpression: "PK = :pk AND begins_with(SK, :p)", ExpressionAttributeValues: { ":pk": keys.orderPartition(orderId), ":p": keys.shipmentPrefix }, ConsistentRead: true }),
    );
    return (out.Items ?? []).map(shipmentOf);
  }

  async create(shipment: Shipment): Promise<boolean> {
    return writeIf(this.db.send(new PutCommand({ TableName: this.tableName, Item: shipmentItem(shipment), ConditionExpression: "attribute_not_exists(PK)" })));
  }

  async save(shipment: StoredShipment, expectedVersion: number, indexTracking = false): Promise<boolean> {
    const put = { TableName: this.tableName, Item: shipmentItem(shipment), ConditionExpression: "version = :v", ExpressionAttributeValues: { ":v": expectedVersion } };
    const cs = shipment.carrierShipment;
    try {
      if (cs && indexTracking) {
        // The tracking number points back to the shipment, written with it or not at all.
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [{ Put: put }, { Put: { TableName: this.tableName, Item: { ...keys.tracking(cs.carrier, cs.trackingNumber), type: ITEM_TYPES.tracking, orderId: shipment.orderId, shipmentId: shipment.shipmentId, version: 1 } } }],
          }),
        );
      } else await this.db.send(new PutCommand(put));
      return true;
    } catch (error) {
      if (isConditionFailed(error) || failedConditionAt(error, 0)) return false;
      throw error;
    }
  }

  async setToken(orderId: string, shipmentId: string, kind: "release" | "delivery", token: string): Promise<void> {
    // A version change too, so a save that read the shipment before it cannot put the old token back.
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.shipment(orderId, shipmentId),
        UpdateExpression: "SET #k = :t, version = version + :one",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeNames: { "#k": TOKEN_ATTRIBUTES[kind] },
        ExpressionAttributeValues: { ":t": token, ":one": 1 },
      }),
    );
  }

  async byTracking(carrier: string, trackingNumber: string): Promise<StoredShipment | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.tracking(carrier, trackingNumber), ConsistentRead: true }));
    // A return label's number shares the key space (it carries a returnId instead).
    if (typeof out.Item?.shipmentId !== "string") return undefined;
    return this.get(String(out.Item.orderId), out.Item.shipmentId);
  }
}

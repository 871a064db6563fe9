import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { lineRef, type Item, type StoredStock } from "./inventory-items.js";
import { ITEM_TYPES } from "./keys.js";

// The operator's drift check (`npm run oms -- inventory check`, the inventory bench). It scans
// the table, so it lives apart from the request-path adapters and no function bundles it.

export interface DriftReport {
  checked: number;
  drift: { sku: string; locationId: string; reserved: number; sumOfReservations: number; available: number; expectedAvailable: number }[];
}

/**
 * Recomputes every reserved counter from the ACTIVE reservation items and reports any drift
 * (reserved ≠ sum, or available ≠ on hand − reserved − safety stock). Scans the table: an
 * operator's check, not a hot path.
 */
export async function checkInventoryDrift(db: DynamoDBDocumentClient, tableName: string): Promise<DriftReport> {
  const stocks = new Map<string, StoredStock>();
  const sums = new Map<string, number>();
  let start: Item | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: "#t IN (:stock, :res)",
        ExpressionAttributeNames: { "#t": "type" },
        ExpressionAttributeValues: { ":stock": ITEM_TYPES.stock, ":res": ITEM_TYPES.reservation },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) {
      const ref = lineRef(item as { sku: string; locationId: string });
      if (item.type === ITEM_TYPES.stock) stocks.set(ref, item as unknown as StoredStock);
      else if (item.status === "ACTIVE") sums.set(ref, (sums.get(ref) ?? 0) + Number(item.quantity));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const drift: DriftReport["drift"] = [];
  for (const [ref, s] of stocks) {
    const sum = sums.get(ref) ?? 0;
    const expectedAvailable = s.onHand - s.reserved - s.safetyStock;
    if (s.reserved !== sum || s.available !== expectedAvailable)
      drift.push({ sku: s.sku, locationId: s.locationId, reserved: s.reserved, sumOfReservations: sum, available: s.available, expectedAvailable });
  }
  for (const ref of sums.keys()) if (!stocks.has(ref)) drift.push({ sku: ref.split("|")[0] ?? "", locationId: ref.split("|")[1] ?? "", reserved: 0, sumOfReservations: sums.get(ref) ?? 0, available: 0, expectedAvailable: 0 });
  return { checked: stocks.size, drift };
}

import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoCatalog } from "../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../functions/adapters/dynamodb/client.js";
import type { Location, Sku, Stock } from "../functions/domain/catalog.js";

/** Demo catalog: a few locations across Germany and the Netherlands and SKUs with uneven stock. */
export const DEMO_LOCATIONS: Location[] = [
  { locationId: "WH-BER", name: "Berlin fulfillment centre", kind: "warehouse", country: "DE", lat: 52.52, lon: 13.405, capabilities: ["ship", "receive-returns"], dailyCapacity: 5000, handlingCost: { amount: 150, currency: "EUR" }, priority: 1, active: true, groups: ["de-warehouses"] },
  { locationId: "WH-RTM", name: "Rotterdam hub", kind: "warehouse", country: "NL", lat: 51.9244, lon: 4.4777, capabilities: ["ship", "receive-returns"], dailyCapacity: 3000, handlingCost: { amount: 130, currency: "EUR" }, priority: 2, active: true, groups: ["benelux"] },
  { locationId: "ST-HAM", name: "Hamburg store", kind: "store", country: "DE", lat: 53.5511, lon: 9.9937, capabilities: ["pickup", "ship-from-store", "receive-returns"], dailyCapacity: 80, handlingCost: { amount: 320, currency: "EUR" }, priority: 3, active: true, groups: ["de-stores"] },
  { locationId: "ST-MUC", name: "Munich store", kind: "store", country: "DE", lat: 48.1351, lon: 11.582, capabilities: ["pickup", "ship-from-store", "receive-returns"], dailyCapacity: 60, handlingCost: { amount: 340, currency: "EUR" }, priority: 3, active: true, groups: ["de-stores"] },
  { locationId: "DS-ACME", name: "Acme drop-ship", kind: "dropship", country: "DE", lat: 50.1109, lon: 8.6821, capabilities: ["ship"], dailyCapacity: 500, handlingCost: { amount: 500, currency: "EUR" }, priority: 9, active: true, groups: ["suppliers"] },
];

export const DEMO_SKUS: Sku[] = [
  { sku: "TSHIRT-BLK-M", name: "T-shirt black M", unitWeightGrams: 180, active: true },
  { sku: "TSHIRT-BLK-L", name: "T-shirt black L", unitWeightGrams: 200, active: true },
  { sku: "HOODIE-GRY-M", name: "Hoodie grey M", unitWeightGrams: 650, active: true },
  { sku: "SNEAKER-WHT-42", name: "Sneaker white 42", unitWeightGrams: 900, active: true },
  { sku: "MUG-LOGO", name: "Logo mug", unitWeightGrams: 350, active: true },
  { sku: "POSTER-RETRO", name: "Retro poster (discontinued)", unitWeightGrams: 120, active: false },
];

const STOCK: [string, string, number][] = [
  ["TSHIRT-BLK-M", "WH-BER", 120], ["TSHIRT-BLK-M", "WH-RTM", 40], ["TSHIRT-BLK-M", "ST-HAM", 6],
  ["TSHIRT-BLK-L", "WH-BER", 80], ["TSHIRT-BLK-L", "ST-MUC", 4],
  ["HOODIE-GRY-M", "WH-RTM", 25], ["HOODIE-GRY-M", "ST-HAM", 3], ["HOODIE-GRY-M", "ST-MUC", 2],
  ["SNEAKER-WHT-42", "WH-BER", 12], ["SNEAKER-WHT-42", "DS-ACME", 200],
  ["MUG-LOGO", "WH-BER", 300], ["MUG-LOGO", "WH-RTM", 150],
];

export const DEMO_STOCK: Stock[] = STOCK.map(([sku, locationId, onHand]) => ({
  sku,
  locationId,
  onHand,
  reserved: 0,
  safetyStock: locationId.startsWith("ST-") ? 1 : 0,
  reorderPoint: Math.ceil(onHand / 5),
}));

/** Writes the demo catalog through the same repository the functions use. */
export async function seedDemoData(client: DynamoDBClient, tableName: string): Promise<void> {
  const catalog = new DynamoCatalog(documentClient(client), tableName);
  for (const l of DEMO_LOCATIONS) await catalog.putLocation(l);
  for (const s of DEMO_SKUS) await catalog.putSku(s);
  for (const s of DEMO_STOCK) await catalog.putStock(s);
}

/** A valid generic-channel order for the demo SKUs. */
export function demoOrder(externalOrderId: string): Record<string, unknown> {
  return {
    externalOrderId,
    placedAt: new Date().toISOString(),
    currency: "EUR",
    customer: { email: "ada@example.com", name: "Ada Lovelace", phone: "+4915112345678" },
    shippingAddress: { name: "Ada Lovelace", line1: "Unter den Linden 1", city: "Berlin", postalCode: "10117", country: "DE", lat: 52.517, lon: 13.389 },
    lines: [
      { sku: "TSHIRT-BLK-M", quantity: 2, unitPrice: { amount: 1999, currency: "EUR" } },
      { sku: "MUG-LOGO", quantity: 1, unitPrice: { amount: 1250, currency: "EUR" } },
    ],
    shippingPrice: { amount: 495, currency: "EUR" },
    taxTotal: { amount: 1083, currency: "EUR" },
  };
}

import type { Money } from "./money.js";

/** A sellable product. */
export interface Sku {
  sku: string;
  name: string;
  unitWeightGrams: number;
  active: boolean;
  /** False: never taken back, whatever the channel's return policy (the product catalog's flag; absent is true). */
  returnable?: boolean;
}

export const LOCATION_KINDS = ["warehouse", "store", "dropship"] as const;
export const LOCATION_CAPABILITIES = ["ship", "pickup", "ship-from-store", "receive-returns"] as const;

/** A place stock is kept and orders are fulfilled from. */
export interface Location {
  locationId: string;
  name: string;
  kind: (typeof LOCATION_KINDS)[number];
  country: string;
  lat: number;
  lon: number;
  capabilities: (typeof LOCATION_CAPABILITIES)[number][];
  dailyCapacity: number;
  handlingCost: Money;
  priority: number;
  active: boolean;
  groups: string[];
}

/** Where expected stock comes from. */
export const INCOMING_SOURCES = ["purchase-order", "transfer"] as const;

/** Stock on its way to a location: a purchase order or a transfer, expected on a date. */
export interface Incoming {
  reference: string;
  source: (typeof INCOMING_SOURCES)[number];
  quantity: number;
  expectedAt: string;
}

/** How a location plans a SKU: the buffer it keeps back, when to reorder, and what is on its way. */
export interface StockPlanning {
  safetyStock: number;
  reorderPoint: number;
  incoming: Incoming[];
  /** Figures typed by hand are pinned (the planner leaves them) unless the operator hands them back with false. */
  pinned?: boolean;
}

/** Stock of one SKU at one location. */
export interface Stock {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  reorderPoint: number;
  incoming?: Incoming[];
  /** Hand-set planning figures the nightly planner leaves alone. */
  pinned?: boolean;
  /** The planner's explanation of the figures (method, forecast, σ, lead time, service level). */
  plan?: Record<string, unknown>;
  /** Returned units kept at the location that cannot be sold (damaged, for refurbishment or the vendor): never promised, not on hand. */
  unsellable?: number;
}

/** Available to promise at a location: on hand − reserved − safety stock, never below zero. */
export const availableToPromise = (s: Stock): number => Math.max(0, s.onHand - s.reserved - s.safetyStock);

/** A SKU's stock at every location with ATP, and the network totals. */
export function inventoryView(sku: string, stocks: (Stock & { available?: number })[]) {
  const locations = stocks.map((s) => {
    const incoming = [...(s.incoming ?? [])].sort((a, b) => a.expectedAt.localeCompare(b.expectedAt));
    return { locationId: s.locationId, onHand: s.onHand, reserved: s.reserved, safetyStock: s.safetyStock, reorderPoint: s.reorderPoint, unsellable: s.unsellable ?? 0, atp: availableToPromise(s), incoming, incomingQuantity: incoming.reduce((t, i) => t + i.quantity, 0), belowReorderPoint: availableToPromise(s) <= s.reorderPoint, pinned: s.pinned === true, ...(s.plan ? { plan: s.plan } : {}) };
  });
  const sum = (f: (l: (typeof locations)[number]) => number) => locations.reduce((t, l) => t + f(l), 0);
  return { sku, locations, totals: { onHand: sum((l) => l.onHand), reserved: sum((l) => l.reserved), safetyStock: sum((l) => l.safetyStock), atp: sum((l) => l.atp), incoming: sum((l) => l.incomingQuantity), unsellable: sum((l) => l.unsellable) } };
}

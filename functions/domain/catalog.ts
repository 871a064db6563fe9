import type { Money } from "./money.js";

/** A sellable product. */
export interface Sku {
  sku: string;
  name: string;
  unitWeightGrams: number;
  active: boolean;
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

/** Stock of one SKU at one location. */
export interface Stock {
  sku: string;
  locationId: string;
  onHand: number;
  reserved: number;
  safetyStock: number;
  reorderPoint: number;
}

/** Available to promise at a location: on hand − reserved − safety stock, never below zero. */
export const availableToPromise = (s: Stock): number => Math.max(0, s.onHand - s.reserved - s.safetyStock);

/** A SKU's stock at every location with ATP, and the network totals. */
export function inventoryView(sku: string, stocks: (Stock & { available?: number })[]) {
  const locations = stocks.map((s) => ({ locationId: s.locationId, onHand: s.onHand, reserved: s.reserved, safetyStock: s.safetyStock, reorderPoint: s.reorderPoint, atp: availableToPromise(s) }));
  const sum = (f: (l: (typeof locations)[number]) => number) => locations.reduce((t, l) => t + f(l), 0);
  return { sku, locations, totals: { onHand: sum((l) => l.onHand), reserved: sum((l) => l.reserved), safetyStock: sum((l) => l.safetyStock), atp: sum((l) => l.atp) } };
}

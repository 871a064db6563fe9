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

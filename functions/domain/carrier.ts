import type { Address } from "./order.js";

/** What the carrier needs to take a parcel: who sends it, where it goes, how heavy it is. */
export interface CarrierShipmentRequest {
  shipmentId: string;
  orderId: string;
  carrier: string;
  /** The location's own tracking number when it printed one; otherwise the carrier assigns one. */
  trackingNumber?: string;
  weightGrams: number;
  from: { name: string; country: string; lat: number; lon: number };
  to: Address;
  handedOverAt: string;
}


/** The tracking updates a carrier sends on POST /carriers/{carrier}/tracking. */
export const TRACKING_STATUSES = ["in_transit", "out_for_delivery", "delivered", "exception"] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

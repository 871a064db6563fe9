import type { Address } from "./order.js";
import type { CarrierShipment } from "./shipment.js";

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

/** A parcel carrier: books the shipment (the same shipment id books once) and says when it will arrive. */
export interface CarrierPort {
  createShipment(request: CarrierShipmentRequest): Promise<CarrierShipment>;
}

/** The tracking updates a carrier sends on POST /carriers/{carrier}/tracking. */
export const TRACKING_STATUSES = ["in_transit", "out_for_delivery", "delivered", "exception"] as const;
export type TrackingStatus = (typeof TRACKING_STATUSES)[number];

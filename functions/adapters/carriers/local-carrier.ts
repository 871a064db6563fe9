import { createHash } from "node:crypto";
import type { CarrierShipmentRequest } from "../../domain/carrier.js";
import { distanceKm } from "../../domain/routing.js";
import type { CarrierShipment } from "../../domain/shipment.js";
import type { CarrierPort, Clock } from "../../app/ports.js";

const DAY_MS = 86_400_000;

/**
 * A carrier that behaves like a real one for local runs and tests: booking the same shipment id
 * again returns the same tracking number (derived from it, so nothing needs storing), and the
 * promised delivery follows the distance (1 business day within 300 km, 2 within 1,000 km, else 4).
 */
export class LocalCarrier implements CarrierPort {
  constructor(private readonly clock: Clock) {}

  createShipment(r: CarrierShipmentRequest): Promise<CarrierShipment> {
    const trackingNumber = r.trackingNumber ?? `${r.carrier.replace(/[^a-z0-9]/gi, "").slice(0, 3).toUpperCase()}${BigInt(`0x${createHash("sha256").update(r.shipmentId).digest("hex").slice(0, 15)}`).toString().padStart(18, "0").slice(0, 18)}`;
    const to = r.to.lat !== undefined && r.to.lon !== undefined ? { lat: r.to.lat, lon: r.to.lon } : undefined;
    const km = to ? distanceKm(r.from, to) : r.from.country === r.to.country ? 500 : 1500;
    const days = km <= 300 ? 1 : km <= 1000 ? 2 : 4;
    return Promise.resolve({
      carrier: r.carrier,
      service: days === 1 ? "express" : "standard",
      trackingNumber,
      labelCreatedAt: this.clock.now(),
      promisedBy: new Date(Date.parse(r.handedOverAt) + days * DAY_MS).toISOString(),
    });
  }
}

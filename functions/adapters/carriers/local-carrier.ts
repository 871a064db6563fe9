import { createHash } from "node:crypto";
import type { CarrierShipmentRequest } from "../../domain/carrier.js";
import { distanceKm } from "../../domain/routing.js";
import type { CarrierShipment } from "../../domain/shipment.js";
import type { CarrierPort, Clock } from "../../app/ports.js";

const DAY_MS = 86_400_000;

/** The carrier's letters and 18 digits derived from the parcel's id: the same parcel always gets the same number. */
const trackingFor = (carrier: string, id: string) => `${carrier.replace(/[^a-z0-9]/gi, "").slice(0, 3).toUpperCase()}${BigInt(`0x${createHash("sha256").update(id).digest("hex").slice(0, 15)}`).toString().padStart(18, "0").slice(0, 18)}`;

/** The carrier the local simulator books return parcels with. */
const LOCAL_RETURN_CARRIER = "local-post";

/**
 * A carrier that behaves like a real one for local runs and tests: booking the same shipment id
 * again returns the same tracking number (derived from it, so nothing needs storing), and the
 * promised delivery follows the distance (1 business day within 300 km, 2 within 1,000 km, else 4).
 */
export class LocalCarrier implements CarrierPort {
  constructor(private readonly clock: Clock) {}

  createShipment(r: CarrierShipmentRequest): Promise<CarrierShipment> {
    const trackingNumber = r.trackingNumber ?? trackingFor(r.carrier, r.shipmentId);
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

  /** A prepaid return label: booking the same return id again gives the same tracking number. */
  bookReturn(r: { returnId: string }): Promise<{ carrier: string; service: string; trackingNumber: string; createdAt: string }> {
    return Promise.resolve({ carrier: LOCAL_RETURN_CARRIER, service: "return", trackingNumber: trackingFor(LOCAL_RETURN_CARRIER, `${r.returnId}.return`), createdAt: this.clock.now() });
  }
}

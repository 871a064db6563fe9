import type { Address } from "./order.js";
import type { Allocation } from "./inventory.js";
import type { Delivery, Plan } from "./routing.js";

/** One shipment of an allocated order: a location and what it ships, with a stable id. */
export interface PlannedShipment {
  shipmentId: string;
  locationId: string;
  /** The allocation round that planned it. */
  round: number;
  lines: { lineId: string; sku: string; quantity: number }[];
  /** The rest of a short order under "ship-available": no location yet; its branch waits for stock. */
  awaitingStock?: boolean;
}

/** What reserve-and-route decided for an order, kept beside the order. */
export interface AllocationRecord {
  orderId: string;
  /** Distinguishes one planning attempt from another (a retry after a lost race plans anew). */
  planId: string;
  /**
   * 1 for the order's first allocation; one more each time lines are planned again after the
   * previous round's shipments ended (a location rejected, or the rest of a partial shipment).
   */
  round: number;
  /** Locations that rejected (or missed their SLA on) a shipment of this order: not used again. */
  excludedLocations?: string[];
  /** A reroute: the withdrawn shipment whose lines this round plans, while the order's other shipments go on. */
  replaces?: string;
  outcome: "ALLOCATED" | "BACKORDERED";
  /** A replacement order's plan: the return it belongs to (a regular exchange's plan waits for its goods before it goes on). */
  exchangeOf?: string;
  shipments: PlannedShipment[];
  backordered: { lineId: string; sku: string; quantity: number }[];
  /**
   * Under "ship-available", the backordered rest as a shipment of its own that waits for stock
   * beside the others (nothing reserved, no location): released where stock comes in.
   */
  awaiting?: PlannedShipment;
  cost: Plan["cost"];
  algorithm: Plan["algorithm"];
  rulesVersion: number;
  shortagePolicy: "backorder" | "ship-available";
  /** The order revision the plan was made from: a plan of lines since changed is made again. */
  orderRevision?: number;
  /** True when the address had no coordinates and the country's centre stood in for it. */
  approximateDestination: boolean;
  createdAt: string;
}

/** The shipments a round's workflow branches follow: the reserved ones, and the awaiting rest. */
export const branchesOf = (r: Pick<AllocationRecord, "shipments" | "awaiting">): PlannedShipment[] => (r.awaiting ? [...r.shipments, r.awaiting] : r.shipments);

/** Shipment ids the rounds have handed out (the awaiting rest included), so the next is `S<n + 1>`. */
export const shipmentsPlanned = (rounds: Pick<AllocationRecord, "shipments" | "awaiting">[]): number => rounds.reduce((n, r) => n + r.shipments.length + (r.awaiting ? 1 : 0), 0);

/** Approximate centres of the countries we ship to, for addresses that arrive without coordinates. */
const COUNTRY_CENTRES: Record<string, [number, number]> = {
  DE: [51.16, 10.45], NL: [52.13, 5.29], BE: [50.5, 4.47], LU: [49.82, 6.13], FR: [46.6, 2.21], AT: [47.52, 14.55],
  CH: [46.82, 8.23], PL: [51.92, 19.15], CZ: [49.82, 15.47], DK: [56.26, 9.5], IT: [41.87, 12.57], ES: [40.46, -3.75],
  PT: [39.4, -8.22], GB: [55.38, -3.44], IE: [53.41, -8.24], SE: [60.13, 18.64], NO: [60.47, 8.47], FI: [61.92, 25.75],
};

/** Where to ship an order: its address's coordinates, or its country's centre when it has none. */
export function deliveryFor(address: Address): { delivery: Delivery; approximate: boolean } | undefined {
  if (address.lat !== undefined && address.lon !== undefined) return { delivery: { kind: "ship", lat: address.lat, lon: address.lon }, approximate: false };
  const centre = COUNTRY_CENTRES[address.country];
  return centre ? { delivery: { kind: "ship", lat: centre[0], lon: centre[1] }, approximate: true } : undefined;
}

/**
 * Shipments of a plan with ids stable for the order: `<orderId>-S1`, ... by location, numbered on
 * from the shipments earlier rounds planned (`planned`).
 */
export function plannedShipments(orderId: string, plan: Pick<Plan, "shipments">, round = 1, planned = 0): PlannedShipment[] {
  return [...plan.shipments]
    .sort((a, b) => a.locationId.localeCompare(b.locationId))
    .map((s, i) => ({ shipmentId: `${orderId}-S${planned + i + 1}`, locationId: s.locationId, round, lines: s.lines.map((l) => ({ ...l })) }));
}

/**
 * The reservation line id of an order line in a round: the line id itself in round 1, and
 * `<lineId>~<round>` after, so a later round's reservation at the same location is a new one and
 * never mistaken for a replay of the consumed or released one before it.
 */
export const reservationLineId = (lineId: string, round: number | undefined): string => (round === undefined || round <= 1 ? lineId : `${lineId}~${round}`);

/** The reservation lines of shipments: one per (order line, location, round). */
export function reservationLines(shipments: Pick<PlannedShipment, "locationId" | "round" | "lines">[]): Allocation["lines"] {
  return shipments.flatMap((s) => s.lines.map((l) => ({ lineId: reservationLineId(l.lineId, s.round), sku: l.sku, locationId: s.locationId, quantity: l.quantity })));
}

/** The reservation request for an allocation. */
export function allocationOf(record: Pick<AllocationRecord, "orderId" | "shipments">): Allocation {
  return { orderId: record.orderId, lines: reservationLines(record.shipments) };
}

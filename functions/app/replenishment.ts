// Replenishment: demand counted at allocation (and returns apart), the nightly plan of every
// SKU-location (forecast → safety stock, reorder point → the supplier's draft purchase order) and
// the alerts that need a buyer.
import type { AllocationRecord } from "../domain/allocation.js";
import { EVENT_SOURCES, EVENT_VERSION, PURCHASING_EVENTS } from "../domain/events.js";

const PURCHASING_SOURCE = EVENT_SOURCES.purchasing;
import { DEFAULT_SERVICE_TARGETS, planSkuLocation, type ServiceClass } from "../domain/replenishment/plan.js";
import { expectedArrival, homeOf, ordersOn, setDraftLine, sourceFor, totalOf, type PurchaseOrder, type Supplier, type SupplyTerms } from "../domain/purchasing.js";
import { AGAIN, withOptimisticRetry } from "../domain/optimistic.js";
import type { Clock, DemandHistory, DemandPoint, EventPublisher, IdGenerator, PurchasingStore, VersionedStock as StoredStock } from "./ports.js";

/** The network's scope in demand history. */
export const NETWORK_SCOPE = "*";
/** Days of history a plan looks at: a year. */
export const HISTORY_DAYS = 364;
const DAY_MS = 86_400_000;
const dayOf = (iso: string) => iso.slice(0, 10);
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

/** The demand an order's first allocation saw: every line at the location that ships it, and across the network; what could not be placed as unserved (network only). */
export function demandOfAllocation(r: AllocationRecord): DemandPoint[] {
  const day = dayOf(r.createdAt);
  const points: DemandPoint[] = [];
  for (const s of r.shipments) for (const l of s.lines) points.push({ sku: l.sku, scope: s.locationId, day, demand: l.quantity }, { sku: l.sku, scope: NETWORK_SCOPE, day, demand: l.quantity });
  const unplaced = r.awaiting ? r.awaiting.lines : r.backordered;
  for (const l of unplaced) points.push({ sku: l.sku, scope: NETWORK_SCOPE, day, demand: l.quantity, unserved: l.quantity });
  return points;
}

export interface RecordDemandDeps {
  allocations: { all(orderId: string): Promise<AllocationRecord[]> };
  demand: DemandHistory;
  clock: Clock;
}

/** OrderAllocated / OrderBackordered: the order's demand, counted once, as its first allocation saw it. */
export async function recordOrderDemand(deps: RecordDemandDeps, orderId: string): Promise<{ recorded: boolean }> {
  const first = (await deps.allocations.all(orderId)).find((r) => r.round === 1);
  if (!first) return { recorded: false };
  return { recorded: await deps.demand.record("order", orderId, demandOfAllocation(first), deps.clock.now()) };
}

/** ReturnRestocked: returned units, counted once per return apart from demand. */
export async function recordReturnDemand(deps: RecordDemandDeps, returnId: string, restock: { locationId: string; items: { sku: string; quantity: number }[]; at: string }): Promise<{ recorded: boolean }> {
  const day = dayOf(restock.at);
  const points = restock.items.flatMap((i) => [{ sku: i.sku, scope: restock.locationId, day, returned: i.quantity }, { sku: i.sku, scope: NETWORK_SCOPE, day, returned: i.quantity }]);
  return { recorded: await deps.demand.record("return", returnId, points, deps.clock.now()) };
}

/** One unit of planning work: a location's SKUs from `from` (inclusive) to `to` (exclusive). */
export interface WorkUnit {
  locationId: string;
  from: string;
  to?: string;
}

export interface PlanningDeps {
  locations: { listLocations(): Promise<{ locationId: string; active: boolean }[]> };
  stock: {
    skusOfLocation(locationId: string): AsyncIterable<string>;
    stockOfLocationRange(locationId: string, from: string, to?: string): Promise<StoredStock[]>;
    applyPlan(stock: StoredStock, figures: { safetyStock: number; reorderPoint: number }, plan: Record<string, unknown>): Promise<boolean>;
    stockOf(sku: string): Promise<StoredStock[]>;
  };
  demand: DemandHistory;
  backorders: { unitsWaitingFor?(sku: string): Promise<number> };
  purchasing: PurchasingStore;
  events: EventPublisher;
  clock: Clock;
  ids: IdGenerator;
  settings: { segmentSize: number; coverDays: number; holdingRate: number; defaultLeadTimeDays: number };
}

/** The run's work, split so that no unit takes a function long: every location's SKUs in runs of `segmentSize`. */
export async function listWork(deps: Pick<PlanningDeps, "locations" | "stock" | "settings">): Promise<WorkUnit[]> {
  const units: WorkUnit[] = [];
  for (const loc of await deps.locations.listLocations()) {
    let n = 0;
    let current: WorkUnit | undefined;
    for await (const sku of deps.stock.skusOfLocation(loc.locationId)) {
      if (n % deps.settings.segmentSize === 0) {
        if (current) current.to = sku;
        current = { locationId: loc.locationId, from: sku };
        units.push(current);
      }
      n++;
    }
  }
  return units;
}

export interface SegmentResult {
  planned: number;
  changed: number;
  ordered: number;
  alerts: number;
  skipped: number;
}

/** Plans every SKU-location of a unit of work. */
export async function planSegment(deps: PlanningDeps, unit: WorkUnit, runId: string, asOf: string): Promise<SegmentResult> {
  const result: SegmentResult = { planned: 0, changed: 0, ordered: 0, alerts: 0, skipped: 0 };
  const stocks = await deps.stock.stockOfLocationRange(unit.locationId, unit.from, unit.to);
  const suppliers = new Map<string, Promise<Supplier | undefined>>();
  const supplierOf = (id: string) => suppliers.get(id) ?? suppliers.set(id, deps.purchasing.getSupplier(id)).get(id)!;
  // A handful at a time: each needs three reads and at most two writes.
  const queue = [...stocks];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const outcome = await planOne(deps, s, runId, asOf, supplierOf);
        if (outcome === "skipped") result.skipped++;
        else {
          result.planned++;
          if (outcome.changed) result.changed++;
          if (outcome.ordered) result.ordered++;
          result.alerts += outcome.alerts;
        }
      }
    }),
  );
  return result;
}

async function planOne(deps: PlanningDeps, stock: StoredStock, runId: string, asOf: string, supplierOf: (id: string) => Promise<Supplier | undefined>): Promise<"skipped" | { changed: boolean; ordered: boolean; alerts: number }> {
  const { sku, locationId } = stock;
  const terms = await deps.purchasing.supplyOf(sku);
  const source = sourceFor(terms, locationId);
  const home = homeOf(terms);
  const today = dayOf(asOf);
  const incoming = (stock.incoming ?? []).reduce((t, i) => t + i.quantity, 0);
  let alerts = 0;
  if (!source) {
    // Nobody supplies it here: its figures stay as they are; at its reorder point a buyer hears of it.
    if (stock.reorderPoint > 0 && stock.onHand + incoming - stock.reserved <= stock.reorderPoint)
      alerts += await alertOnce(deps, PURCHASING_EVENTS.noSupplier, `${sku}.${locationId}.${today}`, { sku, locationId, onHand: stock.onHand, reserved: stock.reserved, incoming, reorderPoint: stock.reorderPoint }, asOf);
    return alerts ? { changed: false, ordered: false, alerts } : "skipped";
  }
  const from = addDays(today, -HISTORY_DAYS);
  const to = addDays(today, -1);
  const local = await deps.demand.series(sku, locationId, from, to);
  let demand = local.demand;
  let backordered = 0;
  // The SKU's home takes the demand no location could serve, and its backorders.
  if (home === locationId) {
    const network = await deps.demand.series(sku, NETWORK_SCOPE, from, to);
    demand = demand.map((d, i) => d + (network.unserved[i] ?? 0));
    backordered = (await deps.backorders.unitsWaitingFor?.(sku)) ?? 0;
  }
  const serviceClass = ((stock as { serviceClass?: ServiceClass }).serviceClass ?? "B");
  const plan = planSkuLocation({
    demand,
    stock: { onHand: stock.onHand, reserved: stock.reserved, incoming, backordered },
    supply: { supplierId: source.supplierId, leadTimeDays: source.leadTimeDays, leadTimeSdDays: source.leadTimeSdDays, moq: source.moq, pack: source.pack, unitPrice: source.price, ...(source.orderCost !== undefined ? { orderCost: source.orderCost } : {}) },
    service: DEFAULT_SERVICE_TARGETS[serviceClass] ?? DEFAULT_SERVICE_TARGETS.B,
    coverDays: deps.settings.coverDays,
    holdingRate: deps.settings.holdingRate,
    defaultLeadTimeDays: deps.settings.defaultLeadTimeDays,
  });
  const pinned = (stock as { pinned?: boolean }).pinned === true;
  const figures = pinned ? { safetyStock: stock.safetyStock, reorderPoint: stock.reorderPoint } : { safetyStock: plan.safetyStock, reorderPoint: plan.reorderPoint };
  const explanation = { ...plan.explanation, safetyStock: plan.safetyStock, reorderPoint: plan.reorderPoint, orderUpTo: plan.orderUpTo, position: plan.position, backordered, pinned, runId, plannedAt: asOf };
  // A stock record written is a stream record, and a changed safety stock an AvailabilityChanged:
  // only what changed is written (a night with nothing new writes nothing; no demand and no plan yet stays so).
  const content = (p: unknown) => {
    const { runId: _r, plannedAt: _p, ...rest } = (p ?? {}) as Record<string, unknown>;
    return canonical(rest);
  };
  const unchanged = (s: StoredStock) =>
    s.safetyStock === figures.safetyStock && s.reorderPoint === figures.reorderPoint && (content(s.plan) === content(explanation) || (s.plan === undefined && plan.explanation.method === "none"));
  const changed = await withOptimisticRetry(`Stock ${sku} at ${locationId}`, async (n) => {
    const current = n === 1 ? stock : (await deps.stock.stockOf(sku)).find((s) => s.locationId === locationId);
    if (!current || unchanged(current)) return false;
    return (await deps.stock.applyPlan(current, figures, explanation)) ? true : AGAIN;
  });
  // Pinned figures decide when to order too.
  const reorderAt = figures.reorderPoint;
  const ordered = plan.position <= reorderAt && plan.orderQuantity > 0 ? await addToDraft(deps, source, await supplierOf(source.supplierId), locationId, sku, plan, runId, asOf) : false;
  // A stockout before the next receipt: what is free now will not last until it comes.
  const next = [...(stock.incoming ?? [])].sort((a, b) => a.expectedAt.localeCompare(b.expectedAt))[0];
  const free = stock.onHand - stock.reserved - backordered;
  if (next && plan.explanation.forecastPerDay > 0) {
    const daysToNext = Math.max(0, (Date.parse(next.expectedAt) - Date.parse(asOf)) / DAY_MS);
    const daysOfCover = free / plan.explanation.forecastPerDay;
    if (daysOfCover < daysToNext) alerts += await alertOnce(deps, PURCHASING_EVENTS.stockoutForecast, `${sku}.${locationId}.${next.reference}`, { sku, locationId, free, forecastPerDay: plan.explanation.forecastPerDay, stockoutAt: new Date(Date.parse(asOf) + Math.max(0, daysOfCover) * DAY_MS).toISOString(), nextReceipt: next }, asOf);
  }
  return { changed, ordered, alerts };
}

/** JSON with keys sorted at every level, so equal plans compare equal whatever their attribute order. */
const canonical = (v: unknown): string =>
  Array.isArray(v) ? `[${v.map(canonical).join(",")}]` : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(",")}}` : JSON.stringify(v);

/** Sets the SKU's line on the supplier's open draft for the location (one draft per pair; a rerun sets the same quantity again). */
async function addToDraft(deps: PlanningDeps, source: SupplyTerms, supplier: Supplier | undefined, locationId: string, sku: string, plan: ReturnType<typeof planSkuLocation>, runId: string, asOf: string): Promise<boolean> {
  if (!supplier || !ordersOn(supplier, asOf)) return false;
  const line = { sku, ...(source.supplierSku ? { supplierSku: source.supplierSku } : {}), quantity: plan.orderQuantity, unitPrice: source.price, received: 0, damaged: 0, planned: { reorderPoint: plan.reorderPoint, orderUpTo: plan.orderUpTo, position: plan.position, runId } };
  return withOptimisticRetry(`Draft purchase order of ${supplier.supplierId} for ${locationId}`, async () => {
    const draft = await deps.purchasing.draftOf(supplier.supplierId, locationId);
    if (draft) {
      const same = draft.lines.find((l) => l.sku === sku);
      if (same && same.quantity === line.quantity && same.unitPrice === line.unitPrice) return false;
      const next = { ...setDraftLine(draft, line, asOf), version: draft.version + 1 };
      return (await deps.purchasing.save({ po: next }, draft.version)) ? true : AGAIN;
    }
    const poId = `PO-${deps.ids.next()}`;
    const po: PurchaseOrder = { poId, supplierId: supplier.supplierId, locationId, status: "DRAFT", currency: supplier.currency, lines: [line], total: totalOf([line]), expectedAt: expectedArrival(asOf, supplier.leadTime.meanDays), createdAt: asOf, updatedAt: asOf, history: [{ status: "DRAFT", at: asOf, actor: `replenishment run ${runId}` }], version: 1 };
    const pointer = await deps.purchasing.pointerOf(supplier.supplierId, locationId);
    return (await deps.purchasing.createDraft(po, pointer)) ? true : AGAIN;
  });
}

/** Publishes an alert once per (kind, id): the event first (its id is fixed, consumers dedupe), then the marker. */
async function alertOnce(deps: Pick<PlanningDeps, "purchasing" | "events">, kind: string, id: string, data: Record<string, unknown>, at: string): Promise<number> {
  if (await deps.purchasing.alertRaised(kind, id)) return 0;
  const failed = await deps.events.publish([{ source: PURCHASING_SOURCE, detailType: kind, detail: { metadata: { eventId: `${kind}.${id}`, version: EVENT_VERSION, occurredAt: at, correlationId: id }, data } }]);
  if (failed.length) throw new Error(`Could not publish ${kind} ${id}`);
  await deps.purchasing.raiseOnce(kind, id, { ...data, at });
  return 1;
}

/**
 * The end of a run: drafts under their supplier's auto-approval amount are approved (becoming
 * incoming stock), purchase orders past their expected date raise PurchaseOrderLate once, and the
 * run's summary goes on the bus.
 */
export async function finishRun(deps: PlanningDeps, runId: string, asOf: string, approve: (poId: string, actor: string) => Promise<PurchaseOrder>): Promise<{ autoApproved: string[]; late: string[] }> {
  const autoApproved: string[] = [];
  for await (const po of allOf(deps.purchasing, "DRAFT")) {
    const supplier = await deps.purchasing.getSupplier(po.supplierId);
    if (supplier && supplier.autoApproveBelow > 0 && po.total < supplier.autoApproveBelow) {
      await approve(po.poId, `auto-approval (under ${supplier.autoApproveBelow} ${supplier.currency})`);
      autoApproved.push(po.poId);
    }
  }
  const late: string[] = [];
  for (const status of ["APPROVED", "SENT", "ACKNOWLEDGED", "PARTIALLY_RECEIVED"] as const)
    for await (const po of allOf(deps.purchasing, status))
      if (po.expectedAt < asOf && (await alertOnce(deps, PURCHASING_EVENTS.late, po.poId, { poId: po.poId, supplierId: po.supplierId, locationId: po.locationId, status: po.status, expectedAt: po.expectedAt }, asOf))) late.push(po.poId);
  await deps.events.publish([{ source: PURCHASING_SOURCE, detailType: PURCHASING_EVENTS.planned, detail: { metadata: { eventId: `${PURCHASING_EVENTS.planned}.${runId}`, version: EVENT_VERSION, occurredAt: deps.clock.now(), correlationId: runId }, data: { runId, asOf, autoApproved, late } } }]);
  return { autoApproved, late };
}

async function* allOf(purchasing: PurchasingStore, status: string): AsyncIterable<PurchaseOrder> {
  let cursor: string | undefined;
  do {
    const page = await purchasing.list({ status }, 100, cursor);
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
}


import { supplierView, type PurchaseOrder, type Supplier } from "../domain/purchasing.js";
import type { Clock, PurchaseOrderDeliveries, PurchasingStore } from "./ports.js";

export interface SendPurchaseOrderDeps {
  purchasing: PurchasingStore;
  /** The x-oms-signature value of a body, signed with a secret at a unix time. */
  sign: (secret: string, body: string, t: number) => string;
  render: (po: PurchaseOrder, supplier: Supplier) => Promise<Uint8Array>;
  post: (url: string, body: string, headers: Record<string, string>) => Promise<{ status: number }>;
  deliveries: PurchaseOrderDeliveries;
  clock: Clock;
}

/**
 * PurchaseOrderSent: the order goes to the supplier, once per event. A webhook gets the order and
 * its PDF as JSON, signed with the supplier's secret (x-oms-signature) and carrying the event id
 * (x-oms-event-id) for the supplier's own dedupe; a non-2xx answer fails the call, so the bus
 * retries it. An email-only supplier's message is recorded for the notifications function.
 */
export async function sendPurchaseOrder(deps: SendPurchaseOrderDeps, poId: string, eventId: string): Promise<{ outcome: "SENT" | "ALREADY_SENT" | "EMAIL_QUEUED" }> {
  if (await deps.deliveries.claimed(poId, eventId)) return { outcome: "ALREADY_SENT" };
  const po = await deps.purchasing.get(poId);
  const supplier = po && (await deps.purchasing.getSupplier(po.supplierId));
  if (!po || !supplier) throw new Error(`Purchase order ${poId} or its supplier is gone`);
  const at = deps.clock.now();
  await deps.deliveries.claim(poId, eventId, at);
  const pdf = await deps.render(po, supplier);
  if (supplier.contact.webhookUrl) {
    const body = JSON.stringify({ type: "purchase_order", eventId, purchaseOrder: po, supplier: supplierView(supplier), document: { contentType: "application/pdf", filename: `${po.poId}.pdf`, base64: Buffer.from(pdf).toString("base64") } });
    const headers: Record<string, string> = { "content-type": "application/json", "x-oms-event-id": eventId, ...(supplier.contact.webhookSecret ? { "x-oms-signature": deps.sign(supplier.contact.webhookSecret, body, Math.floor(Date.parse(at) / 1000)) } : {}) };
    const { status } = await deps.post(supplier.contact.webhookUrl, body, headers);
    if (status < 200 || status > 299) throw new Error(`Supplier webhook ${supplier.contact.webhookUrl} answered ${status}`);
    await deps.deliveries.done(poId, eventId, { channel: "webhook", url: supplier.contact.webhookUrl, status, at, bytes: pdf.byteLength });
    return { outcome: "SENT" };
  }
  await deps.deliveries.done(poId, eventId, { channel: "email", to: supplier.contact.email, subject: `Purchase order ${po.poId}`, attachment: `${po.poId}.pdf`, bytes: pdf.byteLength, status: "QUEUED", at });
  return { outcome: "EMAIL_QUEUED" };
}

import { PDFDocument } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { DynamoCatalog } from "../../functions/adapters/dynamodb/catalog-repository.js";
import { documentClient } from "../../functions/adapters/dynamodb/client.js";
import { genericOrderBody } from "../fixtures/orders.js";
import { archivedEvents, cloud, deliver, dynamo, eventually, finishedExecution, notificationsOf, operatorGet, orderWhen, postOrder, shipIt, shipmentsIn } from "./helpers.js";

const EUR = (amount: number) => ({ amount, currency: "EUR" });

beforeAll(async () => {
  const catalog = new DynamoCatalog(documentClient(dynamo), cloud.tableName);
  const wh = { kind: "warehouse" as const, country: "DE", capabilities: ["ship" as const], dailyCapacity: 1000, priority: 1, active: true, groups: ["ful-test"] };
  await catalog.putLocation({ ...wh, locationId: "FUL-BER", name: "Fulfilment test Berlin", lat: 52.5, lon: 13.4, handlingCost: EUR(100) });
  await catalog.putSku({ sku: "FUL-A", name: "Fulfilment test item A", unitWeightGrams: 500, active: true });
  await catalog.putStock({ sku: "FUL-A", locationId: "FUL-BER", onHand: 100, reserved: 0, safetyStock: 0, reorderPoint: 0 });
});

const stockOf = async (sku: string, locationId: string) => ((await operatorGet(`/inventory/${sku}`)).json.locations as { locationId: string; onHand: number; reserved: number }[]).find((l) => l.locationId === locationId)!;

describe("the order's life to delivery", () => {
  it("happy path, one shipment: released, picked, packed, shipped (label, stock consumed, payment captured), delivered", async () => {
    const before = await stockOf("FUL-A", "FUL-BER");
    const res = await postOrder(genericOrderBody({ externalOrderId: "FUL-happy-1", lines: [{ sku: "FUL-A", quantity: 2, unitPrice: EUR(2500) }], payment: { method: "card", token: "tok_visa" } }));
    const orderId = String(res.json.orderId);
    const [released] = await shipmentsIn(orderId, "RELEASED");
    expect(released).toMatchObject({ shipmentId: `${orderId}-S1`, locationId: "FUL-BER", round: 1 });
    expect((await stockOf("FUL-A", "FUL-BER")).reserved).toBe(before.reserved + 2);

    const shipped = await shipIt(orderId, released!.shipmentId);
    expect(shipped.carrierShipment).toMatchObject({ carrier: "oms-post" });
    const after = await stockOf("FUL-A", "FUL-BER");
    expect(after).toMatchObject({ onHand: before.onHand - 2, reserved: before.reserved });
    const label = await fetch(`${cloud.apiUrl}/shipments/${released!.shipmentId}/label`, { headers: { authorization: `Bearer ${cloud.operatorToken}` } });
    expect(label.status).toBe(200);
    expect(label.headers.get("content-type")).toBe("application/pdf");
    const pdf = Buffer.from(await label.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getPage(0).getSize()).toEqual({ width: 288, height: 432 });
    expect(doc.getTitle()).toBe(`Shipping label ${shipped.carrierShipment!.trackingNumber}`);

    await deliver(shipped);
    const done = await finishedExecution(orderId);
    expect({ status: done.status, error: done.error, cause: done.cause }).toEqual({ status: "SUCCEEDED", error: undefined, cause: undefined });
    const view = await orderWhen(orderId, (o) => o.status === "DELIVERED");
    expect(view.statusHistory).toEqual(["RECEIVED", "CONFIRMED", "ALLOCATED", "SHIPPED", "DELIVERED"].map((status) => expect.objectContaining({ status })));
    expect(view.shipments.map((s) => s.status)).toEqual(["DELIVERED"]);
    expect(view.payment).toMatchObject({ status: "CAPTURED", captured: view.totals && (view.totals as { grandTotal: unknown }).grandTotal });

    const events = await eventually(
      () => Promise.all(["ShipmentReleased", "ShipmentShipped", "ShipmentDelivered", "PaymentCaptured", "OrderShipped", "OrderDelivered"].map((detailType) => archivedEvents({ detailType, where: (d) => d.orderId === orderId }))),
      (all) => all.every((e) => e.length === 1),
    );
    expect(events.map((e) => e.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(events[1]![0]!.detail.data).toMatchObject({ trackingNumber: shipped.carrierShipment!.trackingNumber, carrier: "oms-post" });
    const notes = await notificationsOf(orderId, 4);
    expect(notes.map((n) => n.template)).toEqual(expect.arrayContaining(["order-confirmed", "shipment-shipped", "order-delivered"]));
  });
});

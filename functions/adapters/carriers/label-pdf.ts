import bwipjs from "bwip-js/node";
import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import type { Address } from "../../domain/order.js";
import type { Shipment } from "../../domain/shipment.js";

/** 4 × 6 inches in PDF points. */
export const LABEL_SIZE: [number, number] = [288, 432];

export interface LabelInput {
  shipment: Pick<Shipment, "shipmentId" | "orderId" | "lines"> & { carrierShipment: NonNullable<Shipment["carrierShipment"]>; handover: NonNullable<Shipment["handover"]> };
  from: { name: string; country: string };
  to: Address;
}

/** The label's text is WinAnsi (the standard fonts' encoding): anything else is spelled out plainly. */
const safe = (s: string) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x20-\x7E]/g, "?");

/**
 * A printable 4×6 shipping label as a real PDF: carrier and service, sender and recipient,
 * weight, the tracking number as a Code 128 barcode, and the order reference.
 */
export async function renderLabel(input: LabelInput): Promise<Uint8Array> {
  const { shipment, from, to } = input;
  const cs = shipment.carrierShipment;
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Shipping label ${cs.trackingNumber}`);
  pdf.setSubject(`Shipment ${shipment.shipmentId}`);
  pdf.setProducer("OMS");
  pdf.setCreationDate(new Date(cs.labelCreatedAt));
  pdf.setModificationDate(new Date(cs.labelCreatedAt));
  const page = pdf.addPage(LABEL_SIZE);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const [width, height] = LABEL_SIZE;
  const margin = 14;
  let y = height - margin;
  const text = (s: string, size: number, font = regular, x = margin) => {
    y -= size + 3;
    page.drawText(safe(s), { x, y, size, font, color: rgb(0, 0, 0) });
  };
  const rule = () => {
    y -= 6;
    page.drawLine({ start: { x: margin, y }, end: { x: width - margin, y }, thickness: 1.2 });
  };

  text(cs.carrier.toUpperCase(), 22, bold);
  text(`${cs.service.toUpperCase()}  -  ${(shipment.handover.weightGrams / 1000).toFixed(2)} KG`, 11, bold);
  rule();
  text("FROM", 7, bold);
  text(from.name, 9);
  text(from.country, 9);
  rule();
  text("SHIP TO", 8, bold);
  text(to.name, 14, bold);
  text(to.line1, 12);
  if (to.line2) text(to.line2, 12);
  text(`${to.postalCode} ${to.city}${to.region ? `, ${to.region}` : ""}`, 12);
  text(to.country, 14, bold);
  rule();
  const barcode = await bwipjs.toBuffer({ bcid: "code128", text: cs.trackingNumber, scale: 2, height: 14, includetext: false });
  const image = await pdf.embedPng(barcode);
  const barcodeWidth = width - 2 * margin;
  const barcodeHeight = 70;
  y -= barcodeHeight + 8;
  page.drawImage(image, { x: margin, y, width: barcodeWidth, height: barcodeHeight });
  text(`TRACKING ${cs.trackingNumber}`, 11, bold);
  rule();
  text(`Order ${shipment.orderId}`, 8);
  text(`Shipment ${shipment.shipmentId}  -  ${shipment.lines.reduce((n, l) => n + l.quantity, 0)} item(s)`, 8);
  text(`Label ${cs.labelCreatedAt.slice(0, 10)}  -  deliver by ${cs.promisedBy.slice(0, 10)}`, 8);
  return pdf.save();
}

import { PDFDocument, StandardFonts, rgb } from "pdf-lib";
import type { PurchaseOrder, Supplier } from "../../domain/purchasing.js";
import { toDecimalText } from "../channels/money-text.js";

/** A4 in PDF points. */
const A4: [number, number] = [595.28, 841.89];
/** The standard fonts' encoding is WinAnsi: anything else is spelled out plainly. */
const safe = (s: string) => s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x20-\x7E]/g, "?");

/** The purchase order as the supplier reads it: a real PDF with the lines, prices, total, delivery location and expected date. */
export async function renderPurchaseOrder(po: PurchaseOrder, supplier: Pick<Supplier, "name" | "supplierId">, deliverTo: { name: string; locationId: string }): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Purchase order ${po.poId}`);
  pdf.setSubject(`Purchase order ${po.poId} to ${supplier.name}`);
  pdf.setProducer("OMS");
  pdf.setCreationDate(new Date(po.createdAt));
  pdf.setModificationDate(new Date(po.updatedAt));
  const page = pdf.addPage(A4);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let y = A4[1] - 50;
  const text = (s: string, x: number, size = 10, font = regular) => page.drawText(safe(s), { x, y, size, font, color: rgb(0, 0, 0) });
  const money = (minor: number) => `${toDecimalText(minor, po.currency)} ${po.currency}`;
  text(`Purchase order ${po.poId}`, 50, 18, bold);
  y -= 28;
  text(`Supplier: ${supplier.name} (${supplier.supplierId})`, 50);
  y -= 14;
  text(`Deliver to: ${deliverTo.name} (${deliverTo.locationId})`, 50);
  y -= 14;
  text(`Ordered: ${po.updatedAt.slice(0, 10)}    Expected: ${po.expectedAt.slice(0, 10)}`, 50);
  y -= 28;
  const cols = [50, 170, 300, 370, 470];
  ["Our SKU", "Your SKU", "Quantity", "Unit price", "Amount"].forEach((h, i) => text(h, cols[i]!, 10, bold));
  for (const l of po.lines) {
    y -= 16;
    if (y < 80) break;
    [l.sku, l.supplierSku ?? "", String(l.quantity), money(l.unitPrice), money(l.quantity * l.unitPrice)].forEach((c, i) => text(c, cols[i]!));
  }
  y -= 24;
  text(`Total: ${money(po.total)}`, 370, 12, bold);
  return pdf.save();
}

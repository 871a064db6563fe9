import { writeFileSync } from "node:fs";
import { prng } from "./routing-instances.js";

/**
 * The bench's own demand file (wide form): `skus` SKUs over `days` days from 2025-01-01, a third
 * each smooth-seasonal (weekly and yearly season, noise), intermittent (a sale on about one day
 * in four, steady sizes) and lumpy (rare days, sizes from 1 to 40). Returns the file's path.
 */
export function writeDemandFile(file: string, skus = 300, days = 364): string {
  const rnd = prng(20261203);
  const dates = Array.from({ length: days }, (_x, i) => new Date(Date.UTC(2025, 0, 1 + i)).toISOString().slice(0, 10));
  const rows = [["sku", ...dates].join(",")];
  const weekly = [0.8, 0.9, 1, 1.1, 1.3, 1.4, 0.5];
  for (let s = 0; s < skus; s++) {
    const kind = s % 3;
    const base = 2 + rnd() * 10;
    const series = dates.map((_d, t) => {
      if (kind === 0) return Math.max(0, Math.round(base * (weekly[t % 7] ?? 1) * (1 + 0.3 * Math.sin((2 * Math.PI * t) / 365)) + (rnd() - 0.5) * base * 0.6));
      if (kind === 1) return rnd() < 0.25 ? Math.max(1, Math.round(base / 2 + (rnd() - 0.5) * 2)) : 0;
      return rnd() < 0.08 ? 1 + Math.floor(rnd() ** 2 * 40) : 0;
    });
    rows.push([`GEN-${["SEASONAL", "INTERMITTENT", "LUMPY"][kind]}-${String(s).padStart(4, "0")}`, ...series].join(","));
  }
  writeFileSync(file, rows.join("\n") + "\n");
  return file;
}

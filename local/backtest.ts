import { parse } from "csv-parse/sync";
import { readFileSync } from "node:fs";
import { backtest, parseDemandRows, type BacktestOptions, type BacktestReport } from "../functions/domain/replenishment/backtest.js";

/** Reads a demand CSV (wide or long) and backtests it with the production forecasting and planning code. */
export function backtestFile(file: string, options: Partial<BacktestOptions> & { skus?: number }): BacktestReport {
  const rows: string[][] = parse(readFileSync(file, "utf8"), { skip_empty_lines: true, trim: true });
  let series = parseDemandRows(rows);
  if (options.skus !== undefined) series = new Map([...series].slice(0, options.skus));
  return backtest(series, options);
}

/** The report as the CLI prints it: one table of methods, one of classes, one of policies. */
export function backtestTable(r: BacktestReport): string {
  const pad = (s: string | number, n: number) => String(s).padEnd(n);
  const lines = [
    `${r.skus} SKUs × ${r.days} days; horizon ${r.options.horizon} d, lead time ${r.options.leadTimeDays} d, service level ${r.options.serviceLevel}, origins every ${r.options.step} d after ${r.options.warmUp} d`,
    "",
    `${pad("method", 16)}${pad("forecasts", 11)}${pad("MASE", 9)}RMSSE`,
    ...r.methods.map((m) => `${pad(m.method, 16)}${pad(m.series, 11)}${pad(m.mase.toFixed(3), 9)}${m.rmsse.toFixed(3)}`),
    "",
    `${pad("class (auto)", 16)}${pad("forecasts", 11)}${pad("MASE", 9)}RMSSE`,
    ...Object.entries(r.byClass).map(([c, m]) => `${pad(c, 16)}${pad(m.series, 11)}${pad(m.mase.toFixed(3), 9)}${m.rmsse.toFixed(3)}`),
    "",
    `${pad("policy", 16)}${pad("fill rate", 11)}${pad("target", 9)}${pad("avg stock", 11)}${pad("orders", 9)}stockout days`,
    ...r.policies.map((p) => `${pad(p.policy, 16)}${pad(p.fillRate.toFixed(4), 11)}${pad(p.policy === "planner" ? r.targetFillRate : "-", 9)}${pad(p.averageInventory.toFixed(1), 11)}${pad(p.orders, 9)}${p.stockoutDays}`),
  ];
  return lines.join("\n");
}

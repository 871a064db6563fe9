// Demand classification and the forecasting methods that fit each class. Pure: a daily demand
// series in, a per-day forecast and the method's one-step-ahead error out.

/** Syntetos-Boylan-Croston demand classes. */
export const DEMAND_CLASSES = ["smooth", "erratic", "intermittent", "lumpy", "none"] as const;
export type DemandClass = (typeof DEMAND_CLASSES)[number];

/** The forecasting methods the planner and the backtest use. */
export const FORECAST_METHODS = ["ses", "holt-winters", "croston", "sba", "tsb"] as const;
export type ForecastMethod = (typeof FORECAST_METHODS)[number];

/** Syntetos-Boylan cut-offs (Syntetos, Boylan & Croston 2005). */
export const ADI_CUTOFF = 1.32;
export const CV2_CUTOFF = 0.49;

export interface Classification {
  class: DemandClass;
  /** Average inter-demand interval: periods per period with demand. */
  adi: number;
  /** Squared coefficient of variation of the non-zero demand sizes (population variance). */
  cv2: number;
}

/** Classifies a demand series by ADI and CV² of its non-zero sizes. */
export function classify(series: readonly number[]): Classification {
  const sizes = series.filter((q) => q > 0);
  if (sizes.length === 0) return { class: "none", adi: Infinity, cv2: 0 };
  const adi = series.length / sizes.length;
  const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length;
  const variance = sizes.reduce((a, b) => a + (b - mean) ** 2, 0) / sizes.length;
  const cv2 = variance / mean ** 2;
  const intermittent = adi >= ADI_CUTOFF;
  const variable = cv2 >= CV2_CUTOFF;
  return { class: intermittent ? (variable ? "lumpy" : "intermittent") : variable ? "erratic" : "smooth", adi, cv2 };
}

/** A fitted forecast: the mean demand per period for the next periods, and the one-step errors it made in-sample. */
export interface Forecast {
  method: ForecastMethod;
  /** Demand per period for periods 1..n ahead (the method's own shape: flat, or seasonal). */
  ahead: (h: number) => number;
  /** Mean demand per period over the next `periods`. */
  perPeriod: number;
  /** Root mean squared one-step-ahead error in-sample (after the first period): σ of the per-period demand around the forecast. */
  rmse: number;
  /** Mean absolute one-step-ahead error in-sample. */
  mae: number;
  parameters: Record<string, number>;
}

interface Fit {
  /** One-step-ahead forecasts made before seeing period t, for t = 1..n-1. */
  fitted: number[];
  ahead: (h: number) => number;
  parameters: Record<string, number>;
}

const errorsOf = (series: readonly number[], fitted: number[], from: number) => {
  let sq = 0;
  let abs = 0;
  let n = 0;
  for (let t = from; t < series.length; t++) {
    const e = (series[t] ?? 0) - (fitted[t] ?? 0);
    sq += e * e;
    abs += Math.abs(e);
    n++;
  }
  return n ? { rmse: Math.sqrt(sq / n), mae: abs / n, sse: sq } : { rmse: 0, mae: 0, sse: 0 };
};

/** Simple exponential smoothing, level initialised at the first observation. fitted[t] forecasts period t. */
export function ses(series: readonly number[], alpha: number): Fit {
  const fitted: number[] = [];
  let level = series[0] ?? 0;
  for (let t = 1; t < series.length; t++) {
    fitted[t] = level;
    level = alpha * (series[t] ?? 0) + (1 - alpha) * level;
  }
  return { fitted, ahead: () => level, parameters: { alpha } };
}

/**
 * Additive Holt-Winters with season length m: level from the first season's mean, no initial
 * trend, seasonal indices the first season's deviations from it. Needs two seasons.
 */
export function holtWinters(series: readonly number[], m: number, alpha: number, beta: number, gamma: number): Fit {
  const first = series.slice(0, m);
  let level = first.reduce((a, b) => a + b, 0) / m;
  let trend = 0;
  const season = first.map((y) => y - level);
  const fitted: number[] = [];
  for (let t = m; t < series.length; t++) {
    const s = season[t % m] ?? 0;
    fitted[t] = Math.max(0, level + trend + s);
    const y = series[t] ?? 0;
    const previous = level;
    level = alpha * (y - s) + (1 - alpha) * (level + trend);
    trend = beta * (level - previous) + (1 - beta) * trend;
    season[t % m] = gamma * (y - level) + (1 - gamma) * s;
  }
  const n = series.length;
  return { fitted, ahead: (h) => Math.max(0, level + h * trend + (season[(n + h - 1) % m] ?? 0)), parameters: { alpha, beta, gamma, season: m } };
}

/**
 * Croston's method and its variants, updated on periods with demand. Initialisation: the size at
 * the first demand, the interval as the periods up to and including it. `variant` "sba" is the
 * Syntetos-Boylan approximation (× (1 − α/2)).
 */
export function croston(series: readonly number[], alpha: number, variant: "croston" | "sba" = "croston"): Fit {
  const fitted: number[] = [];
  const factor = variant === "sba" ? 1 - alpha / 2 : 1;
  let size: number | undefined;
  let interval = 0;
  let since = 0;
  for (let t = 0; t < series.length; t++) {
    if (t > 0) fitted[t] = size === undefined ? 0 : (factor * size) / interval;
    since++;
    const y = series[t] ?? 0;
    if (y > 0) {
      if (size === undefined) {
        size = y;
        interval = since;
      } else {
        size = alpha * y + (1 - alpha) * size;
        interval = alpha * since + (1 - alpha) * interval;
      }
      since = 0;
    }
  }
  const f = size === undefined ? 0 : (factor * size) / interval;
  return { fitted, ahead: () => f, parameters: { alpha } };
}

/**
 * Teunter-Syntetos-Babai: the probability of demand is smoothed every period (β), the size only
 * on periods with demand (α). Initialisation: the first demand's size, probability 1 / its period.
 */
export function tsb(series: readonly number[], alpha: number, beta: number): Fit {
  const fitted: number[] = [];
  const firstAt = series.findIndex((q) => q > 0);
  let size = firstAt >= 0 ? (series[firstAt] ?? 0) : 0;
  let probability = firstAt >= 0 ? 1 / (firstAt + 1) : 0;
  for (let t = firstAt + 1; t < series.length && firstAt >= 0; t++) {
    fitted[t] = probability * size;
    const y = series[t] ?? 0;
    probability = beta * (y > 0 ? 1 : 0) + (1 - beta) * probability;
    if (y > 0) size = alpha * y + (1 - alpha) * size;
  }
  for (let t = 1; t <= firstAt; t++) fitted[t] = 0;
  const f = probability * size;
  return { fitted, ahead: () => f, parameters: { alpha, beta } };
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5];
const SEASON = 7;

/** The method each class is forecast with. */
export function methodFor(c: DemandClass, periods: number): ForecastMethod {
  if (c === "smooth" || c === "erratic") return periods >= 4 * SEASON ? "holt-winters" : "ses";
  return c === "lumpy" ? "tsb" : "sba";
}

/** Fits a method, choosing its smoothing constants from a small grid by in-sample squared error. */
export function fit(series: readonly number[], method: ForecastMethod, horizon = 1): Forecast {
  const candidates: { fit: Fit; from: number }[] = [];
  if (method === "ses") for (const a of ALPHAS) candidates.push({ fit: ses(series, a), from: 1 });
  else if (method === "holt-winters") for (const a of [0.1, 0.2, 0.3]) for (const g of [0.05, 0.1, 0.3]) candidates.push({ fit: holtWinters(series, SEASON, a, 0.01, g), from: SEASON });
  else if (method === "croston" || method === "sba") for (const a of [0.05, 0.1, 0.2]) candidates.push({ fit: croston(series, a, method), from: 1 });
  else for (const a of [0.05, 0.1, 0.2]) for (const b of [0.05, 0.1, 0.2]) candidates.push({ fit: tsb(series, a, b), from: 1 });
  let best: { fit: Fit; err: ReturnType<typeof errorsOf> } | undefined;
  for (const c of candidates) {
    const err = errorsOf(series, c.fit.fitted, Math.max(c.from, 1));
    if (!best || err.sse < best.err.sse) best = { fit: c.fit, err };
  }
  const chosen = best!;
  let total = 0;
  for (let h = 1; h <= horizon; h++) total += chosen.fit.ahead(h);
  return { method, ahead: chosen.fit.ahead, perPeriod: total / horizon, rmse: chosen.err.rmse, mae: chosen.err.mae, parameters: chosen.fit.parameters };
}

/** Classifies a series and forecasts it with the method its class calls for. */
export function forecast(series: readonly number[], horizon = 1): { classification: Classification; forecast: Forecast } {
  const classification = classify(series);
  return { classification, forecast: fit(series, methodFor(classification.class, series.length), horizon) };
}

/** Seasonal-naive forecasts' mean absolute and squared in-sample errors (the MASE and RMSSE scales). */
export function naiveScale(series: readonly number[], m = SEASON): { mae: number; mse: number } {
  let abs = 0;
  let sq = 0;
  let n = 0;
  for (let t = m; t < series.length; t++) {
    const e = (series[t] ?? 0) - (series[t - m] ?? 0);
    abs += Math.abs(e);
    sq += e * e;
    n++;
  }
  return n ? { mae: abs / n, mse: sq / n } : { mae: 0, mse: 0 };
}

/** MASE and RMSSE of out-of-sample forecasts against the seasonal-naive scale of the training series (M5's measures). */
export function scaledErrors(train: readonly number[], actual: readonly number[], predicted: readonly number[], m = SEASON): { mase: number; rmsse: number } | undefined {
  const scale = naiveScale(train, m);
  if (scale.mae === 0 || scale.mse === 0 || actual.length === 0) return undefined;
  let abs = 0;
  let sq = 0;
  actual.forEach((a, i) => {
    const e = a - (predicted[i] ?? 0);
    abs += Math.abs(e);
    sq += e * e;
  });
  return { mase: abs / actual.length / scale.mae, rmsse: Math.sqrt(sq / actual.length / scale.mse) };
}

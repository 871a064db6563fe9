import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a fake received: what a test asserts on. `op` names the vendor operation (a GraphQL mutation, a REST resource). */
export interface FakeCall {
  op: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The parsed JSON body, when it was JSON. */
  json?: Record<string, unknown>;
}

export interface FakeAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/**
 * The HTTP side every vendor fake shares: it listens on 127.0.0.1, records each call under the
 * vendor operation it was, and can be told to fail the next n calls of an operation (a 503, or
 * whatever status the test wants), as the real API does when it is down or throttling.
 */
export abstract class FakeVendor {
  readonly calls: FakeCall[] = [];
  private server: Server | undefined;
  private readonly failures = new Map<string, { left: number; status: number; body: unknown }>();
  url = "";
  /**
   * What `POST /_fake/simulate?orders=N` does (the local CLI's `channels simulate`): make N
   * orders on the channel and tell the OMS as the vendor would. Unset, the route does not exist.
   */
  simulate?: (orders: number) => Promise<unknown[]>;

  /** The vendor operation a request is, or undefined for a route the vendor does not have. */
  protected abstract operation(req: { method: string; path: string; json?: Record<string, unknown> }): string | undefined;
  /** The vendor's answer to a recorded call. */
  protected abstract answer(call: FakeCall): FakeAnswer | Promise<FakeAnswer>;

  /** The next `times` calls of `op` answer `status` (503 unless told) without doing anything. */
  failNext(op: string, times = 1, status = 503, body: unknown = { errors: "Service Unavailable" }): void {
    this.failures.set(op, { left: times, status, body });
  }

  /** The calls of one operation, oldest first. */
  callsOf(op: string): FakeCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once("error", reject);
      this.server?.listen(port, "127.0.0.1", () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const url = new URL(req.url ?? "/", "http://fake");
    let json: Record<string, unknown> | undefined;
    if (/json/.test(req.headers["content-type"] ?? "") && body) {
      try {
        json = JSON.parse(body) as Record<string, unknown>;
      } catch {
        return send(res, { status: 400, body: { errors: "malformed JSON" } });
      }
    }
    const method = req.method ?? "GET";
    if (method === "POST" && url.pathname === "/_fake/simulate" && this.simulate) {
      const orders = Number(url.searchParams.get("orders") ?? 1);
      if (!Number.isInteger(orders) || orders < 1 || orders > 10_000) return send(res, { status: 400, body: { errors: "orders must be 1 to 10000" } });
      return send(res, { status: 200, body: { results: await this.simulate(orders).catch((e: Error) => [{ error: e.message }]) } });
    }
    const op = this.operation({ method, path: url.pathname, ...(json ? { json } : {}) });
    if (!op) return send(res, { status: 404, body: { errors: "Not Found" } });
    const call: FakeCall = { op, method, path: url.pathname, query: url.searchParams, headers: req.headers, body, ...(json ? { json } : {}) };
    this.calls.push(call);
    const failure = this.failures.get(op);
    if (failure && failure.left > 0) {
      failure.left--;
      return send(res, { status: failure.status, body: failure.body });
    }
    try {
      send(res, await this.answer(call));
    } catch (error) {
      send(res, { status: 500, body: { errors: (error as Error).message } });
    }
  }
}

function send(res: ServerResponse, a: FakeAnswer): void {
  if (a.status === 204) {
    res.writeHead(204, a.headers);
    return void res.end();
  }
  res.writeHead(a.status, { "content-type": "application/json", ...a.headers });
  res.end(typeof a.body === "string" ? a.body : JSON.stringify(a.body));
}

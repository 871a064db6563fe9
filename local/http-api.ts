import { randomUUID } from "node:crypto";
import { type IncomingMessage, type ServerResponse } from "node:http";
import { LocalHttpServer } from "./http-server.js";
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import type { Resolver } from "./intrinsics.js";
import type { LambdaRuntime } from "./lambda-runtime.js";

/** API Gateway's own limit on an HTTP API request body. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

interface Route {
  method: string;
  path: string;
  matcher: RegExp;
  params: string[];
  functionArn: string;
  authorization: string;
  routeKey: string;
}

const TEXTUAL = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/**
 * The HTTP APIs of the assembly (API Gateway v2, Lambda proxy integrations, payload 2.0).
 * Routes with AWS_IAM or JWT authorization accept `Authorization: Bearer <operator token>`
 * locally, since there is no IAM here.
 */
export class HttpApiLocal extends LocalHttpServer {
  private readonly routes: Route[] = [];
  readonly apiId: string;

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly lambda: LambdaRuntime,
    private readonly operatorToken: string,
  ) {
    super();
    const apis = assembly.ofType("AWS::ApiGatewayV2::Api");
    if (apis.length > 1) throw new Error(`The local cloud serves one HTTP API; the assembly has ${apis.length}`);
    const api = apis[0];
    this.apiId = api ? resolver.physicalOf(api.stack, api.logicalId).ref : "none";
    const integrations = new Map<string, string>();
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::ApiGatewayV2::Integration")) {
      const p = resource.Properties ?? {};
      if (p.IntegrationType !== "AWS_PROXY" || p.PayloadFormatVersion !== "2.0")
        throw new Error(`Integration ${logicalId}: only Lambda proxy integrations with payload 2.0 run locally`);
      integrations.set(logicalId, resolver.str(stack, p.IntegrationUri));
    }
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::ApiGatewayV2::Route")) {
      const p = resource.Properties ?? {};
      const routeKey = text(p.RouteKey);
      const target = (p.Target as { "Fn::Join"?: [string, [string, { Ref: string }]] })?.["Fn::Join"]?.[1]?.[1]?.Ref;
      const functionArn = target ? integrations.get(target) : undefined;
      if (!functionArn) throw new Error(`Route ${logicalId} (${routeKey}): its integration is not a Lambda proxy integration of the assembly`);
      if (routeKey === "$default") {
        this.routes.push({ method: "ANY", path: "$default", matcher: /^.*$/, params: [], functionArn, authorization: text(p.AuthorizationType, "NONE"), routeKey });
        continue;
      }
      const [method = "", routePath = ""] = routeKey.split(" ");
      const params: string[] = [];
      const matcher = new RegExp(
        "^" +
          routePath
            .split("/")
            .map((seg) => {
              const m = /^\{([^}+]+)(\+)?\}$/.exec(seg);
              if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
              params.push(m[1]!);
              return m[2] ? "(.+)" : "([^/]+)";
            })
            .join("/") +
          "$",
      );
      this.routes.push({ method, path: routePath, matcher, params, functionArn, authorization: text(p.AuthorizationType, "NONE"), routeKey });
      void stack;
    }
    // Most specific first, like API Gateway: literal paths before parameters, greedy last.
    this.routes.sort((a, b) => score(b) - score(a));
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", "apigw-requestid": requestId, ...headers });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    const requestId = randomUUID();
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = (req.method ?? "GET").toUpperCase();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > MAX_PAYLOAD_BYTES) return send(413, { message: "Request Entity Too Large" });
      chunks.push(c as Buffer);
    }
    const route = this.match(method, url.pathname);
    if (!route) return send(404, { message: "Not Found" });
    const auth = req.headers.authorization ?? "";
    if (route.route.authorization !== "NONE" && auth !== `Bearer ${this.operatorToken}`) return send(403, { message: "Forbidden" });

    const raw = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(",") : v;
    const textual = TEXTUAL.test(headers["content-type"] ?? "");
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
    const now = new Date();
    const event = {
      version: "2.0",
      routeKey: route.route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ""),
      ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId: this.apiId,
        domainName: headers.host ?? "localhost",
        domainPrefix: (headers.host ?? "localhost").split(".")[0],
        http: { method, path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? "127.0.0.1", userAgent: headers["user-agent"] ?? "" },
        requestId,
        routeKey: route.route.routeKey,
        stage: "$default",
        time: now.toUTCString(),
        timeEpoch: now.getTime(),
        ...(route.route.authorization === "AWS_IAM" ? { authorizer: { iam: { accountId: LOCAL_ACCOUNT, userArn: `arn:aws:iam::${LOCAL_ACCOUNT}:user/local-operator`, userId: "local-operator" } } } : {}),
      },
      ...(Object.keys(route.params).length ? { pathParameters: route.params } : {}),
      ...(raw.length ? { body: textual ? raw.toString("utf8") : raw.toString("base64") } : {}),
      isBase64Encoded: raw.length > 0 && !textual,
    };
    // API Gateway invokes the function only where its Lambda permission lets apigateway.amazonaws.com
    // from this route (source ARN: api/stage/METHOD/path template); without one the caller gets a 500.
    const sourceArn = `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${this.apiId}/$default/${method}${route.route.path === "$default" ? "" : route.route.path}`;
    const out = await this.lambda.invoke(route.route.functionArn, event, { caller: { service: "apigateway.amazonaws.com", sourceArn } });
    if (!out.ok && out.denied) console.error(`[http-api] ${route.route.routeKey}: ${out.errorMessage}`);
    if (!out.ok) return send(500, { message: "Internal Server Error" });
    const result = out.result as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean; cookies?: string[] } | string | null;
    // Payload 2.0 response inference: an object without statusCode is a 200 JSON body.
    if (result === null || typeof result !== "object" || result.statusCode === undefined) return send(200, result ?? "");
    const body = result.body === undefined ? "" : result.isBase64Encoded ? Buffer.from(result.body, "base64") : result.body;
    res.writeHead(result.statusCode, { "apigw-requestid": requestId, ...(result.headers ?? {}), ...(result.cookies?.length ? { "set-cookie": result.cookies } : {}) });
    res.end(body);
  }

  private match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== "ANY" && route.method !== method) continue;
      const m = route.matcher.exec(pathname);
      if (!m) continue;
      return { route, params: Object.fromEntries(route.params.map((p, i) => [p, decodeURIComponent(m[i + 1] ?? "")])) };
    }
    return undefined;
  }
}

function score(r: Route): number {
  if (r.path === "$default") return -1;
  return r.path.split("/").reduce((s, seg) => s + (seg.startsWith("{") ? (seg.endsWith("+}") ? 0 : 1) : 3), 0) + (r.method === "ANY" ? 0 : 0.5);
}

import { createHash } from "node:crypto";
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { AwsError } from "./aws-errors.js";
import type { Resolver } from "./intrinsics.js";

/**
 * IAM as the local cloud enforces it. Every function runs with credentials of its own role (its
 * execution role, as Lambda hands them over in the environment), the state machine calls its
 * integrations as its role, and EventBridge invokes a function only where a Lambda permission lets
 * it. A call is allowed as AWS allows it: some statement of the role's identity policies allows
 * the action on the resource and none denies it (Action/NotAction and Resource/NotResource with `*`
 * and `?` wildcards); otherwise it is refused with AccessDeniedException and AWS's message. A
 * policy the evaluator cannot read (a condition on an identity policy, an AWS managed policy it
 * does not know) stops the start, naming it: a grant that cannot be checked is not waved through.
 *
 * Callers whose credentials the local cloud did not issue (the tests, the bench, the AWS CLI of a
 * developer) are the account's administrator, as a developer's own credentials would be.
 */

export interface Statement {
  effect: "Allow" | "Deny";
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  /** Lambda permissions only: the service principal the statement is for, and its conditions. */
  principal?: string;
  conditions?: Condition[];
}

interface Condition {
  operator: "ArnEquals" | "ArnLike" | "StringEquals" | "StringLike";
  key: string;
  values: string[];
}

/** The roles' identity, as an assumed-role session (what AWS names in a denial). */
export interface Session {
  roleArn: string;
  roleName: string;
  sessionName: string;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** AWS managed policies the evaluator knows, by name: what they allow. */
const MANAGED_POLICIES: Record<string, Statement[]> = {
  "service-role/AWSLambdaBasicExecutionRole": [{ effect: "Allow", actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], resources: ["*"] }],
};

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => text(x)) : [text(v)]);

const PATTERNS = new Map<string, RegExp>();
/** IAM's wildcard match: `*` any run of characters, `?` any one; actions ignore case, resources do not. */
function wildcard(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? "i" : "s"}${pattern}`;
  let re = PATTERNS.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    PATTERNS.set(key, (re = new RegExp(`^${body}$`, ignoreCase ? "is" : "s")));
  }
  return re;
}

/** Whether a statement speaks of this action on this resource (Action/NotAction, Resource/NotResource). */
function statementMatches(s: Statement, action: string, resource: string): boolean {
  const any = (patterns: string[], value: string, ignoreCase: boolean) => patterns.some((p) => wildcard(p, ignoreCase).test(value));
  const actionOk = s.actions ? any(s.actions, action, true) : s.notActions ? !any(s.notActions, action, true) : false;
  const resourceOk = s.resources ? any(s.resources, resource, false) : s.notResources ? !any(s.notResources, resource, false) : false;
  return actionOk && resourceOk;
}

export class IamLocal {
  private readonly roles = new Map<string, { name: string; statements: Statement[] }>();
  private readonly sessions = new Map<string, Session>();
  /** Lambda permissions (resource policies of functions), by function ARN. */
  private readonly functionPolicies = new Map<string, Statement[]>();
  private readonly decisions = new Map<string, boolean>();

  constructor(assembly: CloudAssembly, resolver: Resolver) {
    const problems: string[] = [];
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::IAM::Role")) {
      const physical = resolver.physicalOf(stack, logicalId);
      const arn = physical.attributes.Arn ?? "";
      const statements: Statement[] = [];
      for (const managed of list(resolver.resolve(stack, resource.Properties?.ManagedPolicyArns ?? []))) {
        const name = /:iam::aws:policy\/(.+)$/.exec(managed)?.[1] ?? "";
        const known = MANAGED_POLICIES[name];
        if (known) statements.push(...known);
        else problems.push(`${stack}/${logicalId}: the managed policy ${managed} is not known to the local cloud's IAM`);
      }
      for (const p of (resource.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]) statements.push(...this.identityStatements(resolver.resolve(stack, p.PolicyDocument), `${stack}/${logicalId}`, problems));
      this.roles.set(arn, { name: physical.ref, statements });
    }
    for (const type of ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"]) {
      for (const { stack, logicalId, resource } of assembly.ofType(type)) {
        const statements = this.identityStatements(resolver.resolve(stack, resource.Properties?.PolicyDocument), `${stack}/${logicalId}`, problems);
        for (const roleName of list(resolver.resolve(stack, resource.Properties?.Roles ?? []))) {
          const role = [...this.roles.entries()].find(([, r]) => r.name === roleName);
          if (!role) problems.push(`${stack}/${logicalId}: attached to ${roleName}, a role the assembly does not declare`);
          else role[1].statements.push(...statements);
        }
      }
    }
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Lambda::Permission")) {
      const p = (resolver.resolve(stack, resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
      const fn = text(p.FunctionName);
      const arn = fn.startsWith("arn:") ? fn.split(":").slice(0, 7).join(":") : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${fn}`;
      const conditions: Condition[] = [
        ...(p.SourceArn ? [{ operator: "ArnLike" as const, key: "aws:SourceArn", values: [text(p.SourceArn)] }] : []),
        ...(p.SourceAccount ? [{ operator: "StringEquals" as const, key: "aws:SourceAccount", values: [text(p.SourceAccount)] }] : []),
      ];
      if (!p.Principal) problems.push(`${stack}/${logicalId}: a Lambda permission without a Principal`);
      const statement: Statement = { effect: "Allow", actions: [text(p.Action)], resources: [arn], principal: text(p.Principal), conditions };
      this.functionPolicies.set(arn, [...(this.functionPolicies.get(arn) ?? []), statement]);
    }
    if (problems.length) throw new Error(`The local cloud's IAM cannot read these policies:\n  ${problems.join("\n  ")}`);
  }

  private identityStatements(document: unknown, where: string, problems: string[]): Statement[] {
    const statements = ((document as { Statement?: unknown } | undefined)?.Statement ?? []) as Record<string, unknown>[];
    return (Array.isArray(statements) ? statements : [statements]).map((s) => {
      if (s.Condition) problems.push(`${where}: conditions on identity policies are not evaluated locally (${JSON.stringify(s.Condition)})`);
      if (s.Effect !== "Allow" && s.Effect !== "Deny") problems.push(`${where}: Effect ${JSON.stringify(s.Effect)}`);
      return {
        effect: s.Effect as "Allow" | "Deny",
        ...(s.Action !== undefined ? { actions: list(s.Action) } : {}),
        ...(s.NotAction !== undefined ? { notActions: list(s.NotAction) } : {}),
        ...(s.Resource !== undefined ? { resources: list(s.Resource) } : {}),
        ...(s.NotResource !== undefined ? { notResources: list(s.NotResource) } : {}),
      };
    });
  }

  /** Credentials for a role's session (a function's execution environment). */
  credentialsFor(roleArn: string, sessionName: string): IssuedCredentials {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`The role ${roleArn} is not in the assembly`);
    const accessKeyId = `ASIA${createHash("sha256").update(`${roleArn}|${sessionName}`).digest("hex").slice(0, 16).toUpperCase()}`;
    this.sessions.set(accessKeyId, { roleArn, roleName: role.name, sessionName });
    return { accessKeyId, secretAccessKey: createHash("sha256").update(accessKeyId).digest("base64").slice(0, 40), sessionToken: `local-session-${accessKeyId}` };
  }

  /** The session a request was signed by (its SigV4 Authorization header), or undefined for the operator. */
  sessionOf(authorization: string | undefined): Session | undefined {
    const key = /Credential=([A-Z0-9]+)\//.exec(authorization ?? "")?.[1];
    return key ? this.sessions.get(key) : undefined;
  }

  /** A session of a role the local cloud acts as itself (the state machine's role). */
  session(roleArn: string, sessionName: string): Session {
    const role = this.roles.get(roleArn);
    if (!role) throw new Error(`The role ${roleArn} is not in the assembly`);
    return { roleArn, roleName: role.name, sessionName };
  }

  /** Whether the session's role may perform `action` on `resource`: an allow and no deny. */
  allows(session: Session, action: string, resource: string): boolean {
    const key = `${session.roleArn}|${action}|${resource}`;
    let decision = this.decisions.get(key);
    if (decision === undefined) {
      const matching = (this.roles.get(session.roleArn)?.statements ?? []).filter((s) => statementMatches(s, action, resource));
      decision = !matching.some((s) => s.effect === "Deny") && matching.some((s) => s.effect === "Allow");
      this.decisions.set(key, decision);
    }
    return decision;
  }

  /** AWS's AccessDenied message when the session may not perform `action` on one of the resources; undefined when it may on all. */
  denial(session: Session, action: string, resources: string[]): string | undefined {
    const resource = resources.find((r) => !this.allows(session, action, r));
    if (resource === undefined) return undefined;
    return `User: arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${session.roleName}/${session.sessionName} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;
  }

  /** Throws AccessDeniedException, worded as AWS words it, unless the session (if any: none is the operator) may perform `action` on every resource. */
  authorize(session: Session | undefined, action: string, resources: string[]): void {
    const denied = session && this.denial(session, action, resources);
    if (denied) throw new AwsError("AccessDeniedException", denied);
  }

  /** Whether a function's resource policy (its Lambda permissions) lets `service` (e.g. events.amazonaws.com) invoke it from `sourceArn`. */
  functionAllows(functionArn: string, service: string, sourceArn: string): boolean {
    const context: Record<string, string> = { "aws:SourceArn": sourceArn, "aws:SourceAccount": LOCAL_ACCOUNT };
    const applies = (this.functionPolicies.get(functionArn) ?? []).filter((s) => s.principal === service && statementMatches(s, "lambda:InvokeFunction", functionArn) && (s.conditions ?? []).every((c) => holds(c, context)));
    return !applies.some((s) => s.effect === "Deny") && applies.some((s) => s.effect === "Allow");
  }
}

function holds(c: Condition, context: Record<string, string>): boolean {
  const value = context[c.key];
  if (value === undefined) return false;
  const like = c.operator === "ArnLike" || c.operator === "StringLike";
  return c.values.some((v) => (like ? wildcard(v, false).test(value) : v === value));
}

/** An event bus's ARN from the name (or ARN) a request gives, the default bus when it gives none. */
export const busArn = (name: unknown) => (text(name).startsWith("arn:") ? text(name) : `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:event-bus/${text(name, "default")}`);

const tableArn = (name: unknown) => (text(name).startsWith("arn:") ? text(name) : `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${text(name)}`);

/**
 * What a DynamoDB call needs IAM to allow, as AWS checks it: the operation on its table (or the
 * index a Query or Scan names); for transactions, each item's own action (PutItem, UpdateItem,
 * DeleteItem, ConditionCheckItem, GetItem) on that item's table; for batches, the batch action on
 * every table in the request.
 */
export function dynamoAccess(op: string, b: Record<string, unknown>): [string, string[]][] {
  const on = (name: unknown, index?: unknown) => `${tableArn(name)}${index ? `/index/${text(index)}` : ""}`;
  switch (op) {
    case "TransactWriteItems":
    case "TransactGetItems": {
      const byAction = new Map<string, Set<string>>();
      const actions: Record<string, string> = { Put: "PutItem", Update: "UpdateItem", Delete: "DeleteItem", ConditionCheck: "ConditionCheckItem", Get: "GetItem" };
      for (const item of (b.TransactItems ?? []) as Record<string, { TableName?: string }>[]) {
        for (const [kind, spec] of Object.entries(item)) {
          const action = `dynamodb:${actions[kind] ?? kind}`;
          byAction.set(action, (byAction.get(action) ?? new Set()).add(on(spec.TableName)));
        }
      }
      return [...byAction.entries()].map(([a, r]) => [a, [...r]]);
    }
    case "BatchGetItem":
    case "BatchWriteItem":
      return [[`dynamodb:${op}`, Object.keys((b.RequestItems ?? {}) as Record<string, unknown>).map((t) => on(t))]];
    case "ListTables":
      return [["dynamodb:ListTables", ["*"]]];
    default:
      return [[`dynamodb:${op}`, [b.TableName === undefined ? "*" : on(b.TableName, b.IndexName)]]];
  }
}

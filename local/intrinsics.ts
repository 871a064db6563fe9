import { LOCAL_ACCOUNT, LOCAL_REGION, type CloudAssembly, type CfnResource } from "./assembly.js";

/** Physical identity of a resource: what Ref returns and what Fn::GetAtt can read. */
export interface Physical {
  ref: string;
  attributes: Record<string, string>;
}

const arn = (service: string, resource: string) => `arn:aws:${service}:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${resource}`;

/** Deterministic local physical names: the template's explicit name, else "<stack>-<logicalId>". */
function physicalFor(stack: string, logicalId: string, r: CfnResource, str: (v: unknown) => string): Physical {
  const p = r.Properties ?? {};
  const named = (prop: string) => (p[prop] !== undefined ? str(p[prop]) : `${stack}-${logicalId}`);
  switch (r.Type) {
    case "AWS::DynamoDB::Table": {
      const name = named("TableName");
      const a = arn("dynamodb", `table/${name}`);
      return { ref: name, attributes: { Arn: a, StreamArn: `${a}/stream/local` } };
    }
    case "AWS::Events::EventBus": {
      const name = named("Name");
      return { ref: name, attributes: { Name: name, Arn: arn("events", `event-bus/${name}`) } };
    }
    case "AWS::Events::Rule": {
      const name = named("Name");
      return { ref: name, attributes: { Arn: arn("events", `rule/${name}`) } };
    }
    case "AWS::Lambda::Function": {
      const name = named("FunctionName");
      return { ref: name, attributes: { Arn: arn("lambda", `function:${name}`) } };
    }
    case "AWS::StepFunctions::StateMachine": {
      const name = named("StateMachineName");
      const a = arn("states", `stateMachine:${name}`);
      return { ref: a, attributes: { Arn: a, Name: name } };
    }
    case "AWS::SecretsManager::Secret": {
      const name = named("Name");
      const a = arn("secretsmanager", `secret:${name}-local`);
      return { ref: a, attributes: { Id: a } };
    }
    case "AWS::SQS::Queue": {
      const name = named("QueueName");
      return { ref: `http://sqs.local/${LOCAL_ACCOUNT}/${name}`, attributes: { Arn: arn("sqs", name), QueueName: name, QueueUrl: `http://sqs.local/${LOCAL_ACCOUNT}/${name}` } };
    }
    case "AWS::Logs::LogGroup": {
      const name = named("LogGroupName");
      return { ref: name, attributes: { Arn: arn("logs", `log-group:${name}:*`) } };
    }
    case "AWS::IAM::Role": {
      const name = named("RoleName");
      return { ref: name, attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`, RoleId: name } };
    }
    case "AWS::ApiGatewayV2::Api":
      return { ref: logicalId.toLowerCase().slice(0, 10), attributes: { ApiEndpoint: "http://localhost", ApiId: logicalId } };
    default:
      return { ref: `${stack}-${logicalId}`, attributes: {} };
  }
}

/**
 * Resolves CloudFormation intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::ImportValue,
 * Fn::Select, Fn::Split) across the stacks of an assembly, the way a deployment would.
 */
export class Resolver {
  private readonly physical = new Map<string, Physical>();
  private readonly exports = new Map<string, string>();
  /** Overrides for attributes only the running local cloud knows (e.g. the API endpoint). */
  private readonly overrides = new Map<string, string>();

  constructor(private readonly assembly: CloudAssembly) {
    for (const stack of assembly.stacks) {
      for (const [logicalId, r] of Object.entries(stack.resources))
        this.physical.set(`${stack.stackName}/${logicalId}`, physicalFor(stack.stackName, logicalId, r, (v) => this.str(stack.stackName, v)));
      for (const output of Object.values(stack.outputs))
        if (output.Export) this.exports.set(this.str(stack.stackName, output.Export.Name), this.str(stack.stackName, output.Value));
    }
  }

  /** Sets what Fn::GetAtt returns for one attribute (e.g. an API's endpoint once its port is known). */
  override(stack: string, logicalId: string, attribute: string, value: string): void {
    this.overrides.set(`${stack}/${logicalId}.${attribute}`, value);
  }

  /** The physical identity of a resource. */
  physicalOf(stack: string, logicalId: string): Physical {
    const p = this.physical.get(`${stack}/${logicalId}`);
    if (!p) throw new Error(`No resource ${logicalId} in stack ${stack}`);
    return p;
  }

  /** Resolves a value to a string (the common case: names, ARNs, environment variables). */
  str(stack: string, value: unknown): string {
    const v = this.resolve(stack, value);
    if (typeof v !== "string") throw new Error(`Expected a string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** Resolves every intrinsic inside a value. */
  resolve(stack: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== "object") return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const [fn] = keys as [string];
      const arg = obj[fn];
      switch (fn) {
        case "Ref":
          return this.ref(stack, arg as string);
        case "Fn::GetAtt": {
          const [id, attr] = (typeof arg === "string" ? arg.split(".") : arg) as [string, string];
          const o = this.overrides.get(`${stack}/${id}.${attr}`);
          if (o !== undefined) return o;
          const p = this.physicalOf(stack, id);
          const a = p.attributes[attr];
          if (a === undefined) throw new Error(`Fn::GetAtt ${id}.${attr} is not supported by the local cloud`);
          return a;
        }
        case "Fn::Join": {
          const [sep, parts] = arg as [string, unknown[]];
          return (this.resolve(stack, parts) as unknown[]).map(String).join(sep);
        }
        case "Fn::Sub": {
          const [template, vars] = (typeof arg === "string" ? [arg, {}] : arg) as [string, Record<string, unknown>];
          return template.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
            if (name in vars) return String(this.resolve(stack, vars[name]));
            if (name.includes(".")) return this.str(stack, { "Fn::GetAtt": name.split(".") });
            return this.ref(stack, name);
          });
        }
        case "Fn::ImportValue": {
          const name = this.str(stack, arg);
          const v = this.exports.get(name);
          if (v === undefined) throw new Error(`Fn::ImportValue ${name}: no stack exports it`);
          return v;
        }
        case "Fn::Select": {
          const [index, list] = arg as [number, unknown];
          return (this.resolve(stack, list) as unknown[])[Number(index)];
        }
        case "Fn::Split": {
          const [sep, source] = arg as [string, unknown];
          return this.str(stack, source).split(sep);
        }
      }
      if (fn.startsWith("Fn::")) throw new Error(`Intrinsic ${fn} is not supported by the local cloud`);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, this.resolve(stack, v)]));
  }

  private ref(stack: string, name: string): string {
    switch (name) {
      case "AWS::Region":
        return LOCAL_REGION;
      case "AWS::AccountId":
        return LOCAL_ACCOUNT;
      case "AWS::Partition":
        return "aws";
      case "AWS::URLSuffix":
        return "amazonaws.com";
      case "AWS::StackName":
        return stack;
      case "AWS::NoValue":
        return "";
    }
    return this.physicalOf(stack, name).ref;
  }
}

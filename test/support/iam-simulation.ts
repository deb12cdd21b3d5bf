import { runSimulation } from "@cloud-copilot/iam-simulate";

// Evaluates a synthesized role policy offline with an IAM policy simulator (@cloud-copilot/iam-simulate), the way
// IAM would in the account: CloudFormation's intrinsic functions are resolved first, with the names given.

export const testAccount = { account: "123456789012", region: "eu-central-1" };

type Template = unknown;

/** Resolves Ref, Fn::GetAtt and Fn::Join in a template fragment; `names` maps `LogicalId` / `LogicalId.Attr`. */
export function resolveIntrinsics(value: Template, names: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, names));
  if (typeof value !== "object" || value === null) return value;
  const object = value as Record<string, unknown>;
  const pseudo: Record<string, string> = {
    "AWS::Partition": "aws",
    "AWS::Region": testAccount.region,
    "AWS::AccountId": testAccount.account,
    "AWS::URLSuffix": "amazonaws.com",
  };
  const known = (name: string) => {
    const resolved = pseudo[name] ?? names[name];
    if (resolved === undefined) throw new Error(`no value given for ${name}`);
    return resolved;
  };
  if (typeof object.Ref === "string") return known(object.Ref);
  if (Array.isArray(object["Fn::GetAtt"])) return known((object["Fn::GetAtt"] as string[]).join("."));
  if (Array.isArray(object["Fn::Join"])) {
    const [separator, parts] = object["Fn::Join"] as [string, unknown[]];
    return parts.map((part) => resolveIntrinsics(part, names)).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolveIntrinsics(item, names)]));
}

/** What IAM answers for one call under one identity policy: Allowed, ImplicitlyDenied or ExplicitlyDenied. */
export async function decisionFor(
  policy: unknown,
  call: { action: string; resource: string; context?: Record<string, string> },
): Promise<string> {
  const response = await runSimulation(
    {
      identityPolicies: [{ name: "role-policy", policy: policy as Record<string, unknown> }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action: call.action,
        principal: `arn:aws:iam::${testAccount.account}:role/function-role`,
        resource: { accountId: testAccount.account, resource: call.resource },
        contextVariables: call.context ?? {},
      },
    },
    {},
  );
  if (response.resultType === "error") throw new Error(`the simulation refused the call: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

import { runSimulation } from "@cloud-copilot/iam-simulate";
import { ACCOUNT } from "./template-values";

// IAM evaluated offline: one call under one identity policy, decided by an IAM policy simulator
// (@cloud-copilot/iam-simulate evaluates AWS's policy language as IAM does). The policy's intrinsic functions are
// resolved first (template-values.ts). The IAM proof of the stack (iam-proof.ts) and the tests of single grants
// both decide with it.

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
        principal: `arn:aws:iam::${ACCOUNT}:role/function-role`,
        resource: { accountId: ACCOUNT, resource: call.resource },
        contextVariables: call.context ?? {},
      },
    },
    {},
  );
  if (response.resultType === "error") {
    throw new Error(`IAM simulation of ${call.action} on ${call.resource} failed: ${JSON.stringify(response.errors)}`);
  }
  return response.overallResult;
}

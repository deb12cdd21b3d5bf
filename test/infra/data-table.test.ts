import { describe, expect, it } from "vitest";
import { routeName, routes } from "../../infra/routes";
import { callerAccess } from "../../shared/api/route";
import { tableDesign } from "../../shared/db/table-design";
import { buildTemplate, resourcesOf } from "./build-app";

const template = buildTemplate();
const tables = resourcesOf(template, "AWS::DynamoDB::GlobalTable");
const policies = resourcesOf(template, "AWS::IAM::Policy");

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const statementsOf = (policy: (typeof policies)[number][1]): Statement[] => policy.Properties.PolicyDocument.Statement;
const actionsOf = (statement: Statement) => [statement.Action].flat();

/** The DynamoDB actions granted to the function with the given construct id (e.g. `GetMe`). */
function dynamoActionsOf(functionId: string): string[] {
  const ofRole = (role: { Ref: string }) => role.Ref.startsWith(`${functionId}Role`);
  const attached = policies.filter(([, policy]) => policy.Properties.Roles.some(ofRole));
  expect(attached.length, `a policy for ${functionId}`).toBeGreaterThan(0);
  return attached.flatMap(([, p]) => statementsOf(p).flatMap(actionsOf)).filter((a) => a.startsWith("dynamodb:"));
}

describe("the table", () => {
  it("is one on-demand table keyed as tableDesign says", () => {
    expect(tables).toHaveLength(1);
    expect(tables[0]![1].Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      KeySchema: [
        { AttributeName: tableDesign.partitionKey, KeyType: "HASH" },
        { AttributeName: tableDesign.sortKey, KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: tableDesign.timeToLiveAttribute, Enabled: true },
    });
  });

  it("has every index of tableDesign, projecting ALL", () => {
    const indexes = tables[0]![1].Properties.GlobalSecondaryIndexes;
    expect(indexes).toEqual(
      Object.values(tableDesign.indexes).map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: "HASH" },
          { AttributeName: index.sortKey, KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      })),
    );
  });

  it("has point-in-time recovery and deletion protection, and is retained on stack deletion", () => {
    const [, table] = tables[0]!;
    expect(table.Properties.Replicas).toHaveLength(1);
    expect(table.Properties.Replicas[0]).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
  });
});

describe("IAM", () => {
  it("grants no wildcard action in any policy", () => {
    expect(policies.length).toBeGreaterThan(0);
    for (const [id, policy] of policies) {
      for (const action of statementsOf(policy).flatMap(actionsOf)) expect(action, id).not.toContain("*");
    }
  });

  it("grants nothing on Resource '*', but the tracing and log delivery that have no resource-level permission", () => {
    const resourceless =
      /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(\w+LogDeliver(y|ies)|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/;
    for (const [id, policy] of policies) {
      for (const statement of statementsOf(policy)) {
        // The state machine's tracing and log delivery, and every function's active tracing.
        if (![statement.Resource].flat().includes("*")) continue;
        for (const action of actionsOf(statement)) expect(action, id).toMatch(resourceless);
      }
    }
  });

  it("attaches no AWS managed policy to any role", () => {
    for (const [id, role] of resourcesOf(template, "AWS::IAM::Role")) {
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });

  it.each(routes)("grants $method $path exactly its tableAccess", (route) => {
    expect(dynamoActionsOf(routeName(route)).sort()).toEqual(
      route.tableAccess.map((action) => `dynamodb:${action}`).sort(),
    );
  });

  it("keeps GET routes from creating or deleting items beyond what every signed-in request may do", () => {
    // Every signed-in request may restore its deactivated caller, or take it out of its followees' outlooks
    // (contract 1.2: callerAccess); a GET route's own code creates and deletes nothing.
    const everyRequest = new Set<string>(callerAccess);
    for (const route of routes.filter((candidate) => candidate.method === "GET")) {
      const own = route.tableAccess.filter((action) => !everyRequest.has(action));
      for (const action of ["PutItem", "DeleteItem", "BatchWriteItem"] as const)
        expect(own, route.path).not.toContain(action);
    }
    expect(callerAccess).not.toContain("BatchWriteItem");
  });

  it("gives the fallback handler no table access at all", () => {
    expect(dynamoActionsOf("RouteNotFound")).toEqual([]);
  });
});

import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, Billing, ProjectionType, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { tableDesign } from "../../shared/db/table-design";

export type TableAccess = "read" | "readWrite";

// Spelled out, never `dynamodb:*` nor CDK's broader grantReadData (which adds Scan and stream reads).
// Transactions need no action of their own: IAM checks each item's Put/Update/Delete/ConditionCheck.
const readActions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"];
// Every request that carries a token refreshes the caller's activity: a conditional UpdateItem (see routes.ts).
const activityActions = ["dynamodb:UpdateItem"];
const writeActions = [
  "dynamodb:PutItem",
  "dynamodb:DeleteItem",
  "dynamodb:BatchWriteItem",
  "dynamodb:ConditionCheckItem",
];

export const tableActions: Record<TableAccess, readonly string[]> = {
  read: [...readActions, ...activityActions],
  readWrite: [...readActions, ...activityActions, ...writeActions],
};

/** The single table, built from the same design the local server and tests create on DynamoDB Local. */
export class DataTable extends Construct {
  readonly table: TableV2;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const string = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, "Table", {
      partitionKey: string(tableDesign.partitionKey),
      sortKey: string(tableDesign.sortKey),
      billing: Billing.onDemand(),
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      globalSecondaryIndexes: Object.values(tableDesign.indexes).map((index) => ({
        indexName: index.name,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
        // ALL: the cleanup reads whole accounts from the index, with no second GetItem per account.
        projectionType: ProjectionType.ALL,
      })),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The table holds every account and post: neither a stack deletion nor a console click may drop it.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /**
   * Grants a function exactly the actions of `access` on the table and its indexes, and tells it the table's
   * name, in one call, so that a function can never know the table without the grant or hold a grant to
   * another table. Resources are named in full (the table and each index), no `index/*` wildcard.
   */
  connect(fn: LambdaFunction, access: TableAccess): void {
    fn.addEnvironment("TABLE_NAME", this.table.tableName);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [...tableActions[access]],
        resources: [
          this.table.tableArn,
          ...Object.values(tableDesign.indexes).map((index) => `${this.table.tableArn}/index/${index.name}`),
        ],
      }),
    );
  }

  /**
   * For a function that never touches the table but still loads the shared configuration, which requires
   * TABLE_NAME at cold start (the fallback route): the name only, no grant, so any call would be denied.
   */
  nameOnly(fn: LambdaFunction): void {
    fn.addEnvironment("TABLE_NAME", this.table.tableName);
  }
}

// The values a synthesized template's intrinsic functions take once deployed, in one account and region: enough of
// CloudFormation to read ARNs out of IAM policies and the state machine's definition offline.

export const ACCOUNT = "123456789012";
export const REGION = "eu-central-1";

type Json = any;

/** Resolves the intrinsic functions a policy uses to the values they take in one account and region. */
export function resolverFor(resources: Record<string, Json>) {
  const arnOfResource = (id: string): string => {
    const type = resources[id]?.Type as string | undefined;
    switch (type) {
      case "AWS::DynamoDB::GlobalTable":
      case "AWS::DynamoDB::Table":
        return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
      case "AWS::Lambda::Function":
        return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      case "AWS::Logs::LogGroup":
        return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
      case "AWS::StepFunctions::StateMachine":
        return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${id}`;
      case "AWS::Cognito::UserPool":
        return `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_${id}`;
      default:
        throw new Error(`the IAM proof cannot resolve the ARN of ${id} (${type})`);
    }
  };
  const pseudo: Record<string, string> = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::URLSuffix": "amazonaws.com",
  };
  const resolve = (value: Json): string => {
    if (typeof value === "string") return value;
    if (value.Ref) {
      if (pseudo[value.Ref]) return pseudo[value.Ref]!;
      // A state machine's Ref is its ARN; an SES identity's is the identity itself; other resources' Ref is a
      // name, which their ARN ends with.
      const resource = resources[value.Ref];
      if (resource?.Type === "AWS::StepFunctions::StateMachine") return arnOfResource(value.Ref);
      if (resource?.Type === "AWS::SES::EmailIdentity") return resource.Properties.EmailIdentity as string;
      return value.Ref;
    }
    if (value["Fn::GetAtt"]) {
      const [id, attribute] = value["Fn::GetAtt"] as [string, string];
      if (attribute !== "Arn") throw new Error(`the IAM proof cannot resolve ${id}.${attribute}`);
      return arnOfResource(id);
    }
    if (value["Fn::Join"]) {
      const [separator, parts] = value["Fn::Join"] as [string, Json[]];
      return parts.map(resolve).join(separator);
    }
    throw new Error(`the IAM proof cannot resolve ${JSON.stringify(value)}`);
  };
  return resolve;
}

/** A template fragment (a policy document, say) with every intrinsic function in it resolved by `resolve`. */
export function resolvedDocument(value: Json, resolve: (value: Json) => string): Json {
  if (Array.isArray(value)) return value.map((item) => resolvedDocument(item, resolve));
  if (typeof value !== "object" || value === null) return value;
  if ("Ref" in value || "Fn::GetAtt" in value || "Fn::Join" in value) return resolve(value);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolvedDocument(item, resolve)]));
}

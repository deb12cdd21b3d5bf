import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { AccountRecovery, FeaturePlan, Mfa, UserPool, type UserPoolClient } from "aws-cdk-lib/aws-cognito";
import { Construct } from "constructs";

/**
 * The Cognito groups the contract maps to roles: `admins` -> admin, else `authors` -> author, else reader.
 * Precedence mirrors that order (lower wins) for Cognito's own `cognito:preferred_role`.
 */
const roleGroups = [
  { groupName: "admins", precedence: 0, description: "Admin role in the API." },
  { groupName: "authors", precedence: 1, description: "Author role in the API: may publish posts." },
] as const;

export interface IdentityProps {
  /**
   * Also allows ADMIN_USER_PASSWORD_AUTH on the app client, so that an operator can get a token from the
   * AWS CLI (`admin-initiate-auth`) for a test deployment. It needs IAM credentials for the pool, so it opens
   * nothing to the public, but it is a second way in: off unless asked for.
   * @default false
   */
  readonly operatorPasswordAuth?: boolean;
}

/**
 * Who may sign in. Self sign-up is on: readers are the audience and create their own accounts (with a verified
 * e-mail). That grants nothing: roles come only from groups, and only an operator or admin can put a user in
 * `authors` or `admins` (AdminAddUserToGroup), never the user; paid access comes from stored entitlements.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;

  constructor(scope: Construct, id: string, props: IdentityProps = {}) {
    super(scope, id);
    this.userPool = new UserPool(this, "UserPool", {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // TOTP only: SMS would need an SNS role and spending limits, and is the weaker second factor.
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      featurePlan: FeaturePlan.ESSENTIALS,
      // Accounts are user data: never dropped by a stack deletion or a stray console click.
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of roleGroups) this.userPool.addGroup(`Group-${group.groupName}`, { ...group });
    // A public client (SPA, mobile): no secret it could not keep; SRP so no password crosses the wire;
    // refresh tokens (always allowed by Cognito) keep sessions without asking for the password again.
    this.client = this.userPool.addClient("AppClient", {
      generateSecret: false,
      authFlows: { userSrp: true, adminUserPassword: props.operatorPasswordAuth ?? false },
      // No hosted UI and no OAuth redirects (CDK would otherwise enable the implicit and code grants).
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    Validations.of(this.userPool).acknowledge(
      {
        id: "AwsSolutions-COG2",
        reason:
          "MFA is optional (TOTP) rather than required: readers of a community site would not sign up behind a " +
          "mandatory authenticator app. Operators are asked to enable TOTP for admins (docs/deploy.md).",
      },
      {
        id: "AwsSolutions-COG8",
        reason:
          "Essentials feature plan on purpose: the Plus plan's threat protection is billed per monthly active " +
          "user, a cost the owner has not approved; a strong password policy and optional TOTP apply meanwhile.",
      },
    );
  }

  /** The issuer API Gateway's JWT authorizer checks: https://cognito-idp.<region>.amazonaws.com/<poolId>. */
  get issuerUrl(): string {
    return this.userPool.userPoolProviderUrl;
  }
}

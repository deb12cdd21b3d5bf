import { randomBytes, randomUUID } from "node:crypto";
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
} from "@aws-sdk/client-cognito-identity-provider";
import { uniqueHandle, type TestUser } from "./host";

// Test users of a deployed stage's Cognito user pool, for `npm run test:deployed`: each is created for the run
// (AdminCreateUser without a mail, a random permanent password, its groups), signed in as the API's clients are
// (ADMIN_USER_PASSWORD_AUTH: the stage must be deployed with `-c operatorPasswordAuth=true`), and deleted when the
// run ends. docs/deploy.md ("Verify a deployed stage") lists the IAM actions this needs on the pool.

export interface UserPoolSettings {
  /** The stack's `UserPoolId` output, e.g. `eu-west-1_AbCdEf123`; its prefix is the pool's region. */
  userPoolId: string;
  /** The stack's `UserPoolClientId` output. */
  clientId: string;
  /** SDK settings (an endpoint, credentials); by default the region of the pool and the default credential chain. */
  client?: CognitoIdentityProviderClientConfig;
}

/** The settings of USER_POOL_ID and USER_POOL_CLIENT_ID; a missing one throws, naming it. */
export function userPoolSettingsFrom(env: NodeJS.ProcessEnv): UserPoolSettings {
  const missing = ["USER_POOL_ID", "USER_POOL_CLIENT_ID"].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(" and ")} required with API_URL: the stack's outputs UserPoolId and UserPoolClientId ` +
        "(docs/deploy.md, Verify a deployed stage)",
    );
  }
  return { userPoolId: env.USER_POOL_ID!, clientId: env.USER_POOL_CLIENT_ID! };
}

/** A password the pool's policy accepts (12+ characters with lower and upper case, a digit and a symbol). */
export const aPassword = (): string => `Aa1!${randomBytes(18).toString("base64url")}`;

/** The claims of a JWT, unverified (the API verifies it; the tests only read whom it names). */
function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (!payload) throw new Error("the sign-in answered no JWT");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
}

export interface CognitoTestUsers {
  /** A new user of the pool in these groups, signed in: its ID token. */
  signIn(groups: readonly string[], prefix: string): Promise<TestUser>;
  /** The users this run created, by user name. */
  created(): readonly string[];
  /** Deletes every user this run created (AdminDeleteUser), the failures named in the error it throws. */
  deleteAll(): Promise<void>;
}

export function cognitoTestUsers(settings: UserPoolSettings): CognitoTestUsers {
  const region = settings.userPoolId.split("_")[0];
  const cognito = new CognitoIdentityProviderClient({ region, ...settings.client });
  const UserPoolId = settings.userPoolId;
  const usernames: string[] = [];

  return {
    async signIn(groups, prefix) {
      // The pool signs in by e-mail: a unique address of a reserved domain (RFC 2606) that no mail reaches.
      const Username = `${prefix}-${randomUUID()}@e2e.example.com`;
      const Password = aPassword();
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username,
          UserAttributes: [
            { Name: "email", Value: Username },
            { Name: "email_verified", Value: "true" },
          ],
          MessageAction: "SUPPRESS",
        }),
      );
      usernames.push(Username);
      await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password, Permanent: true }));
      for (const GroupName of groups) {
        await cognito.send(new AdminAddUserToGroupCommand({ UserPoolId, Username, GroupName }));
      }
      const signedIn = await cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId,
          ClientId: settings.clientId,
          AuthFlow: "ADMIN_USER_PASSWORD_AUTH",
          AuthParameters: { USERNAME: Username, PASSWORD: Password },
        }),
      );
      const token = signedIn.AuthenticationResult?.IdToken;
      if (!token) throw new Error(`signing ${Username} in answered no ID token (challenge: ${signedIn.ChallengeName})`);
      const sub = claimsOf(token).sub;
      if (typeof sub !== "string") throw new Error(`the ID token of ${Username} names no subject`);
      return { userId: sub, token, handle: uniqueHandle(prefix.slice(0, 8)) };
    },
    created: () => [...usernames],
    async deleteAll() {
      const failures: string[] = [];
      for (const Username of usernames.splice(0)) {
        try {
          await cognito.send(new AdminDeleteUserCommand({ UserPoolId, Username }));
        } catch (error) {
          failures.push(`${Username}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (failures.length > 0) throw new Error(`test users left in the pool ${UserPoolId}:\n${failures.join("\n")}`);
    },
  };
}

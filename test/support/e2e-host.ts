import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { httpApi } from "./api/over-http";
import { cognitoTestUsers, userPoolSettingsFrom } from "./cognito-users";
import { localSignIn, type Host, type TestUser } from "./host";

// The host the end-to-end tests run against, over HTTP. With API_URL (`npm run test:deployed`): a deployed stage,
// its test users made in its Cognito user pool and removed, with what they created, when the file ends. Without: the
// local server, started in this process on a free port (DynamoDB Local and this file's table, as every test file).

export interface E2eHost extends Host {
  /** Where the requests go, e.g. `the local server at http://127.0.0.1:40123`. */
  description: string;
  /** Whether it is a deployed stage (its data is real: the tests leave nothing behind there). */
  deployed: boolean;
  /** Ends the run: the local server stops; on a stage, every test user's account, then the user, is deleted. */
  close(): Promise<void>;
}

async function localServer(): Promise<E2eHost> {
  // Loaded only here: the local host's handlers read the configuration this file's setup gave the process.
  const { createLocalServer } = await import("../../infra/local/server");
  const { jwtSecret } = await import("./api/in-process");
  const server: Server = createLocalServer({ jwtSecret: jwtSecret() });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    api: httpApi(url),
    signIn: localSignIn,
    description: `the local server at ${url}`,
    deployed: false,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function deployedStage(apiUrl: string): E2eHost {
  const api = httpApi(apiUrl);
  const users = cognitoTestUsers(userPoolSettingsFrom(process.env));
  const signedIn: TestUser[] = [];
  return {
    api,
    async signIn(groups, prefix) {
      const user = await users.signIn(groups, prefix);
      signedIn.push(user);
      return user;
    },
    description: `the deployed stage at ${apiUrl}`,
    deployed: true,
    async close() {
      // DELETE /me takes the account with its follows, posts and their comments, as a user's own deletion does.
      for (const user of signedIn.splice(0)) {
        const deleted = await api.DELETE("/me", { token: user.token });
        if (deleted.status !== 204 && deleted.status !== 404)
          throw new Error(`the account of test user ${user.userId} was not deleted: ${deleted.status} ${deleted.text}`);
      }
      await users.deleteAll();
    },
  };
}

/** The host of this run: API_URL's stage, or the local server. */
export async function e2eHost(): Promise<E2eHost> {
  const apiUrl = process.env.API_URL;
  const host = apiUrl ? deployedStage(apiUrl.replace(/\/+$/, "")) : await localServer();
  process.stdout.write(`end-to-end tests against ${host.description}\n`);
  return host;
}

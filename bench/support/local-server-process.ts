import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "../..");

/** Starts `npm start`'s entry point in a child process against an existing DynamoDB and table. */
export function startLocalServerProcess(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "infra/local/start.ts"], {
    cwd: root,
    // LOCAL_IN_MEMORY: the mail sink beside the server keeps nothing (DynamoDB is the one given).
    env: { ...process.env, PORT: "0", LOG_LEVEL: "silent", LOCAL_IN_MEMORY: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolveStart, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Local API listening on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        resolveStart({
          url: match[1]!,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`local server exited with ${code}: ${output}`)));
  });
}

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MailDev } from "maildev";

// The local stand-in for the mail that SES sends in AWS: MailDev (a devDependency), an SMTP server that keeps
// every message it receives and shows them in a web inbox, whose REST API (`/api/email`, `/api/email/:id/source`)
// the tests read. Both listen on loopback only.

export interface MailSinkOptions {
  /** SMTP port (0: a free one). */
  smtpPort?: number;
  /** Web inbox port (0: a free one). */
  webPort?: number;
  /** Where received mail is kept across restarts; without it, a temporary directory removed at `stop`. */
  directory?: string;
}

export interface RunningMailSink {
  smtpHost: string;
  smtpPort: number;
  /** The web inbox, e.g. http://localhost:1080. */
  inboxUrl: string;
  stop(): Promise<void>;
}

export async function startMailSink(options: MailSinkOptions = {}): Promise<RunningMailSink> {
  const temporary = options.directory === undefined ? await mkdtemp(join(tmpdir(), "mail-sink-")) : undefined;
  const sink = new MailDev({
    smtp: options.smtpPort ?? 0,
    web: options.webPort ?? 0,
    ip: "127.0.0.1",
    webIp: "127.0.0.1",
    mailDirectory: options.directory ?? temporary,
    silent: true,
  });
  const servers = await sink.start();
  const webPort = servers.api?.getPort();
  if (!webPort) throw new Error("the mail sink started without its web inbox");
  return {
    smtpHost: "127.0.0.1",
    smtpPort: servers.smtp.getPort(),
    inboxUrl: `http://localhost:${webPort}`,
    async stop() {
      await sink.stop();
      if (temporary) await rm(temporary, { recursive: true, force: true });
    },
  };
}

import type { NoticeDelivery } from "../../shared/mail/notice-delivery";
import { reportAwsCall } from "./invocation-context";
import type { RunningMailSink } from "./mail-sink";

// The local host's mail (npm start): the mail sink, and SMTP to it as the notices' transport (MAIL_TRANSPORT=smtp).
// Like DYNAMODB_ENDPOINT for DynamoDB, SMTP_HOST (with SMTP_PORT) names a sink that is already running instead.

/**
 * Starts the mail sink, unless SMTP_HOST names one, and sets the SMTP settings to it: ports from
 * LOCAL_MAIL_SMTP_PORT and LOCAL_MAIL_WEB_PORT (default: free ones), mail kept under LOCAL_MAIL_DIR
 * (default `.data/mail`), or nowhere with LOCAL_IN_MEMORY=1.
 */
export async function startLocalMail(env: NodeJS.ProcessEnv = process.env): Promise<RunningMailSink | undefined> {
  env.MAIL_TRANSPORT ??= "smtp";
  env.NOTICE_SENDER_ADDRESS ??= "notices@trading-community.test";
  if (env.SMTP_HOST) return undefined;
  // Loaded only here (MailDev takes seconds to load), so that npm start loads it while DynamoDB Local boots.
  const { startMailSink } = await import("./mail-sink");
  const sink = await startMailSink({
    smtpPort: Number(env.LOCAL_MAIL_SMTP_PORT ?? 0),
    webPort: Number(env.LOCAL_MAIL_WEB_PORT ?? 0),
    ...(env.LOCAL_IN_MEMORY === "1" ? {} : { directory: env.LOCAL_MAIL_DIR ?? ".data/mail" }),
  });
  env.SMTP_HOST = sink.smtpHost;
  env.SMTP_PORT = String(sink.smtpPort);
  return sink;
}

/**
 * Once the API's address is known: the export link notices name (NOTICE_EXPORT_URL, unless set), and SMTP as the
 * notices' transport. Loaded only now, since the mail settings are read when their module loads.
 */
export async function useLocalMail(apiAddress: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  env.NOTICE_EXPORT_URL ??= `${apiAddress}/me/export`;
  const [{ useSmtpTransport }, { smtpDelivery, smtpTransport }] = await Promise.all([
    import("../../shared/mail/configured-delivery"),
    import("../../shared/mail/smtp-delivery"),
  ]);
  useSmtpTransport((settings, sender) =>
    asSesDelivery(
      sender.address,
      smtpDelivery(sender, smtpTransport({ host: settings.SMTP_HOST, port: settings.SMTP_PORT })),
    ),
  );
}

/**
 * The local delivery stands in for SES: each notice reports the calls the deployed function makes for it (the
 * address looked up in Cognito, then SES SendEmail from the sender's address), for the IAM proof.
 */
function asSesDelivery(senderAddress: string, delivery: NoticeDelivery): NoticeDelivery {
  return {
    async deliver(notice, limit) {
      reportAwsCall("cognito-idp:AdminGetUser", { kind: "userPool" });
      const outcome = await delivery.deliver(notice, limit);
      if (outcome === "sent")
        reportAwsCall("ses:SendEmail", { kind: "noticeSenderIdentity" }, { "ses:FromAddress": senderAddress });
      return outcome;
    },
  };
}

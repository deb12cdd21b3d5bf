import { CfnOutput } from "aws-cdk-lib";
import type { IUserPool } from "aws-cdk-lib/aws-cognito";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { EmailIdentity, Identity } from "aws-cdk-lib/aws-ses";
import { Construct } from "constructs";

// The mail of the notices before deletion (contract: "Notice before deletion"): the SES identity notices are
// sent from, and the one grant a function needs to send them (docs/deploy.md: "Notices before deletion").

export interface NoticeSender {
  /** The From address of notices, e.g. `notices@example.com` (deploy setting `-c noticeSender=...`). */
  readonly address: string;
  /**
   * What SES verifies: the address's domain (DKIM records to publish, the stack outputs them; needed to leave
   * the SES sandbox in practice), or the address alone (SES mails it a link to click; fine for a trial).
   * @default "domain"
   */
  readonly verify?: "domain" | "address";
}

export interface NoticeMailProps {
  readonly sender: NoticeSender;
  /** The pool whose users' verified addresses notices go to. */
  readonly userPool: IUserPool;
}

const addressPattern = /^[^\s@"<>]+@([a-z0-9-]+(\.[a-z0-9-]+)+)$/i;

/** An address a deploy setting may name (the notices' sender, the alarms' recipient): `name@domain.tld`. */
export const isEmailAddress = (address: string): boolean => addressPattern.test(address);

export class NoticeMail extends Construct {
  readonly identity: EmailIdentity;
  readonly senderAddress: string;
  private readonly userPool: IUserPool;

  constructor(scope: Construct, id: string, props: NoticeMailProps) {
    super(scope, id);
    const domain = addressPattern.exec(props.sender.address)?.[1];
    if (!domain)
      throw new Error(
        `noticeSender must be an e-mail address such as notices@example.com, not "${props.sender.address}"`,
      );
    this.senderAddress = props.sender.address;
    this.userPool = props.userPool;
    const byDomain = (props.sender.verify ?? "domain") === "domain";
    this.identity = new EmailIdentity(this, "SenderIdentity", {
      identity: byDomain ? Identity.domain(domain.toLowerCase()) : Identity.email(props.sender.address),
    });

    new CfnOutput(scope, "NoticeSenderIdentity", {
      value: this.identity.emailIdentityName,
      description: byDomain
        ? "SES domain identity of the notices' sender: publish the NoticeSenderDkim CNAME records to verify it."
        : "SES address identity of the notices' sender: click the link SES mailed to it to verify it.",
    });
    if (byDomain) {
      this.identity.dkimRecords.forEach((record, i) => {
        new CfnOutput(scope, `NoticeSenderDkim${i + 1}`, {
          value: `${record.name} CNAME ${record.value}`,
          description: "DKIM record to publish.",
        });
      });
    }
  }

  /**
   * Lets `fn` send notices, and tells it how, in one call so that grant and settings cannot drift: SES SendEmail
   * on the sender's identity, only From the sender's address; Cognito AdminGetUser on the pool (the verified
   * address is looked up when sending); MAIL_TRANSPORT=ses, NOTICE_SENDER_ADDRESS, NOTICE_EXPORT_URL
   * (COGNITO_USER_POOL_ID every function has, AWS_REGION Lambda sets).
   */
  grantSendNotices(fn: LambdaFunction, exportUrl: string, signInUrl?: string): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        // SESv2 SendEmail (raw content included) is authorized as ses:SendEmail; SendRawEmail is SES v1's action,
        // which no code calls (CDK's own grant adds it; the IAM proof would find it unused).
        actions: ["ses:SendEmail"],
        resources: [this.identity.emailIdentityArn],
        conditions: { StringEquals: { "ses:FromAddress": this.senderAddress } },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ["cognito-idp:AdminGetUser"], resources: [this.userPool.userPoolArn] }),
    );
    fn.addEnvironment("MAIL_TRANSPORT", "ses");
    fn.addEnvironment("NOTICE_SENDER_ADDRESS", this.senderAddress);
    fn.addEnvironment("NOTICE_EXPORT_URL", exportUrl);
    if (signInUrl !== undefined) fn.addEnvironment("NOTICE_SIGN_IN_URL", signInUrl);
  }
}

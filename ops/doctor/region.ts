import { GetAccountCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import { isSesRegion, SES_REGIONS } from "../../infra/aws/config";
import { describeError, type Finding, fail, pass } from "./finding";

/**
 * SES is offered in the region: it is on the list the configuration checks, and the SES API
 * there answers these credentials.
 */
export async function checkSesRegion(
  ses: Pick<SESv2Client, "send">,
  region: string,
): Promise<Finding> {
  const where = "Set healthyHips.region in cdk.json (or HH_REGION) to one of: ";
  if (!isSesRegion(region)) {
    return fail(`SES is not offered in ${region}`, `${where}${SES_REGIONS.join(", ")}.`);
  }
  try {
    await ses.send(new GetAccountCommand({}));
    return pass(`SES answers in ${region}`);
  } catch (e) {
    return fail(
      `SES did not answer in ${region} (${describeError(e)})`,
      /AccessDenied|not authorized/i.test(String(e))
        ? "Let these credentials read SES (ses:GetAccount, ses:GetEmailIdentity, ses:GetConfigurationSet), e.g. the AmazonSESReadOnlyAccess policy."
        : `Check the network and the region; if SES is not offered in ${region}, ${where}${SES_REGIONS.join(", ")}.`,
    );
  }
}

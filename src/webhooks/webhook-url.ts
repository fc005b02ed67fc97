/** Webhook targets pass the same SSRF guard as media URLs, with the error naming the caller's field. */
import { InvalidRequestError } from '../errors/index.js';
import { assertFetchableUrl, UrlForbiddenError, type UrlPolicy } from '../security/ssrf-guard.js';

/**
 * Vet a webhook URL before it is stored (a job's `webhook_url`, a subscription's `url`): a 400 in the
 * protocol's envelope, code `url_forbidden`, naming `param`. Returns the URL as given.
 */
export function assertWebhookUrl(url: string, policy: UrlPolicy = {}, param = 'webhook_url'): string {
  try {
    assertFetchableUrl(url, policy);
  } catch (error) {
    if (error instanceof UrlForbiddenError) {
      throw new InvalidRequestError(`${param}: ${error.message}`, param, 'url_forbidden');
    }
    throw error;
  }
  return url;
}

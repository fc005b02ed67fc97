export { parseServiceAccount, type ServiceAccount } from './service-account.js';
export {
  createServiceAccountTokenSource,
  DEFAULT_GOOGLE_SCOPES,
  type AccessTokenSource,
  type ServiceAccountTokenSourceOptions,
} from './token-source.js';

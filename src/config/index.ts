export { ConfigurationError, loadConfiguration, parseConfiguration, resolveConfigPath } from './load.js';
export {
  configSchema,
  providerSchema,
  defaultBaseUrls,
  type Configuration,
  type CredentialConfiguration,
  type GatewayConfiguration,
  type JobsConfiguration,
  type ProviderConfiguration,
  type ProviderTypeName,
} from './schema.js';

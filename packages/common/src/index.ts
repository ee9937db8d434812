export { LatchkeyError, ConfigurationError, isLatchkeyError } from './errors.js';
export { isDotSegment, proxyPathSegment } from './proxy-path.js';
export { sameOriginPath, sameSitePath, withQueryParams } from './return-to.js';
export { createKeyedLock } from './keyed-lock.js';
export type { KeyedLock } from './keyed-lock.js';
export type { LatchkeyErrorOptions } from './errors.js';
export { isRefreshDue, refreshDueAt } from './expiry-rule.js';
export type { TokenLifetime } from './expiry-rule.js';
export {
  DEFAULT_BFF_BASE_PATH,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  BFF_ERROR_HEADER,
  LOGIN_ERROR_PARAM,
  LOGIN_ERROR_PROVIDER_PARAM,
  bffRoutes,
  BFF_ERROR_CODES,
  isBffErrorCode,
} from './bff-contract.js';
export type {
  BffProtocol,
  BffProviderInfo,
  BffConnection,
  BffUser,
  BffSessionResponse,
  BffProvidersResponse,
  BffErrorCode,
  BffErrorBody,
  BffLogoutRequest,
  BffLogoutResponse,
} from './bff-contract.js';

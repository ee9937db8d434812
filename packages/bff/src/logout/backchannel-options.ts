import { ConfigurationError } from '@latchkey/common';

/** OpenID Connect Back-Channel Logout 1.0 at `POST {basePath}/backchannel-logout/:provider`. */
export interface BackchannelLogoutOptions {
  /** Oldest logout token accepted, by its `iat`, in seconds; its `jti` is remembered this long (plus the tolerance). Default 300. */
  maxTokenAgeSeconds?: number;
  /** Clock difference allowed with the provider for `iat` and `exp`, in seconds. Default 30. */
  clockToleranceSeconds?: number;
}

export interface ResolvedBackchannelLogout {
  maxTokenAgeSeconds: number;
  clockToleranceSeconds: number;
}

function whole(value: number | undefined, fallback: number, option: string, least: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < least) {
    throw new ConfigurationError(`backchannelLogout.${option}`, `backchannelLogout.${option} must be a whole number of at least ${least}.`);
  }
  return resolved;
}

export function resolveBackchannelLogout(options: BackchannelLogoutOptions = {}): ResolvedBackchannelLogout {
  return Object.freeze({
    maxTokenAgeSeconds: whole(options.maxTokenAgeSeconds, 300, 'maxTokenAgeSeconds', 1),
    clockToleranceSeconds: whole(options.clockToleranceSeconds, 30, 'clockToleranceSeconds', 0),
  });
}

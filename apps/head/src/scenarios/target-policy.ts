import { Inject, Injectable } from '@nestjs/common';
import type { HeadConfig } from '@barrage/config';
import { decryptSecret, encryptSecret, hostOf, isEncrypted, mapValues, TEMPLATE_PATTERN, type Scenario } from '@barrage/contracts';
import { ApiError } from '../common/api-error.js';
import { HEAD_CONFIG } from '../common/tokens.js';

/**
 * Where load may go and how secrets are kept (docs/security.md): the target allow-list as far
 * as a URL can be known (saving a scenario: its variables; creating a campaign: the
 * campaign's too), and the encryption of scenario secrets at rest.
 */
@Injectable()
export class TargetPolicy {
  constructor(@Inject(HEAD_CONFIG) private readonly config: HeadConfig) {}

  /** 400 naming every step whose URL, with `variables` in, aims at a host the list refuses. */
  checkTargets(scenario: Scenario, campaignVariables: Record<string, string> = {}, prefix = ''): void {
    const list = this.config.TARGET_ALLOWLIST;
    if (list === null) return;
    const vars = { ...scenario.variables, ...campaignVariables };
    const details = scenario.steps.flatMap((step, i) => {
      const url = step.url.replace(TEMPLATE_PATTERN, (whole, name: string) => vars[name] ?? whole);
      if (url.includes('{{')) return []; // known per request: the factory checks it
      const host = hostOf(url);
      return host !== null && !list.allows(host) ? [{ path: `${prefix}steps.${i}.url`, message: `host "${host}" is not in TARGET_ALLOWLIST (${list.entries.join(', ')})` }] : [];
    });
    if (details.length) throw new ApiError(400, 'VALIDATION_FAILED', details.length === 1 ? details[0]!.message : `${details.length} steps aim outside TARGET_ALLOWLIST`, details);
  }

  /** Whether a resolved URL may be sent to (the dry run checks each request). */
  allowsUrl(url: string): boolean {
    const list = this.config.TARGET_ALLOWLIST;
    const host = hostOf(url);
    return list === null || (host !== null && list.allows(host));
  }

  /** The scenario as stored: secret values encrypted (400 when the head has no SECRETS_KEY). */
  sealSecrets(scenario: Scenario): Scenario {
    if (Object.keys(scenario.secrets).length === 0) return scenario;
    const key = this.config.SECRETS_KEY;
    if (key === null) throw new ApiError(400, 'VALIDATION_FAILED', 'this head keeps no secrets: set SECRETS_KEY (32 bytes, e.g. openssl rand -base64 32) on the head and the factories', [{ path: 'secrets', message: 'SECRETS_KEY is not set on the head' }]);
    return { ...scenario, secrets: mapValues(scenario.secrets, (v) => encryptSecret(v, key)) };
  }

  /** The secrets in clear, for the dry run only. */
  openSecrets(scenario: Scenario): Scenario {
    const key = this.config.SECRETS_KEY;
    if (Object.keys(scenario.secrets).length === 0 || key === null) return scenario;
    return { ...scenario, secrets: mapValues(scenario.secrets, (v) => (isEncrypted(v) ? decryptSecret(v, key) : v)) };
  }
}

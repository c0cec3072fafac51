import type { Config } from '../config/schema';
import { withOverrides, type Policies } from '../reliability/policies';

/**
 * The policy set a workflow started from this config must honour. Workflows cannot read config, so the
 * config's `reliability:` overrides travel in their input; absent (no overrides) means DEFAULT_POLICIES,
 * which keeps inputs small and equal to what runs started before overrides existed carry.
 */
export function workflowPolicies(config: Pick<Config, 'reliability'>): Policies | undefined {
  return Object.keys(config.reliability ?? {}).length > 0 ? withOverrides(config.reliability) : undefined;
}

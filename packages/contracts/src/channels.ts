/**
 * Redis pub/sub channels between the platform's processes (names are frozen like queue
 * names: publisher and subscriber may run different versions during a rollout).
 */

/** `utm key revoke` publishes a revoked key's sha256 here; every gateway drops it from its cache. */
export function authInvalidationChannel(queuePrefix: string): string {
  return `${queuePrefix}:auth-invalidate`;
}

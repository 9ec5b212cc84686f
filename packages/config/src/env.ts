/**
 * Reads environment variables into typed values, collecting every problem so that a
 * misconfigured service says at once everything that is wrong, naming each variable.
 */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

export class EnvReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  str(name: string, fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    return v;
  }

  optionalStr(name: string): string | undefined {
    return this.raw(name);
  }

  int(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${v}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(v)) return true;
    if (/^(0|false|no|off)$/i.test(v)) return false;
    this.problems.push(`${name} must be true or false (got "${v}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const v = this.raw(name);
    if (v === undefined) return fallback;
    if (!(values as readonly string[]).includes(v)) {
      this.problems.push(`${name} must be one of ${values.join(', ')} (got "${v}")`);
      return fallback;
    }
    return v as T;
  }

  url(name: string, protocols: string[], fallback?: string): string {
    const v = this.raw(name) ?? fallback;
    if (v === undefined) {
      this.problems.push(`${name} is required (${protocols.map((p) => `${p}//…`).join(' or ')})`);
      return '';
    }
    try {
      const u = new URL(v);
      if (!protocols.includes(u.protocol)) throw new Error('protocol');
    } catch {
      // Never echo the value: URLs carry passwords.
      this.problems.push(`${name} must be a URL starting with ${protocols.join(' or ')}`);
    }
    return v;
  }

  /** A 32-byte key given as 64 hex characters or base64. Optional unless `required`. */
  key32(name: string, required: boolean): Buffer | undefined {
    const v = this.raw(name);
    if (v === undefined) {
      if (required) this.problems.push(`${name} is required (32 bytes as 64 hex characters or base64)`);
      return undefined;
    }
    const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : Buffer.from(v, 'base64');
    if (buf.length !== 32) {
      this.problems.push(`${name} must be 32 bytes as 64 hex characters or base64`);
      return undefined;
    }
    return buf;
  }

  /** Throws ConfigError listing every problem found so far. */
  done(): void {
    if (this.problems.length) throw new ConfigError(this.problems);
  }
}

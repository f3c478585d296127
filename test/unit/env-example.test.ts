import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, loadConfig } from '../../lib/config';

const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
const entries = Object.fromEntries(
  example
    .split('\n')
    .filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

describe('.env.example', () => {
  it('documents exactly the variables lib/config.ts reads', () => {
    expect(Object.keys(entries).sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('is itself a valid configuration for the local services', () => {
    expect(() => loadConfig(entries)).not.toThrow();
  });
});

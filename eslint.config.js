// ESLint (flat config): type-aware TypeScript rules; floating promises are
// errors everywhere; workflow code may not import Node built-ins (it runs in
// Temporal's deterministic sandbox) except the few the SDK allows.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const allowedInWorkflows = new Set(['assert', 'url', 'util']);
const forbiddenBuiltins = builtinModules.filter((m) => !allowedInWorkflows.has(m) && !m.startsWith('_'));

export default tseslint.config(
  { ignores: ['node_modules/', 'generated/', '.data/', 'dist/', 'test-results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts', 'test/replay/incompatible/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: forbiddenBuiltins.flatMap((m) => [
            { name: m, message: 'Workflow code is deterministic: do I/O in activities.' },
            { name: `node:${m}`, message: 'Workflow code is deterministic: do I/O in activities.' },
          ]),
          patterns: [
            { group: ['**/activities', '**/activities/*'], allowTypeImports: true, message: 'Workflows import activities as types only (proxyActivities).' },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' }],
    },
  },
  {
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'sandbox/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // The web chat's script runs in the browser as written (no build, no types).
    files: ['sandbox/**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['document', 'location', 'localStorage', 'fetch', 'alert', 'setTimeout', 'clearTimeout', 'setInterval', 'URLSearchParams'].map((name) => [name, 'readonly']),
      ),
    },
  },
);

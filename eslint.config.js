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
            { group: ['**/lib/*', '**/bot/*', '**/workers/*'], message: 'Workflows import workflows/ and vocabulary/ only (what both sides share lives in vocabulary/).' },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use sleep() from @temporalio/workflow' }],
    },
  },
  {
    // The vocabulary workflows, bot, activities and lib share (ids, search attributes, callback layouts,
    // languages, formats): pure, so the deterministic workflow sandbox and everything else may import it.
    files: ['vocabulary/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: builtinModules.flatMap((m) => [
            { name: m, message: 'vocabulary/ is pure: no Node built-ins.' },
            { name: `node:${m}`, message: 'vocabulary/ is pure: no Node built-ins.' },
          ]),
          patterns: [{ group: ['**/lib/*', '**/bot/*', '**/workers/*', '**/workflows/*', '**/activities/*', '**/activities'], message: 'vocabulary/ imports nothing of ours but itself.' }],
        },
      ],
    },
  },
  {
    // lib/ serves bot, workers and activities; it names workflows by their ids from vocabulary/, not by importing them.
    files: ['lib/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/workflows/*', '**/bot/*'], allowTypeImports: true, message: 'lib/ does not depend on workflows/ or bot/ (shared names live in vocabulary/).' }] }],
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

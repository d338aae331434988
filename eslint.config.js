// @ts-check
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: ['node:*'], message: 'Node APIs belong to main.' };
const electron = {
  name: 'electron',
  message: 'Only main/index.ts, main/shell/ and preload/index.ts touch Electron.',
};

/** Core modules run headless (tests, CLI): Electron stays in the shell. */
const shell = { group: ['**/shell/*'], message: 'Core code must not depend on the Electron shell.' };
const appRoot = {
  regex: String.raw`^(\.\./)+app/`,
  message: 'Only the shell and the CLI build the core (main/app); areas get what they need passed in.',
};

/**
 * Imports of another area of main, e.g. `../accounts/…` or `../../accounts/…`.
 * @param {string} name @param {string} instead
 */
function area(name, instead) {
  return { regex: String.raw`^(\.\./)+${name}/`, message: `Not main/${name}: go through ${instead}.` };
}

/** Loading node:crypto costs a command ~11 ms (issue 17); ids and file names do not need it. */
const randomFromCrypto = {
  name: 'node:crypto',
  importNames: ['randomBytes', 'randomUUID', 'randomFillSync', 'randomInt', 'getRandomValues'],
  message: 'Random bytes and ids come from main/core/random.ts.',
};

/** @param {...object} patterns restrictions of one layer, added to those of main as a whole */
function mainImports(...patterns) {
  return {
    'no-restricted-imports': [
      'error',
      { paths: [electron, randomFromCrypto], patterns: [shell, ...patterns] },
    ],
  };
}

export default tseslint.config(
  { ignores: ['out/', 'dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip|todo)$/]',
          message: 'No focused or skipped tests.',
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  // Layers inside main. A later block replaces an earlier one's no-restricted-imports for its files,
  // so each block repeats the restrictions of main/ as a whole (`mainImports`).
  { files: ['main/**/*.ts'], ignores: ['main/index.ts', 'main/shell/**'], rules: mainImports(appRoot) },
  // The shell may import Electron and main/app, not node:crypto's random functions.
  {
    files: ['main/index.ts', 'main/shell/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [randomFromCrypto] }] },
  },
  // The composition root and the CLI build the core; only they (and the shell) import main/app.
  { files: ['main/app/**/*.ts', 'main/cli/**/*.ts'], rules: mainImports() },
  // The outbox and the accounts meet only through main/core/ports.ts.
  {
    files: ['main/outbox/**/*.ts'],
    rules: mainImports(appRoot, area('accounts', 'the ports in main/core/ports.ts')),
  },
  {
    files: ['main/accounts/**/*.ts'],
    rules: mainImports(appRoot, area('outbox', 'the ports in main/core/ports.ts')),
  },
  // Discovery answers from the address alone: of main/accounts it reads only the provider table and
  // the connection test's steps (to probe); the accounts service calls it, never the other way.
  {
    files: ['main/discovery/**/*.ts'],
    rules: mainImports(appRoot, area('outbox', 'its caller'), {
      regex: String.raw`^(\.\./)+accounts/(?!provider-presets\.ts$|connection-test)`,
      message: 'main/discovery reads only provider-presets.ts and the connection test of main/accounts.',
    }),
  },
  // SMTP is a leaf: it opens sessions with what it is given and knows no accounts or queue.
  {
    files: ['main/smtp/**/*.ts'],
    rules: mainImports(appRoot, area('outbox', 'its caller'), area('accounts', 'its caller')),
  },
  // The bottom layer: ports and the clock, which every area may import. One known exception: the
  // ports hand out smtp/smtp-endpoint.ts's SmtpEndpoint (a type only); it belongs in core.
  {
    files: ['main/core/**/*.ts'],
    rules: mainImports({
      regex: String.raw`^\.\./(?!errors/|\.\./preload/contract/|smtp/smtp-endpoint\.ts$)`,
      message: 'main/core is the bottom layer: it imports only main/core, main/errors and the contract.',
    }),
  },
  {
    // The contract is shared by every process: no platform APIs at all.
    files: ['preload/contract/**/*.ts', 'preload/bridge/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            nodeBuiltins,
            { group: ['**/main/**', '**/renderer/**'], message: 'The contract depends on nothing but zod.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          paths: [electron],
          patterns: [
            nodeBuiltins,
            { group: ['**/main/**'], message: 'The renderer reaches main only through window.outbox.' },
          ],
        },
      ],
    },
  },
);

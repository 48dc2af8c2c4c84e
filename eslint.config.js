/**
 * `npm run lint:regex` (and so `npm test` and CI): every regular expression in src/ and web/
 * is checked for super-linear runtime, the shape that lets one message hold the event loop
 * for seconds (ReDoS). Only these rules: formatting and style are not ESLint's job here.
 */
import tsParser from '@typescript-eslint/parser';
import regexp from 'eslint-plugin-regexp';

export default [
  {
    files: ['src/**/*.ts', 'web/**/*.ts'],
    languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { regexp },
    rules: {
      // Backtracking within one match attempt: `/^(a+)+$/`, `/\s*\s*x/`…
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      // A search that restarts at every position and runs on each time: `/[ ]+$/` over a
      // long run of spaces that is not at the end, the pattern that froze chat.
      'regexp/no-super-linear-move': ['error', { report: 'potential', ignoreSticky: false, ignorePartial: false }],
      // A regex built at run time may be one the rules above cannot see: literals only.
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='RegExp']", message: 'Write a regex literal, so lint:regex can check it.' },
        { selector: "CallExpression[callee.name='RegExp']", message: 'Write a regex literal, so lint:regex can check it.' },
      ],
    },
  },
];

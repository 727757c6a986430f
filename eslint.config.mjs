// ESLint for the phone's JavaScript: the shell scripts and the capture modules (static/js), the
// service worker (static/sw) and node's unit tests (tests/js). `make lint` runs it.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: [".venv/**", "node_modules/**", "test-artifacts/**", "instance/**", "build/**", "**/*.min.js"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: { ...globals.browser } },
  },
  {
    // The pages' scripts are ES modules; store.js and sync.js stay classic scripts, because the
    // service worker loads them with importScripts (module workers are missing from the WebViews
    // many phones carry).
    files: ["static/js/**/*.js"],
    ignores: ["static/js/store.js", "static/js/sync.js"],
    languageOptions: { sourceType: "module" },
  },
  {
    files: ["static/sw/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: { ...globals.serviceworker } },
  },
  {
    files: ["tests/js/**/*.mjs", "tests/browser/**/*.js", "eslint.config.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node, ...globals.browser } },
  },
  {
    rules: {
      "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
      eqeqeq: ["error", "smart"],
      "no-var": "off",
      "prefer-const": "off",
    },
  },
];

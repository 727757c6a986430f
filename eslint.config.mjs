// ESLint for the phone's JavaScript: the shell scripts and the capture modules (static/js), the
// service worker (static/sw) and node's unit tests (tests/js). `make lint` runs it.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: [".venv/**", "node_modules/**", "test-artifacts/**", "instance/**", "**/*.min.js"] },
  js.configs.recommended,
  {
    files: ["static/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "script", globals: { ...globals.browser } },
  },
  {
    // The capture form and the offline patrol list are ES modules.
    files: ["static/js/capture/**/*.js"],
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

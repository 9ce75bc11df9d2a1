#!/usr/bin/env node
// The CLI is imported dynamically so that even a failure to load it exits 2 ("could not scan"),
// never 1, which means "a verdict reached --fail-on".
import('../dist/cli/main.js')
  .then(({ main }) => main(process.argv))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(`beagle: ${err?.message ?? err}`);
      process.exitCode = 2;
    },
  );

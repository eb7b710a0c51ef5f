#!/usr/bin/env node
import { buildProgram } from "./program.js";
import { reportFailure } from "./report-failure.js";

buildProgram()
  .parseAsync(process.argv)
  .then(
    () => process.exit(0),
    (error: unknown) => process.exit(reportFailure(error, process.argv.includes("--verbose"))),
  );

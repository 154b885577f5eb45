#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm ci` through the prepare script).
import { run } from '../dist/main.js';
run(process.argv).then((code) => { process.exitCode = code; });

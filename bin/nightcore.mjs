#!/usr/bin/env node
// The `nightcore` command. The CLI is TypeScript, built into one bundle on install or first use
// and rebuilt when its sources change (bin/cli-launcher.mjs); starting it compiles nothing.
import { launch } from './cli-launcher.mjs';

process.exitCode = await launch(new URL('..', import.meta.url), process.argv.slice(2));

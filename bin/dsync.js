#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// Exit once the command is done and what it printed has been handed to the
// OS: a request still open to the engine (a build that Ctrl-C interrupted)
// must not keep the process alive, and the engine cancels work whose
// connection closes.
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});

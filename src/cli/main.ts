// dsync's command line: a thin shell over the library. Commands are imported
// only when used, so `dsync --help` does not load Docker or chokidar.
import { DsyncError, EXIT, exitCodeFor } from '../base/errors.js';
import { printError, type OutputStreams } from './output.js';
import { version } from './version.js';

export { version };

export interface CommandModule {
  help: string;
  run(args: string[], io: OutputStreams): Promise<number>;
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  up: { summary: 'create or reuse the project container, sync, and keep syncing', load: () => import('./commands/up.js') },
  status: { summary: 'show the container, the last sync, and whether it matches the host', load: () => import('./commands/status.js') },
  exec: { summary: 'run a command in the container workspace', load: () => import('./commands/exec.js') },
  logs: { summary: "print (and follow) the functions' runtime logs", load: () => import('./commands/logs.js') },
  invoke: { summary: 'run a function in the emulator with an event and print its answer', load: () => import('./commands/invoke.js') },
  trigger: { summary: 'fire a schedule, rule or event source mapping in the emulator now', load: () => import('./commands/trigger.js') },
  debug: { summary: "say the functions' debug ports; --vscode writes .vscode/launch.json", load: () => import('./commands/debug.js') },
  image: { summary: "build dsync's SAM image (used by --emulator) and print its tag", load: () => import('./commands/image.js') },
  init: { summary: "write a commented dsync.json (and a devcontainer.json) for a team's SAM project", load: () => import('./commands/init.js') },
  down: { summary: 'remove the container (--purge: and its volumes)', load: () => import('./commands/down.js') },
  doctor: {
    summary: 'check the engine, image, SAM, clock, proxy, credentials, template and files; say how to fix each problem',
    load: () => import('./commands/doctor.js'),
  },
};

function generalHelp(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)}${c.summary}`);
  return `dsync ${version()}: a second-scale SAM loop: sync a project into a long-lived Docker container and let SAM build and deploy there.

Usage: dsync <command> [options]

Commands:
${lines.join('\n')}

Run \`dsync <command> --help\` for a command's options.
Docker engine: DOCKER_HOST, DOCKER_CONTEXT or the current docker context, else the platform default.
`;
}

export async function main(argv: string[], io: OutputStreams = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const [first, ...rest] = argv;
  const json = argv.includes('--json');
  try {
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      io.stdout.write(generalHelp());
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === '--version' || first === '-v' || first === 'version') {
      io.stdout.write(`${version()}\n`);
      return EXIT.ok;
    }
    const entry = COMMANDS[first];
    if (!entry) {
      throw new DsyncError('USAGE', `unknown command "${first}"`, { hint: `commands: ${Object.keys(COMMANDS).join(', ')}; see \`dsync --help\`` });
    }
    const command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      const dashdash = rest.indexOf('--');
      const helpAt = Math.max(rest.indexOf('--help'), rest.indexOf('-h'));
      if (dashdash < 0 || helpAt < dashdash) {
        io.stdout.write(command.help);
        return EXIT.ok;
      }
    }
    return await command.run(rest, io);
  } catch (error) {
    printError(error, io, json);
    return exitCodeFor(error);
  }
}

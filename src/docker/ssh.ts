// SSH engines (ssh://user@host): the ssh2 options dockerode's modem gets
// (agent or key file, and a host key check against ~/.ssh/known_hosts), and
// one clear line for each way the connection fails.
import { DsyncError } from '../base/errors.js';
import type { ConnectionOptions } from './engine.js';
import { checkHostKey, type HostKeyVerdict } from './known-hosts.js';

type SshConnection = Extract<ConnectionOptions, { kind: 'ssh' }>;

/** ssh2 options for an ssh:// engine: agent or key file, and a host key check against known_hosts. */
export function sshOptions(options: SshConnection, verdict: (v: HostKeyVerdict) => void): Record<string, unknown> {
  const material = options.ssh;
  return {
    agent: material?.agent,
    privateKey: material?.agent ? undefined : material?.privateKey,
    readyTimeout: 15_000,
    hostVerifier: (key: Buffer) => {
      const v = checkHostKey(material?.knownHosts, options.host, options.port, key);
      verdict(v);
      return v === 'match';
    },
  };
}

/** A clear line for the ways an SSH connection to the engine fails; undefined for anything else. */
export function sshFailure(error: unknown, options: SshConnection, hostKey: HostKeyVerdict | undefined): DsyncError | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const target = `${options.username}@${options.host}${options.port === 22 ? '' : `:${options.port}`}`;
  const sshCommand = `ssh ${options.port === 22 ? '' : `-p ${options.port} `}${options.username}@${options.host}`;
  if (/verification failed|host denied/i.test(message) || (hostKey && hostKey !== 'match')) {
    if (hostKey === 'mismatch' || hostKey === 'revoked') {
      return new DsyncError('ENGINE_UNREACHABLE', `The SSH host key of ${options.host} does NOT match ~/.ssh/known_hosts: someone may be intercepting the connection`, {
        hint: 'if the host was really reinstalled, remove its old line from ~/.ssh/known_hosts (ssh-keygen -R), check the new key, and connect once with ssh',
        cause: error,
      });
    }
    return new DsyncError('ENGINE_UNREACHABLE', `The SSH host key of ${options.host} is not in ~/.ssh/known_hosts`, {
      hint: `connect once with \`${sshCommand}\` to check and accept it, then run dsync again`,
      cause: error,
    });
  }
  if (/authentication methods failed/i.test(message)) {
    const tried = options.ssh?.agent ? 'the keys in your ssh-agent' : options.ssh?.privateKeyPath ? options.ssh.privateKeyPath : 'no key (no ssh-agent, no ~/.ssh/id_ed25519, id_ecdsa or id_rsa)';
    return new DsyncError('ENGINE_UNREACHABLE', `SSH login to ${target} for the Docker engine failed with ${tried}`, {
      hint: `check that \`${sshCommand} docker version\` works without a password; load the key into ssh-agent (SSH_AUTH_SOCK) or put it at ~/.ssh/id_ed25519`,
      cause: error,
    });
  }
  if (/docker: (command )?not found|dial-stdio/i.test(message)) {
    return new DsyncError('ENGINE_UNREACHABLE', `The docker command is not on the PATH of ${target} (dsync runs \`docker system dial-stdio\` there, as the docker CLI does)`, {
      hint: 'install the Docker CLI on that host',
      cause: error,
    });
  }
  return undefined;
}

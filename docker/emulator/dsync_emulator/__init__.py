"""dsync's AWS emulator: moto's server, made to accept what AWS accepts.

Run as `python -m dsync_emulator --host 0.0.0.0 --port P --bucket B
[--api-port X ...]` with the Python that has the pinned moto and
aws-sam-translator (docker/Dockerfile), this folder's parent on the path.

- server: the command line, start-up, the one werkzeug server;
- routes: the emulator's own /_dsync/ routes, as a table;
- patching: the one way moto is patched, each patch checked at start-up;
- cfn: the SAM transform server-side, as CloudFormation does it, so the real
  `sam sync` flow runs unchanged; TemplateStage; failures as failed stacks;
- bridges: moto gaps that ordinary SAM apps hit, one module per service
  (REST and HTTP API bodies and stages, state machine definitions, layers,
  versions and aliases, event buses, subscriptions, nested stack outputs);
- gaps, standins: a resource moto cannot create stands in when it is not
  code, and every gap is recorded;
- lambda_runner: Invoke, and every API route, runs the deployed code in a
  warm Node.js process, with logs in CloudWatch Logs;
- gateway: each REST and HTTP API of the stack served on a port of its own.
"""

// Edit this file while `dsync up --sync-only` runs, then check the container:
//   node bin/dsync.js exec --cwd examples/hello-sync -- cat src/handler.js
export const handler = async () => ({ statusCode: 200, body: 'hello from dsync' });

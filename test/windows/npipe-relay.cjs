// Run by node.exe in the Windows tier: a named pipe that relays to a TCP
// engine, standing in for Docker Desktop's pipe (\\.\pipe\dockerDesktopLinuxEngine).
//   node.exe npipe-relay.cjs PIPE_NAME TCP_PORT READY_FILE
const fs = require('node:fs');
const net = require('node:net');

const [pipeName, port, readyFile] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(Number(port), '127.0.0.1');
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.pipe(upstream);
  upstream.pipe(client);
});
server.listen(`\\\\.\\pipe\\${pipeName}`, () => fs.writeFileSync(readyFile, 'ready'));

import { createServer } from 'node:http';

/** The baseline: node:http reading the body and answering 202 with a small JSON body. */
const port = Number(process.argv[2] ?? 0);
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end('{"success":true,"status":"PENDING"}');
  });
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));

// Sends the events of a JSON file to the backend with N concurrent senders
// over keep-alive connections, from its own process (as controllers would
// from other machines). Prints {seconds, statuses} as one JSON line.
import http from 'node:http';
import { readFileSync } from 'node:fs';

const [url, senders, file] = process.argv.slice(2);
const events = JSON.parse(readFileSync(file, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(senders) });
const statuses = {};
let next = 0;

function post(e) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url + e.path,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(e.body),
          ...e.headers,
        },
      },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(e.body);
  });
}

async function sender() {
  while (next < events.length) {
    const status = await post(events[next++]);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
}

const t0 = performance.now();
await Promise.all(Array.from({ length: Number(senders) }, sender));
console.log(
  JSON.stringify({ seconds: (performance.now() - t0) / 1000, statuses }),
);
agent.destroy();

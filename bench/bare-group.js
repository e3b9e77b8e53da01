// The group baseline: a bare node-redis consumer, as one would write it by hand. XREADGROUP a batch,
// call a no-op per entry, XACK the batch, again. Usage: node bench/bare-group.js URL KEY GROUP CONSUMER
import { createClient } from '@redis/client';

const [url, key, group, consumer] = process.argv.slice(2);
// No command timeout: on a loaded machine a reply can take longer than node-redis's default 5 s.
const client = createClient({ url, commandOptions: { timeout: 0 } });
client.on('error', () => undefined);
await client.connect();
const noop = () => undefined;
process.on('SIGTERM', () => process.exit(0));
for (;;) {
  const reply = await client.xReadGroup(group, consumer, { key, id: '>' }, { COUNT: 500, BLOCK: 1000 });
  if (!reply) continue;
  for (const stream of reply) {
    const ids = [];
    for (const message of stream.messages) {
      noop(message);
      ids.push(message.id);
    }
    if (ids.length > 0) await client.xAck(key, group, ids);
  }
}

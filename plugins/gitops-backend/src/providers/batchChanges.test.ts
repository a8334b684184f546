import { batchChanges } from './batchChanges';
import { makeApplication } from '@gitops-portal/gitops-test-utils';

describe('batchChanges', () => {
  const map = (names: string[]) => ({
    applications: names.map(name => makeApplication({ name })),
    deployments: [],
  });

  it('drops what only touched a timestamp, and keeps the last of a key', async () => {
    const written: string[][] = [];
    const batch = batchChanges<string>({
      map,
      onChange: async changed => {
        written.push(changed.applications.map(a => a.name));
      },
      intervalMs: 10_000,
    });
    await batch.add('a', 'a', 'v1');
    await batch.add('b', 'b', 'v1');
    await batch.close();
    const again = batchChanges<string>({
      map,
      onChange: async changed => {
        written.push(changed.applications.map(a => a.name));
      },
      intervalMs: 10_000,
    });
    await again.add('a', 'a', 'v1');
    await again.add('a', 'a', 'v1'); // the same again: dropped
    await again.add('b', 'b-old', 'v1');
    await again.add('b', 'b', 'v2'); // the last of a key wins
    await again.close();
    expect(written).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it('makes the reader wait while batches queue behind a slow store', async () => {
    let release!: () => void;
    const slow = new Promise<void>(r => {
      release = r;
    });
    const batch = batchChanges<string>({
      map,
      onChange: () => slow,
      intervalMs: 10_000,
      maxSize: 2,
    });
    await batch.add('a', 'a');
    let added = false;
    // a full batch goes to the (stuck) store: the reader waits for it
    const waiting = batch.add('b', 'b').then(() => {
      added = true;
    });
    await new Promise(r => setTimeout(r, 50));
    expect(added).toBe(false);
    release();
    await waiting;
    expect(added).toBe(true);
    await batch.close();
  });
});

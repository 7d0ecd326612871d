import { eventually } from './eventually';

describe('eventually', () => {
  it('returns the first truthy answer, polling until then', async () => {
    let calls = 0;
    const value = await eventually(async () => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ calls: 3 });
  });

  it('treats false, null, 0 and the empty string as "not yet"', async () => {
    const answers: unknown[] = [false, null, 0, '', 'done'];
    await expect(eventually(() => answers.shift(), { intervalMs: 1 })).resolves.toBe('done');
  });

  it('gives up after the timeout, naming what it waited for', async () => {
    await expect(eventually(() => false, { timeoutMs: 30, intervalMs: 5, what: 'the relay' })).rejects.toThrow(
      'timed out after 30 ms waiting for the relay',
    );
    await expect(eventually(() => false, 20)).rejects.toThrow('condition not met in 20 ms');
  });

  it('lets a probe that throws fail at once', async () => {
    await expect(
      eventually(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
  });
});

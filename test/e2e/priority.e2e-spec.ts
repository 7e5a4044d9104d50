import { jobBody } from '../factories/job.factory';
import { createTestApp, type TestApp } from '../support/test-app';
import { eventually, WebhookServer } from '../support/webhook-server';

describe('task_priority: higher runs first', () => {
  let t: TestApp;
  let hook: WebhookServer;

  beforeAll(async () => {
    hook = await new WebhookServer().start();
    t = await createTestApp('priority', { WORKER_CONCURRENCY: '1' });
  });
  afterAll(async () => {
    await t.close();
    await hook.stop();
  });

  it('starts waiting runs in order of task_priority when the worker frees up', async () => {
    const create = async (name: string, priority: number, path: string) =>
      (
        await t.http
          .post('/api/v1/jobs/')
          .send(
            jobBody({ name, task_priority: priority, task_queue: 'prio', task_kwargs: { url: `${hook.url}${path}` } }),
          )
          .expect(201)
      ).body.id;
    const blocker = await create('prio_blocker', 5, '/slow/1500');
    const ids = {
      low: await create('prio_low', 1, '/ok/low'),
      high: await create('prio_high', 10, '/ok/high'),
      mid: await create('prio_mid', 5, '/ok/mid'),
    };
    await eventually('the worker to consume the new queue', async () => {
      await t.http.post(`/api/v1/jobs/${blocker}/execute`).send({}).expect(202);
      return hook.hits('/slow/1500').length > 0;
    });
    for (const id of [ids.low, ids.high, ids.mid]) await t.http.post(`/api/v1/jobs/${id}/execute`).send({}).expect(202);
    await eventually(
      'all three runs',
      async () => ['/ok/low', '/ok/high', '/ok/mid'].every((p) => hook.hits(p).length === 1),
      20_000,
    );
    const order = ['/ok/low', '/ok/high', '/ok/mid'].sort((a, b) => hook.hits(a)[0].at - hook.hits(b)[0].at);
    expect(order).toEqual(['/ok/high', '/ok/mid', '/ok/low']);
  });
});

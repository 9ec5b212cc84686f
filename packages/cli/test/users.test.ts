import { Harness } from './harness';

const h = new Harness();
afterAll(() => h.close());

describe('utm user create', () => {
  it('creates a user → {"userId"}', async () => {
    const { code, body, stderr } = await h.json<{ userId: string }>(['user', 'create', '--name', 'Ada Lovelace']);
    expect(code).toBe(0);
    expect(Object.keys(body)).toEqual(['userId']);
    expect(stderr).toBe('');
    const row = await h.prisma.user.findUniqueOrThrow({ where: { id: body.userId } });
    expect(row.name).toBe('Ada Lovelace');
  });

  it('prints one human line without --json', async () => {
    const r = await h.run(['user', 'create', '--name', 'grace']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^user [0-9a-f-]{36} created \(grace\)\n$/);
    expect(r.stderr).toBe('');
  });

  it('refuses a missing or empty name', async () => {
    expect((await h.jsonError(['user', 'create'], 'VALIDATION_ERROR')).message).toMatch(/--name/);
    expect((await h.jsonError(['user', 'create', '--name', '   '], 'VALIDATION_ERROR')).message).toBe(
      '--name must not be empty',
    );
    const human = await h.run(['user', 'create']);
    expect(human).toMatchObject({ code: 1, stdout: '' });
    expect(human.stderr).toMatch(/required option '--name <name>'/);
  });
});

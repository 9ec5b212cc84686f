import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { loadCompose, ourServices } from './support/compose';
import { readText, ROOT } from './support/files';

/**
 * The Dockerfile, checked without a Docker engine: a multi-stage build whose final stage holds
 * only what the build stage prepared (production dependencies of the runtime workspaces, their
 * dist/, the migrations) and runs as a non-root user; every program compose runs is in it.
 */
const dockerfile = DockerfileParser.parse(readText('Dockerfile'));
const froms = dockerfile.getFROMs();
const stageOf = (i: Instruction) => froms.filter((f) => f.getRange().start.line <= i.getRange().start.line).length - 1;
const finalStage = froms.length - 1;
const inStage = (stage: number) =>
  dockerfile.getInstructions().filter((i) => i.getKeyword() !== 'FROM' && stageOf(i) === stage);
const argValue = (name: string) =>
  dockerfile
    .getARGs()
    .find((a) => a.getProperty()?.getName() === name)
    ?.getProperty()
    ?.getValue() ?? '';

interface Manifest {
  name: string;
  main?: string;
  dependencies?: Record<string, string>;
}
/** Workspace directory (relative to the root) → its package.json, for every workspace. */
function workspaces(): Map<string, Manifest> {
  const out = new Map<string, Manifest>();
  for (const group of ['packages', 'services']) {
    for (const dir of readdirSync(path.join(ROOT, group)))
      out.set(`${group}/${dir}`, JSON.parse(readText(`${group}/${dir}/package.json`)) as Manifest);
  }
  return out;
}

/** A workspace and every @utm workspace it needs at run time (dependencies, not devDependencies). */
function runtimeClosure(start: string, all: Map<string, Manifest>): Set<string> {
  const byName = new Map([...all].map(([dir, m]) => [m.name, dir]));
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const dep of Object.keys(all.get(dir)?.dependencies ?? {})) {
      const depDir = byName.get(dep);
      if (depDir) visit(depDir);
    }
  };
  visit(start);
  return seen;
}

describe('Dockerfile', () => {
  const runtimeWorkspaces = argValue('RUNTIME_WORKSPACES').split(/\s+/).filter(Boolean);
  const all = workspaces();

  it('is a multi-stage build whose final stage runs as a non-root user and installs nothing itself', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const final = inStage(finalStage);
    const users = final.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent()?.split(':')[0]);
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1];
    expect(['root', '0', '', undefined]).not.toContain(user);
    expect(final.filter((i) => i.getKeyword() === 'RUN')).toEqual([]);
    const copies = dockerfile.getCOPYs().filter((c) => stageOf(c) === finalStage);
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies)
      expect(froms.slice(0, finalStage).map((f) => f.getBuildStage())).toContain(c.getFromFlag()?.getValue());
  });

  it('installs production dependencies only, for the runtime workspaces, and copies their dist/ and the migrations', () => {
    const run = dockerfile
      .getInstructions()
      .filter((i) => i.getKeyword() === 'RUN' && stageOf(i) < finalStage)
      .map((i) => i.getArgumentsContent() ?? '')
      .find((text) => text.includes('--omit=dev'));
    expect(run).toBeDefined();
    expect(run).toMatch(/npm ci --omit=dev --omit=optional --omit=peer --ignore-scripts/);
    expect(run).toContain('--workspace=%s');
    expect(run).toContain('cp -r "$w/dist" "/runtime/$w/dist"');
    expect(run).toContain('cp -r prisma /runtime/prisma');
    // What npm start and the tests need stays out of the image (embedded Postgres, jest helpers, …).
    for (const devOnly of ['packages/devstack', 'packages/testkit', 'bench', 'deploy'])
      expect(runtimeWorkspaces).not.toContain(devOnly);
  });

  it('every program compose runs, and the utm CLI, is in a runtime workspace whose @utm dependencies are all there, built', () => {
    const programs = ourServices(loadCompose().resolved).map(([, s]) => s.command?.[1] ?? '');
    programs.push('packages/cli/dist/main.js');
    for (const program of programs) {
      const workspace = program.split('/').slice(0, 2).join('/');
      expect(program.startsWith(`${workspace}/dist/`)).toBe(true);
      expect(existsSync(path.join(ROOT, program))).toBe(true);
      for (const needed of runtimeClosure(workspace, all))
        expect({ program, needed, inImage: runtimeWorkspaces.includes(needed) }).toEqual({
          program,
          needed,
          inImage: true,
        });
    }
    for (const w of runtimeWorkspaces) {
      const main = all.get(w)?.main ?? 'dist/index.js';
      expect({ w, main: main.startsWith('dist/'), built: existsSync(path.join(ROOT, w, main)) }).toEqual({
        w,
        main: true,
        built: true,
      });
    }
    const cmd = JSON.parse(
      inStage(finalStage)
        .find((i) => i.getKeyword() === 'CMD')
        ?.getArgumentsContent() ?? '[]',
    ) as string[];
    expect(programs).toContain(cmd[1]);
  });

  it('the build context leaves out local installs, builds, secrets and git', () => {
    const ignored = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['**/node_modules', '**/dist', '.env', '.git', '.data']) expect(ignored).toContain(entry);
  });
});

import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Packed {
  files: Array<{ path: string }>;
}

/** The file list `npm pack` would put in the tarball (scripts skipped: dist/ is already built). */
function packedFiles(): string[] {
  const json = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(json) as Packed[])[0]!.files.map((f) => f.path).sort();
}

describe('the npm package', () => {
  const files = packedFiles();
  const pkg = async (): Promise<Record<string, unknown>> => JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;

  it('ships the program, its page, the examples, a LICENSE, and nothing of development', () => {
    for (const file of ['LICENSE', 'README.md', 'package.json', 'bin/evlog.js', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts',
      'dist/web/index.html', 'dist/web/main.js', 'dist/web/style.css', 'examples/notify.js', 'examples/post.js']) {
      expect(files, file).toContain(file);
    }
    expect(files.filter((f) => /^(src|test|bench|fixtures|scripts|\.ci)\//.test(f))).toEqual([]);
  });

  it('has no source map pointing at sources it does not ship', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('holds every file the README links or shows relatively (the package page renders it)', async () => {
    const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
    const relative = [...readme.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)].map((m) => m[1]!).filter((target) => !/^[a-z]+:/.test(target));
    expect(relative.length).toBeGreaterThan(0);
    for (const target of relative) expect(files, target).toContain(path.posix.normalize(target));
  });

  it('puts the examples where help says they are, wherever it is installed', async () => {
    const help = (await runCli(['listen', '--help'])).stdout;
    const module = /-c (\S+notify\.js)/.exec(help)![1]!;
    expect(files).toContain(path.relative(ROOT, module).split(path.sep).join('/'));
  });

  it('says what it is and under which licence', async () => {
    const meta = await pkg();
    expect(meta.license).toBe('MIT');
    expect(await readFile(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    expect((meta.keywords as string[]).length).toBeGreaterThan(3);
  });

  it('runs on a Node version its engines field names (CI runs this on each version it tests)', async () => {
    const range = ((await pkg()).engines as { node: string }).node;
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const allowed = range.split('||').map((part) => /^\s*\^(\d+)(?:\.(\d+))?/.exec(part)!).some((m) => Number(m[1]) === major && minor >= Number(m[2] ?? 0));
    expect(allowed, `${process.versions.node} in ${range}`).toBe(true);
  });
});

/** `llm-traces ui` (the built binary): the serve server, announced as the viewer's address, opened with --open. */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, startServe, type ServeProcess } from '../../support/serve-process.js';

describe('llm-traces ui', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-traces-ui-'));
  let ui: ServeProcess | undefined;

  afterAll(async () => {
    await ui?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts the server, prints the viewer address and opens it with --open', async () => {
    // A stand-in for the desktop's opener, so the test sees what would be opened.
    const opened = join(dir, 'opened.txt');
    const opener = join(dir, 'xdg-open');
    writeFileSync(opener, `#!/bin/sh\necho "$1" > ${JSON.stringify(opened)}\n`);
    chmodSync(opener, 0o755);
    ui = await startServe(['--path', join(dir, 'store'), '--open'], { PATH: `${dir}:${process.env.PATH}` }, 'ui');
    const announced = /the viewer: (http:\/\/127\.0\.0\.1:\d+\/)/;
    for (let i = 0; i < 50 && !announced.test(ui.output()); i++) await sleep(100);
    const address = announced.exec(ui.output())?.[1];
    expect(address).toBe(`${ui.url}/`);
    const session = await fetch(`${ui.url}/api/v1/session`);
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ organization_id: '', auth: false, organizations: null });
    // The viewer's page (or, before the UI bundle is built, a 404 that says how to build it).
    const page = await fetch(`${ui.url}/`, { headers: { accept: 'text/html' } });
    const text = await page.text();
    if (existsSync(new URL('../../../dist/viewer/index.html', import.meta.url))) expect(page.status).toBe(200);
    else expect(text).toMatch(/The viewer is not built/);
    for (let i = 0; i < 50 && !existsSync(opened); i++) await sleep(100);
    expect(readFileSync(opened, 'utf8').trim()).toBe(address);
  });

  it('with a password, opens a file only this user can read that signs the browser in, keeping the token off command lines', async () => {
    await ui?.stop();
    const opened = join(dir, 'opened.txt');
    rmSync(opened, { force: true });
    ui = await startServe(['--path', join(dir, 'store'), '--password', 'pw', '--open'], { PATH: `${dir}:${process.env.PATH}` }, 'ui');
    for (let i = 0; i < 50 && !existsSync(opened); i++) await sleep(100);
    const argument = readFileSync(opened, 'utf8').trim();
    expect(argument).toMatch(/^file:\/\/\/.+\/open\.html$/);
    expect(argument).not.toContain('token');
    const file = fileURLToPath(argument);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const token = /the viewer: (http:\/\/\S+\?token=\S+)/.exec(ui.output())![1]!;
    expect(readFileSync(file, 'utf8')).toContain(`url=${token}`);
    expect(await ui.stop()).toBe(0);
    ui = undefined;
    expect(existsSync(file)).toBe(false);
  });

  it('takes the options of serve and documents --open', async () => {
    const help = await runCli(['ui', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--open');
    expect(help.stdout).toContain('--max-concurrent-queries');
    const bad = await runCli(['ui', '--colour']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^llm-traces ui: unknown option --colour; this command takes --path, .*--open, --help\./);
  });
});

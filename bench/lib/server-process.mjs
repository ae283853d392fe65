// Helpers shared by the benches that load a Node server in a child process
// (node-http, native-jsstack): start it and read its CPU time from /proc.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Spawns `node -e code` (with extra env) and resolves once it prints "port N"; rejects if it exits first. */
export function startServer(code, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    child.on('error', reject);
    child.on('exit', (c) => reject(new Error(`server exited (${c})`)));
    child.stdout.on('data', (d) => {
      const m = /port (\d+)/.exec(String(d));
      if (m) resolve({ child, port: Number(m[1]) });
    });
  });
}

/** utime + stime of `pid` in ms (/proc, clock ticks of 10 ms): CPU cost, immune to other load on the machine. */
export function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// What a running server costs, read from /proc: CPU time (user + system, every thread) and memory,
// summed over the process and all its descendants, because NSD serves from forked children and a
// process's own /proc/<pid>/stat counts only its own threads (plus children it has reaped). Linux only.

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let ticksPerSecond;
function clkTck() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined; // exited
  }
}

/** `pid` and every live descendant of it. */
export function processTree(pid) {
  const parentOf = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (f !== undefined) parentOf.set(Number(entry), Number(f[1]));
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    for (const [child, parent] of parentOf) if (parent === tree[i]) tree.push(child);
  }
  return tree;
}

/** CPU seconds (utime + stime) used so far by `pid` and its descendants; 0 for a process gone. */
export function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of processTree(pid)) {
    const f = statFields(p);
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    if (f !== undefined) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / clkTck();
}

function statusKiB(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function pssKiB(pid) {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return m ? Number(m[1]) : statusKiB(pid, "VmRSS");
  } catch {
    return statusKiB(pid, "VmRSS");
  }
}

/**
 * Memory of `pid` in MiB: `rss` its own VmRSS; `rssAll` VmRSS summed over it and its descendants (pages
 * shared by forked children counted in each); `pss` the proportional set size summed over them (each
 * page counted once: the fair figure for a server that keeps its data in a forked child, as NSD does).
 */
export function memoryMiB(pid) {
  const tree = processTree(pid);
  const sum = (f) => tree.reduce((a, p) => a + f(p), 0) / 1024;
  return { rss: statusKiB(pid, "VmRSS") / 1024, rssAll: sum((p) => statusKiB(p, "VmRSS")), pss: sum(pssKiB) };
}

/** [{ pid, start }] of `pid` and its descendants now, `start` being each one's start time in ticks. */
export function snapshotTree(pid) {
  return processTree(pid).map((p) => ({ pid: p, start: statFields(p)?.[19] }));
}

/** The entries of a snapshot still running as the same process (a reused PID has another start time). */
export function aliveTree(snapshot) {
  return snapshot.filter((p) => p.start !== undefined && statFields(p.pid)?.[19] === p.start);
}
